/**
 * Generation on a loaded model: the conversation fitted into the variant's context, tokens
 * streamed as text, timings measured from the first token. The context's sequence keeps the
 * tokens it evaluated, so a follow-up question re-reads only what changed since the last answer.
 */
import type { ChatHistoryItem, GbnfJsonSchema, LlamaChatSessionRepeatPenalty, LlamaGrammar, LlamaModel, LlamaText } from 'node-llama-cpp';
import { XinglinError, type Sampling, type Timings } from '../../../contract/index.js';
import { fitToContext, replyReserve, type ChatTurn } from '../context-fit.js';
import { TokenTextStream } from '../text-stream.js';
import { errorText } from './load.js';
import type { PromptTarget, Slot } from './slot.js';
import type { RuntimeVariant } from './variant.js';

export interface GenerateRequest {
  /** Earlier turns of the session, oldest first; the oldest are dropped when they do not fit. */
  history: readonly ChatTurn[];
  prompt: string;
  /** Instructions for the model (the caller's prompt template); none when absent. */
  system?: string;
  /**
   * Material for this question only (the knowledge base's numbered sources), read in the last user
   * turn right before the question: `${sources}\n\n${prompt}`. Kept out of `system`, so that system
   * and history read the same from turn to turn and the model re-reads only the new turn.
   */
  sources?: string;
  /** The adapters, template and context size to answer with; absent: the loaded default. */
  variant?: RuntimeVariant;
  /**
   * Answers on this lane (0 … the provider's maxParallel − 1), beside answers on the other lanes
   * at the same time; absent: on the variant's chat sequence, whose evaluated tokens stay for the
   * session's next turn. A remote provider sends every request at once and ignores it.
   */
  lane?: number;
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
  /**
   * Prompt tokens found already evaluated in the context (the earlier turns of the session) and
   * not read again; `timings.promptTokens - reusedTokens` were read. Local runtime only.
   */
  reusedTokens?: number;
}

/** The answer to a request stopped before its prompt was read. */
export function stoppedBeforeStart(template: string): GenerateResult {
  return { text: '', stopped: true, stopReason: 'abort', timings: { promptTokens: 0, generatedTokens: 0, tokensPerSecond: 0, durationMs: 0 }, template, droppedTurns: 0, reusedTokens: 0 };
}

/** The last user turn: the question, after this question's sources when there are any. */
export function userText(prompt: string, sources: string | undefined): string {
  return sources ? `${sources}\n\n${prompt}` : prompt;
}

/** Turns Xinglin turns into node-llama-cpp history, renders them and counts the tokens the model would read. */
export function promptRenderer(target: PromptTarget, request: { prompt: string; system?: string | undefined; sources?: string | undefined }) {
  const systemItems: ChatHistoryItem[] = request.system ? [{ type: 'system', text: request.system }] : [];
  const question = userText(request.prompt, request.sources);
  const toItems = (turns: readonly ChatTurn[]): ChatHistoryItem[] => [
    ...systemItems,
    ...turns.map((turn): ChatHistoryItem => (turn.role === 'user' ? { type: 'user', text: turn.text } : { type: 'model', response: [turn.text] })),
  ];
  // The same rendering LlamaChatSession does for a prompt: the question, then an opened answer.
  const render = (turns: readonly ChatTurn[]): LlamaText => {
    const chatHistory: ChatHistoryItem[] = [...toItems(turns), { type: 'user', text: question }, { type: 'model', response: [] }];
    return target.template.wrapper.generateContextState({ chatHistory }).contextText;
  };
  const countTokens = (turns: readonly ChatTurn[]): number => render(turns).tokenize(target.model.tokenizer).length;
  return { question, toItems, render, countTokens };
}

/** Tokens a boundary between the sources and the text around them may add or merge. */
const BOUNDARY_TOKENS = 4;

/**
 * Whether sources texts of the caller's choosing still leave the question and its answer room
 * beside the system text: the question in its template is tokenized once, each candidate on its own.
 */
