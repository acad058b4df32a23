/**
 * Generation on a loaded model: the conversation fitted into the context, tokens streamed as
 * text, timings measured from the first token.
 */
import type { ChatHistoryItem, GbnfJsonSchema, LlamaGrammar, LlamaModel } from 'node-llama-cpp';
import { XinglinError, type Sampling, type Timings } from '../../../contract/index.js';
import { fitToContext, replyReserve, type ChatTurn } from '../context-fit.js';
import { TokenTextStream } from '../text-stream.js';
import { errorText, type LoadedModel } from './load.js';

export interface GenerateRequest {
  /** Earlier turns of the session, oldest first; the oldest are dropped when they do not fit. */
  history: readonly ChatTurn[];
  prompt: string;
  /** Instructions for the model (the caller's prompt template); none when absent. */
  system?: string;
  sampling: Sampling;
  /**
   * A JSON schema the answer must follow: node-llama-cpp compiles it into a grammar that only lets
   * the model write JSON of that shape (a record draft). Plain JSON, so it crosses the process boundary.
   */
  jsonSchema?: GbnfJsonSchema;
  signal?: AbortSignal;
  onText?: (chunk: string) => void;
  /** The prompt is fitted and about to be read; reading `promptTokens` comes before the first token. */
  onStarted?: (promptTokens: number) => void;
}

export interface GenerateResult {
  text: string;
  /** True when the answer was cut short by the AbortSignal (or by an unload/reload). */
  stopped: boolean;
  /** Why generation ended: 'eogToken' (finished), 'maxTokens', 'abort', … */
  stopReason: string;
  timings: Timings;
  template: string;
  /** Oldest history turns left out so the prompt fits the context. */
  droppedTurns: number;
}

/** Turns Xinglin turns into node-llama-cpp history, and counts the tokens the model would read. */
export function promptRenderer(loaded: LoadedModel, prompt: string, system: string | undefined) {
  const systemItems: ChatHistoryItem[] = system ? [{ type: 'system', text: system }] : [];
  const toItems = (turns: readonly ChatTurn[]): ChatHistoryItem[] => [
    ...systemItems,
    ...turns.map((turn): ChatHistoryItem => (turn.role === 'user' ? { type: 'user', text: turn.text } : { type: 'model', response: [turn.text] })),
  ];
  // The same rendering LlamaChatSession does for a prompt: the question, then an opened answer.
  const countTokens = (turns: readonly ChatTurn[]): number => {
    const chatHistory: ChatHistoryItem[] = [...toItems(turns), { type: 'user', text: prompt }, { type: 'model', response: [] }];
    return loaded.session.chatWrapper.generateContextState({ chatHistory }).contextText.tokenize(loaded.model.tokenizer).length;
  };
  return { toItems, countTokens };
}

/** Tokens a boundary between system text and the template around it may add or merge. */
const BOUNDARY_TOKENS = 4;

/**
 * Whether system texts of the caller's choosing still leave the question and its answer room:
 * the question in its template is tokenized once, each candidate system text on its own.
 */
export function systemBudget(loaded: LoadedModel, prompt: string, maxTokens: number): (system: string) => boolean {
  const contextSize = loaded.context.contextSize;
  const base = promptRenderer(loaded, prompt, undefined).countTokens([]);
  const budget = contextSize - replyReserve(contextSize, maxTokens);
  return (system) => base + loaded.model.tokenize(system).length + BOUNDARY_TOKENS <= budget;
}

// Compiling a grammar costs milliseconds to seconds; one schema is asked for again and again.
const grammars = new WeakMap<LlamaModel, Map<string, Promise<LlamaGrammar>>>();

function grammarFor(model: LlamaModel, schema: GbnfJsonSchema): Promise<LlamaGrammar> {
  const cache = grammars.get(model) ?? new Map<string, Promise<LlamaGrammar>>();
  grammars.set(model, cache);
  const key = JSON.stringify(schema);
  let grammar = cache.get(key);
  if (!grammar) {
    grammar = model.llama.createGrammarForJsonSchema<GbnfJsonSchema>(schema);
    cache.set(key, grammar);
    grammar.catch(() => cache.delete(key));
  }
  return grammar;
}

export async function generate(loaded: LoadedModel, request: GenerateRequest, signal: AbortSignal): Promise<GenerateResult> {
  const started = performance.now();
  let grammar: LlamaGrammar | undefined;
  try {
    grammar = request.jsonSchema ? await grammarFor(loaded.model, request.jsonSchema) : undefined;
  } catch (error) {
    throw new XinglinError('GENERATION_FAILED', `无法按 JSON 结构约束生成：${errorText(error)}`);
  }
  const { sampling } = request;
  const { session } = loaded;
  const { toItems, countTokens } = promptRenderer(loaded, request.prompt, request.system);
  const plan = fitToContext({ history: request.history, contextSize: loaded.context.contextSize, maxTokens: sampling.maxTokens, countTokens });

  let generatedTokens = 0;
  let firstTokenAt: number | null = null;
  let lastTokenAt = started;
  const stream = new TokenTextStream(loaded.model, (chunk) => request.onText?.(chunk));
  const timings = (): Timings => {
    const durationMs = performance.now() - started;
    // Generation speed only: the first token also paid for reading the prompt, so count from it.
    const decodeMs = firstTokenAt === null ? 0 : lastTokenAt - firstTokenAt;
    const tokensPerSecond = generatedTokens > 1 && decodeMs > 0 ? ((generatedTokens - 1) * 1000) / decodeMs : 0;
    return { promptTokens: plan.promptTokens, generatedTokens, tokensPerSecond, durationMs };
  };
  const finish = (text: string, stopReason: string): GenerateResult => ({ text, stopped: stopReason === 'abort', stopReason, timings: timings(), template: loaded.template, droppedTurns: plan.droppedTurns });

  if (signal.aborted) return finish('', 'abort');
  session.setChatHistory(toItems(plan.history));
  request.onStarted?.(plan.promptTokens);
  try {
    const result = await session.promptWithMeta(request.prompt, {
      signal,
      stopOnAbortSignal: true,
      maxTokens: plan.maxReplyTokens,
      temperature: sampling.temperature,
      topK: sampling.topK,
      topP: sampling.topP,
      seed: sampling.seed,
      ...(grammar ? { grammar } : {}),
      onToken: (tokens) => {
        const now = performance.now();
        firstTokenAt ??= now;
        lastTokenAt = now;
        generatedTokens += tokens.length;
        stream.push(tokens);
      },
    });
    stream.finish(result.responseText);
    return finish(result.responseText, result.stopReason);
  } catch (error) {
    // Stopped before the first token: node-llama-cpp throws instead of returning the (empty) answer.
    if (signal.aborted) {
      stream.flush();
      return finish(stream.text, 'abort');
    }
    throw new XinglinError('GENERATION_FAILED', `生成回答失败：${errorText(error)}`);
  }
}
