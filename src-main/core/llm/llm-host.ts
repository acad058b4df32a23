/**
 * LlmHost owns every node-llama-cpp object of the main process: one Llama, and at most one
 * model with one context, one sequence and one chat session. All loading goes through it so
 * that a model is never held twice, a failed or replaced load frees what it allocated, and
 * every answer can say exactly which files, adapters, template and threads produced it.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import {
  getLlama,
  InsufficientMemoryError,
  LlamaChatSession,
  LlamaLogLevel,
  resolveChatWrapper,
  type ChatHistoryItem,
  type ChatWrapper,
  type Llama,
  type LlamaContext,
  type LlamaModel,
} from 'node-llama-cpp';
import type { AdapterRef, EventPayload, FileRef, ModelStatus, Sampling, Timings } from '../../contract/index.js';
import { XinglinError } from '../../contract/index.js';
import { defaultSampling } from '../config.js';
import { TokenTextStream } from './text-stream.js';
import { fitToContext, type ChatTurn } from './context-fit.js';
import { sha256File } from './file-hash.js';
import { isCpuRepackedType } from './ggml-types.js';
import { checkAdapterFits, inspectAdapter, inspectModel, type GgufInspection } from './gguf-inspect.js';

export type LoadProgress = EventPayload<'models.progress'>;

export interface LlmHostOptions {
  /** CPU threads for inference; defaults to the physical core count (llama.cpp's math cores). */
  threads?: number;
  /** 'auto' uses a GPU when a usable backend is found; false forces the CPU. */
  gpu?: 'auto' | false;
  /** Context window in tokens; capped by the model's trained context. Defaults to 4096. */
  contextSize?: number;
  onProgress?: (progress: LoadProgress) => void;
}

export interface AdapterChoice {
  path: string;
  scale: number;
}