export function sourcesBudget(target: PromptTarget, prompt: string, maxTokens: number, system: string | undefined): (sources: string) => boolean {
  const { contextSize } = target;
  const base = promptRenderer(target, { prompt, system }).countTokens([]);
  const budget = contextSize - replyReserve(contextSize, maxTokens);
  return (sources) => base + target.model.tokenize(sources).length + BOUNDARY_TOKENS <= budget;
}

/**
 * Penalties against repeating (QiZhen's remedy against 复读), over the whole answer so far as
 * transformers' repetition_penalty does (but not the prompt: the sources' words must stay
 * usable). All at their neutral values: off, as llama.cpp's sampler treats them.
 */
function repeatPenaltyOf(sampling: Sampling): LlamaChatSessionRepeatPenalty | false {
  const penalty = sampling.repeatPenalty ?? 1;
  const presencePenalty = sampling.presencePenalty ?? 0;
  const frequencyPenalty = sampling.frequencyPenalty ?? 0;
  if (penalty === 1 && presencePenalty === 0 && frequencyPenalty === 0) return false;
  return { penalty, presencePenalty, frequencyPenalty, lastTokens: sampling.maxTokens };
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

export async function generate(slot: Slot, request: GenerateRequest, signal: AbortSignal): Promise<GenerateResult> {
  const started = performance.now();
  let grammar: LlamaGrammar | undefined;
  try {
    grammar = request.jsonSchema ? await grammarFor(slot.model, request.jsonSchema) : undefined;
  } catch (error) {
    throw new XinglinError('GENERATION_FAILED', `无法按 JSON 结构约束生成：${errorText(error)}`);
  }
  const { sampling } = request;
  const { session, template } = slot;
  const { question, toItems, countTokens } = promptRenderer(slot, request);
  const plan = fitToContext({ history: request.history, contextSize: slot.contextSize, maxTokens: sampling.maxTokens, countTokens });

  let generatedTokens = 0;
  let firstTokenAt: number | null = null;
  let lastTokenAt = started;
  const stream = new TokenTextStream(slot.model, (chunk) => request.onText?.(chunk));
  // What was read: node-llama-cpp counts prompt tokens as input, except the last one, which (like
  // every generated token fed back) is counted as output because it yields logits.
  const meter = slot.sequence.tokenMeter;
  const inputBefore = meter.usedInputTokens;
  const outputBefore = meter.usedOutputTokens;
  const timings = (): Timings => {
    const durationMs = performance.now() - started;
    // Generation speed only: the first token also paid for reading the prompt, so count from it.
    const decodeMs = firstTokenAt === null ? 0 : lastTokenAt - firstTokenAt;
    const tokensPerSecond = generatedTokens > 1 && decodeMs > 0 ? ((generatedTokens - 1) * 1000) / decodeMs : 0;
    return { promptTokens: plan.promptTokens, generatedTokens, tokensPerSecond, durationMs };
  };
  const finish = (text: string, stopReason: string): GenerateResult => {
    const read = meter.usedInputTokens - inputBefore + (meter.usedOutputTokens > outputBefore ? 1 : 0);
    const reusedTokens = read > 0 ? Math.max(0, plan.promptTokens - read) : 0;
    return { text, stopped: stopReason === 'abort', stopReason, timings: timings(), template: template.name, droppedTurns: plan.droppedTurns, reusedTokens };
  };

  if (signal.aborted) return finish('', 'abort');
  session.setChatHistory(toItems(plan.history));
  request.onStarted?.(plan.promptTokens);
  try {
    const result = await session.promptWithMeta(question, {
      signal,
      stopOnAbortSignal: true,
      maxTokens: plan.maxReplyTokens,
      temperature: sampling.temperature,
      topK: sampling.topK,
      topP: sampling.topP,
      minP: sampling.minP ?? 0,
      seed: sampling.seed,
      repeatPenalty: repeatPenaltyOf(sampling),
      // The wrapper stops on its own triggers too; these make sure the answer ends before them.
      ...(template.stopTriggers.length > 0 ? { customStopTriggers: template.stopTriggers } : {}),
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
