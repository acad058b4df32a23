/**
 * The local runtime owns every node-llama-cpp object of the process: one Llama, and at most one
 * model with one context, one sequence and one chat session. All loading goes through it so that
 * a model is never held twice, a failed or replaced load frees what it allocated, and every answer
 * can say exactly which files, adapters, template and threads produced it. Who may generate, and
 * when, is the model queue's business (../model-queue.ts).
 */
import { getLlama, LlamaLogLevel, type Llama } from 'node-llama-cpp';
import { XinglinError, type AdapterRef, type FileRef, type ModelStatus } from '../../../contract/index.js';
import { defaultSampling } from '../../config.js';
import { fitToContext } from '../context-fit.js';
import { generate, promptRenderer, systemBudget, type GenerateRequest, type GenerateResult } from './generate.js';
import { disposeModel, errorText, loadModel, type LoadedModel, type LoadPlan, type LoadProgress } from './load.js';
import type { RuntimeOptions } from './options.js';

export type { RuntimeOptions } from './options.js';


export interface LlmProvenance {
  model: FileRef;
  adapters: AdapterRef[];
  template: string;
  gpu: string;
  threads: number;
}

const DEFAULT_CONTEXT_SIZE = 4096;

/** Rejection of a load that a newer load (or an unload) replaced before it finished. */
function superseded(file: string): XinglinError {
  return new XinglinError('CANCELLED', `模型 ${file} 的加载已取消：被新的加载或卸载请求取代`, { file, superseded: true });
}

export class LocalRuntime {
  readonly #options: RuntimeOptions;
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

  constructor(options: RuntimeOptions = {}) {
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
      reloadable: null,
    };
  }

  provenance(): LlmProvenance {
    const loaded = this.#ready();
    const { file, sha256, sizeBytes } = loaded.modelRef;
    return { model: { file, sha256, sizeBytes }, adapters: loaded.adapters.map((adapter) => ({ ...adapter })), template: loaded.template, gpu: loaded.gpu, threads: this.#threads ?? 0 };
  }

  /**
   * Loads a planned base model with LoRA adapters (files already inspected and checked, see
   * `planLoad`), replacing whatever was loaded. An aborted `signal` (a cancelled job) or a newer
   * load/unload ends it CANCELLED.
   */
  load(plan: LoadPlan, options: { signal?: AbortSignal; onProgress?: (progress: LoadProgress) => void } = {}): Promise<ModelStatus> {
    const ticket = ++this.#ticket;
    this.#loadAbort?.abort();
    this.#detach();
    const abort = new AbortController();
    this.#loadAbort = abort;
    const signal = options.signal ? AbortSignal.any([options.signal, abort.signal]) : abort.signal;
    this.#state = 'loading';
    this.#error = null;
    const file = plan.model.file;

    return this.#exclusive(async () => {
      if (ticket !== this.#ticket) throw superseded(file);
      await this.#release();
      this.#state = 'loading';
      try {
        const llama = await this.init();
        const loaded = await loadModel(llama, plan, { signal, contextSize: this.#options.contextSize ?? DEFAULT_CONTEXT_SIZE, threads: this.#threads, onProgress: options.onProgress });
        if (ticket !== this.#ticket) {
          await disposeModel(loaded);
          throw superseded(file);
        }
        this.#loaded = loaded;
        this.#state = 'ready';
        return this.status();
      } catch (error) {
        if (ticket !== this.#ticket) throw superseded(file);
        if (signal.aborted) {
          // Cancelled by the doctor: back to no model, as before a load was asked for.
          this.#state = 'none';
          throw new XinglinError('CANCELLED', `已取消加载模型 ${file}`, { file });
        }
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
    const { countTokens } = promptRenderer(loaded, prompt, options.system);
    fitToContext({ history: [], contextSize: loaded.context.contextSize, maxTokens: options.maxTokens ?? defaultSampling.maxTokens, countTokens });
  }

  /** A test of system texts for this question: whether each leaves the question and its answer room. */
  systemBudget(prompt: string, maxTokens: number): (system: string) => boolean {
    return systemBudget(this.#ready(), prompt, maxTokens);
  }

  /** One answer on the loaded model; the model queue makes sure only one runs. */
  async generate(request: GenerateRequest): Promise<GenerateResult> {
    if (this.#generation) throw new XinglinError('BUSY', '模型正在回答上一个问题，请等待完成或先停止');
    const loaded = this.#ready();
    const abort = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, abort.signal]) : abort.signal;
    this.#generationAbort = abort;
    const run = generate(loaded, request, signal);
    this.#generation = run;
    try {
      const result = await run;
      if (result.timings.tokensPerSecond > 0) this.#lastTokensPerSecond = result.timings.tokensPerSecond;
      return result;
    } finally {
      this.#generation = null;
      if (this.#generationAbort === abort) this.#generationAbort = null;
    }
  }

  /** Throws NO_MODEL (or BUSY while one loads) unless a model is ready to answer. */
  assertReady(): void {
    this.#ready();
  }

  #ready(): LoadedModel {
    if (this.#state === 'loading') throw new XinglinError('BUSY', '模型正在加载，请稍候');
    const loaded = this.#loaded;
    if (!loaded || this.#state !== 'ready') throw new XinglinError('NO_MODEL', '尚未加载模型，请先在“模型”页加载一个模型');
    return loaded;
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
    for (const loaded of this.#retired.splice(0)) await disposeModel(loaded);
  }
}