export interface GenerateRequest {
  /** Earlier turns of the session, oldest first; the oldest are dropped when they do not fit. */
  history: readonly ChatTurn[];
  prompt: string;
  /** Instructions for the model (the caller's prompt template); none when absent. */
  system?: string;
  sampling: Sampling;
  signal?: AbortSignal;
  onText?: (chunk: string) => void;
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

export interface LlmProvenance {
  model: FileRef;
  adapters: AdapterRef[];
  template: string;
  gpu: string;
  threads: number;
}

type LoadedModel = {
  model: LlamaModel;
  context: LlamaContext;
  session: LlamaChatSession;
  modelRef: FileRef & { architecture: string; contextSize: number; template: string };
  adapters: AdapterRef[];
  template: string;
  gpu: string;
};

const DEFAULT_CONTEXT_SIZE = 4096;

/** Rejection of a load that a newer load (or an unload) replaced before it finished. */
function superseded(file: string): XinglinError {
  return new XinglinError('MODEL_LOAD_FAILED', `模型 ${file} 的加载已取消：被新的加载或卸载请求取代`, { file, superseded: true });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The name recorded in provenance: the wrapper, plus which Jinja template when it is a raw one. */
function templateName(wrapper: ChatWrapper, jinja: string | null): string {
  if (wrapper.wrapperName === 'JinjaTemplate' && jinja) {
    return `JinjaTemplate(sha256:${createHash('sha256').update(jinja).digest('hex').slice(0, 12)})`;
  }
  return wrapper.wrapperName;
}

export class LlmHost {
  readonly #options: LlmHostOptions;
  #llama: Promise<Llama> | null = null;
  #threads: number | null = null;
  /** 'cpu' or the GPU backend llama.cpp started with; a loaded model may still run on the CPU. */
  #backend = 'cpu';

  #state: ModelStatus['state'] = 'none';
  #error: XinglinError | null = null;
  #loaded: LoadedModel | null = null;
  /** Models replaced or unloaded but not yet freed. */
  #retired: LoadedModel[] = [];
  #lastTokensPerSecond: number | null = null;

  /** Loads and unloads run one at a time, in call order. */
  #lifecycle: Promise<unknown> = Promise.resolve();
  /** Bumped by every load/unload; a load that sees a newer ticket gives way. */
  #ticket = 0;
  #loadAbort: AbortController | null = null;

  #generation: Promise<unknown> | null = null;
  #generationAbort: AbortController | null = null;

  constructor(options: LlmHostOptions = {}) {
    this.#options = options;
  }

  /** Starts llama.cpp (no model). Loading calls it; call it early to have `status()` show threads and GPU. */
  async init(): Promise<Llama> {
    this.#llama ??= (async () => {
      try {
        const llama = await getLlama({
          build: 'never',
          gpu: this.#options.gpu ?? 'auto',
          ...(this.#options.threads ? { maxThreads: this.#options.threads } : {}),
          logLevel: LlamaLogLevel.warn,
        });
        // node-llama-cpp's own default is at least 4 threads, which oversubscribes (and slows
        // down many times over) a 2-core workstation: use the physical cores.
        this.#threads = this.#options.threads ?? llama.cpuMathCores;
        llama.maxThreads = this.#threads;
        this.#backend = llama.gpu === false ? 'cpu' : llama.gpu;
        return llama;
      } catch (error) {
        this.#llama = null;
        throw new XinglinError('MODEL_LOAD_FAILED', `无法启动本地推理引擎 llama.cpp：${errorText(error)}`);
      }
    })();
    return this.#llama;
  }

  status(): ModelStatus {
    const loaded = this.#loaded;
    return {
      state: this.#state,
      model: loaded ? { ...loaded.modelRef } : null,
      adapters: loaded ? loaded.adapters.map((adapter) => ({ ...adapter })) : [],
      gpu: loaded?.gpu ?? this.#backend,
      threads: this.#threads ?? this.#options.threads ?? 0,
      lastTokensPerSecond: this.#lastTokensPerSecond,
      error: this.#error ? { code: this.#error.code, message: this.#error.message } : null,
    };
  }

  provenance(): LlmProvenance {
    const loaded = this.#loaded;
    if (!loaded || this.#state !== 'ready') throw new XinglinError('NO_MODEL', '尚未加载模型');
    const { file, sha256, sizeBytes } = loaded.modelRef;
    return {
      model: { file, sha256, sizeBytes },
      adapters: loaded.adapters.map((adapter) => ({ ...adapter })),
      template: loaded.template,
      gpu: loaded.gpu,
      threads: this.#threads ?? 0,
    };
  }

  /**
   * Loads a base model with LoRA adapters, replacing whatever was loaded. Every file is
   * inspected and every adapter checked against the base before llama.cpp sees any of them.
   */
  load(modelPath: string, adapters: readonly AdapterChoice[] = []): Promise<ModelStatus> {
    const ticket = ++this.#ticket;
    this.#loadAbort?.abort();
    this.#detach();
    const abort = new AbortController();
    this.#loadAbort = abort;
    this.#state = 'loading';
    this.#error = null;
    const file = path.basename(modelPath);

    return this.#exclusive(async () => {
      if (ticket !== this.#ticket) throw superseded(file);
      await this.#release();
      this.#state = 'loading';
      try {
        const loaded = await this.#loadModel(modelPath, adapters, abort.signal);
        if (ticket !== this.#ticket) {
          await loaded.model.dispose();
          throw superseded(file);
        }
        this.#loaded = loaded;
        this.#state = 'ready';
        return this.status();
      } catch (error) {
        if (ticket !== this.#ticket) throw superseded(file);
        const typed = error instanceof XinglinError ? error : new XinglinError('MODEL_LOAD_FAILED', `无法加载模型 ${file}：${errorText(error)}`, { file });
        this.#state = 'error';
        this.#error = typed;
        throw typed;
      } finally {
        if (this.#loadAbort === abort) this.#loadAbort = null;
      }
    });
  }

  /** Stops any answer in progress and frees the model, context and adapters. */
  unload(): Promise<ModelStatus> {
    ++this.#ticket;
    this.#loadAbort?.abort();
    this.#detach();
    this.#state = 'none';
    this.#error = null;
    return this.#exclusive(async () => {
      await this.#release();
      this.#state = 'none';
      this.#error = null;
      return this.status();
    });
  }

  /** Unloads and shuts llama.cpp down (app exit); a later load would start it again. */
  async close(): Promise<void> {
    await this.unload();
    const llama = this.#llama;
    this.#llama = null;
    if (llama) await (await llama.catch(() => null))?.dispose();
  }

  /**
   * Throws PROMPT_TOO_LONG when the question alone (with room for a reply) cannot fit the loaded
   * model's context, so a caller can refuse it before saving anything. No model: nothing to check.
   */
  assertPromptFits(prompt: string, options: { system?: string; maxTokens?: number } = {}): void {
    const loaded = this.#loaded;
    if (!loaded || this.#state !== 'ready') return;
    const { countTokens } = this.#renderer(loaded, prompt, options.system);
    fitToContext({ history: [], contextSize: loaded.context.contextSize, maxTokens: options.maxTokens ?? defaultSampling.maxTokens, countTokens });
  }

  /** Whether the question (with this system text and room for a reply) fits the loaded model's context. */
  promptFits(prompt: string, options: { system?: string; maxTokens?: number } = {}): boolean {
    try {
      this.assertPromptFits(prompt, options);
      return true;
    } catch (error) {
      if (error instanceof XinglinError && error.code === 'PROMPT_TOO_LONG') return false;
      throw error;
    }
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    if (this.#generation) throw new XinglinError('BUSY', '模型正在回答上一个问题，请等待完成或先停止');
    if (this.#state === 'loading') throw new XinglinError('BUSY', '模型正在加载，请稍候');
    const loaded = this.#loaded;
    if (!loaded || this.#state !== 'ready') throw new XinglinError('NO_MODEL', '尚未加载模型，请先在“模型”页加载一个模型');

    const abort = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, abort.signal]) : abort.signal;
    this.#generationAbort = abort;
    const run = this.#generate(loaded, request, signal);
    this.#generation = run;
    try {
      return await run;
    } finally {
      this.#generation = null;
      if (this.#generationAbort === abort) this.#generationAbort = null;
    }
  }

  async #generate(loaded: LoadedModel, request: GenerateRequest, signal: AbortSignal): Promise<GenerateResult> {
    const started = performance.now();
    const { sampling } = request;
    const { session } = loaded;
    const { toItems, countTokens } = this.#renderer(loaded, request.prompt, request.system);
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
    const finish = (text: string, stopReason: string): GenerateResult => {
      const result = { text, stopped: stopReason === 'abort', stopReason, timings: timings(), template: loaded.template, droppedTurns: plan.droppedTurns };
      if (result.timings.tokensPerSecond > 0) this.#lastTokensPerSecond = result.timings.tokensPerSecond;
      return result;
    };

    if (signal.aborted) return finish('', 'abort');
    session.setChatHistory(toItems(plan.history));
    try {
      const result = await session.promptWithMeta(request.prompt, {
        signal,
        stopOnAbortSignal: true,
        maxTokens: plan.maxReplyTokens,
        temperature: sampling.temperature,
        topK: sampling.topK,
        topP: sampling.topP,
        seed: sampling.seed,
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

  /** Turns Xinglin turns into node-llama-cpp history, and counts the tokens the model would read. */
  #renderer(loaded: LoadedModel, prompt: string, system: string | undefined) {
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

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#lifecycle.then(task, task);
    this.#lifecycle = run.catch(() => undefined);
    return run;
  }

  /**
   * Takes the loaded model out of service at once (no new answer can start on it) and stops the
   * answer in progress; the model is freed later, in order, by `#release`.
   */
  #detach(): void {
    this.#generationAbort?.abort();
    if (this.#loaded) this.#retired.push(this.#loaded);
    this.#loaded = null;
  }

  /** Waits for a stopped answer to finish, then frees detached models (contexts and adapters with them). */
  async #release(): Promise<void> {
    await this.#generation?.catch(() => undefined);
    for (const loaded of this.#retired.splice(0)) {
      loaded.session.dispose();
      await loaded.model.dispose();
    }
  }

  /**
   * Progress of one phase for one file, as the UI wants it: starts at 0, only moves forward, and
   * reaches 1 exactly once, when the step is really done. (node-llama-cpp relays llama.cpp's load
   * percentages asynchronously, so for a small file they can arrive after the load resolved; its
   * LoRA callback reports only 1.)
   */
  #track(phase: LoadProgress['phase'], file: string): { report(progress: number): void; done(): void } {
    const emit = (progress: number) => this.#options.onProgress?.({ phase, file, progress });
    let last = 0;
    let finished = false;
    emit(0);
    return {
      report: (progress) => {
        if (finished || !(progress > last) || progress >= 1) return;
        last = progress;
        emit(progress);
      },
      done: () => {
        if (finished) return;
        finished = true;
        emit(1);
      },
    };
  }

  async #loadModel(modelPath: string, choices: readonly AdapterChoice[], signal: AbortSignal): Promise<LoadedModel> {
    // 1. Inspect everything before llama.cpp sees it: its own errors are vague or fatal.
    const base = await inspectModel(modelPath);
    const adapters: Array<{ info: GgufInspection; scale: number }> = [];
    for (const choice of choices) {
      if (!Number.isFinite(choice.scale)) {
        throw new XinglinError('INVALID_INPUT', `适配器 ${path.basename(choice.path)} 的权重系数无效：${choice.scale}`, { file: path.basename(choice.path) });
      }
      const info = await inspectAdapter(choice.path);
      checkAdapterFits(base, info);
      adapters.push({ info, scale: choice.scale });
    }
    signal.throwIfAborted();

    // 2. Digests for provenance (remembered, so a reload does not rehash).
    const hashOf = async (info: GgufInspection) => {
      const track = this.#track('hash', info.file);
      const digest = await sha256File(info.path, { signal, onProgress: (p) => track.report(p) });
      track.done();
      return digest;
    };
    const digest = await hashOf(base);
    const adapterRefs: AdapterRef[] = [];
    for (const { info, scale } of adapters) {
      const d = await hashOf(info);
      adapterRefs.push({ file: info.file, sha256: d.sha256, sizeBytes: d.sizeBytes, scale });
    }

    // 3. The weights.
    const llama = await this.init();
    signal.throwIfAborted();
    const cpuOnly = llama.gpu === false;
    // On the CPU, quantised weights are repacked into a second buffer; with mmap the mapped file
    // pages stay resident too, i.e. the model is held twice. Read such files instead of mapping.
    const repacked = cpuOnly && base.tensors.some((tensor) => isCpuRepackedType(tensor.ggmlType));
    const useMmap = llama.supportsMmap && !repacked;
    const modelProgress = this.#track('model', base.file);
    let model: LlamaModel;
    try {
      model = await llama.loadModel({
        modelPath: base.path,
        useMmap,
        gpuLayers: cpuOnly ? 0 : 'auto',
        loadSignal: signal,
        onLoadProgress: (p) => modelProgress.report(p),
      });
    } catch (error) {
      signal.throwIfAborted();
      const cause = error instanceof InsufficientMemoryError ? '内存不足' : errorText(error);
      throw new XinglinError('MODEL_LOAD_FAILED', `llama.cpp 无法加载模型 ${base.file}：${cause}`, { file: base.file });
    }
    modelProgress.done();

    try {
      signal.throwIfAborted();
      // 4. Context with the adapters applied, and a chat session using the model's own template.
      const contextSize = Math.min(this.#options.contextSize ?? DEFAULT_CONTEXT_SIZE, model.trainContextSize);
      const adapterNames = adapterRefs.map((ref) => ref.file).join('、');
      const adapterProgress = adapters.length > 0 ? this.#track('adapters', adapterNames) : null;
      const contextProgress = this.#track('context', base.file);
      let context: LlamaContext;
      try {
        context = await model.createContext({
          contextSize,
          sequences: 1,
          threads: this.#threads ?? undefined,
          createSignal: signal,
          failedCreationRemedy: false,
          ...(adapters.length > 0
            ? {
                lora: {
                  adapters: adapters.map(({ info, scale }) => ({ filePath: info.path, scale })),
                  onLoadProgress: (p: number) => (p >= 1 ? adapterProgress?.done() : adapterProgress?.report(p)),
                },
              }
            : {}),
        });
      } catch (error) {
        signal.throwIfAborted();
        const cause = error instanceof InsufficientMemoryError ? '内存不足' : errorText(error);
        if (adapters.length > 0 && /lora|adapter/i.test(cause)) {
          throw new XinglinError('ADAPTER_MISMATCH', `llama.cpp 无法应用适配器 ${adapterNames}：${cause}`, { file: adapterNames });
        }
        throw new XinglinError('MODEL_LOAD_FAILED', `无法为模型 ${base.file} 创建上下文（${contextSize} 词元）：${cause}`, { file: base.file, contextSize });
      }
      adapterProgress?.done();
      contextProgress.done();

      const chatWrapper = resolveChatWrapper(model);
      const template = templateName(chatWrapper, base.chatTemplate);
      const session = new LlamaChatSession({ contextSequence: context.getSequence(), chatWrapper });
      return {
        model,
        context,
        session,
        modelRef: { file: base.file, sha256: digest.sha256, sizeBytes: digest.sizeBytes, architecture: base.architecture, contextSize: context.contextSize, template },
        adapters: adapterRefs,
        template,
        gpu: !cpuOnly && model.gpuLayers > 0 ? String(llama.gpu) : 'cpu',
      };
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }
}
