/**
 * The local runtime owns every node-llama-cpp object of the process: one Llama, at most one base
 * model, and on it one context per variant in use (adapter set and size; context-pool.ts). The
 * base stays loaded while adapters, template and context size change per request or by
 * `useVariant`. All loading goes through it so that a model is never held twice, a load that would
 * not fit is refused before the loaded model is touched, a failed or replaced load frees what it
 * allocated, and every answer can say exactly which files, adapters, template and threads produced
 * it. Who may generate, and when, is the model queue's business (../model-queue.ts).
 */
import { getLlama, LlamaLogLevel, type Llama } from 'node-llama-cpp';
import { XinglinError, type AdapterRef, type FileRef, type HardwareReport, type ModelStatus, type ProfileRef, type TemplateChoice } from '../../../contract/index.js';
import { defaultSampling } from '../../config.js';
import { fitToContext } from '../context-fit.js';
import { inspectModel } from '../gguf/inspect.js';
import { ContextPool } from './context-pool.js';
import { generate, promptRenderer, sourcesBudget, stoppedBeforeStart, type GenerateRequest, type GenerateResult } from './generate.js';
import { chooseThreads, hardwareReport } from './hardware.js';
import { errorText, loadWeights, usesMmap, type LoadPlan, type LoadProgress } from './load.js';
import type { LoadedModel } from './loaded.js';
import { addBytes, checkLoadFits, modelMemory, NO_BYTES, vramState, type Bytes } from './memory.js';
import type { RuntimeOptions } from './options.js';
import { laneCount } from './lanes.js';
import { scoreOptions, scoringCancelled, type ScoreRequest } from './score.js';
import { capped, openSlot, promptTarget, templateFor, type Lane } from './slot.js';
import type { RuntimeVariant } from './variant.js';

export type { RuntimeOptions } from './options.js';

export interface LlmProvenance {
  model: FileRef;
  adapters: AdapterRef[];
  template: string;
  gpu: string;
  threads: number;
}

export interface LoadRequest {
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: LoadProgress) => void) | undefined;
  /** The profile being used, shown in the status. */
  profile?: ProfileRef | null | undefined;
  /** The default variant's context size (else the runtime's). */
  contextSize?: number | undefined;
  /** The default variant's template (else 'auto': the GGUF's own). */
  template?: TemplateChoice | undefined;
}

const DEFAULT_CONTEXT_SIZE = 4096;
const AUTO_TEMPLATE: TemplateChoice = { kind: 'auto' };

/** Rejection of a load that a newer load (or an unload) replaced before it finished. */
function superseded(file: string): XinglinError {
  return new XinglinError('CANCELLED', `模型 ${file} 的加载已取消：被新的加载或卸载请求取代`, { file, superseded: true });
}

const refsOf = (adapters: RuntimeVariant['adapters']): AdapterRef[] => adapters.map(({ file, sha256, sizeBytes, scale }) => ({ file, sha256, sizeBytes, scale }));

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
  /** VRAM as last asked (the status is synchronous; asking llama.cpp is not). */
  #vram: { total: number; free: number } | null = null;

  /** Loads, unloads and variant switches run one at a time, in call order. */
  #lifecycle: Promise<unknown> = Promise.resolve();
  /** Bumped by every load/unload; a load that sees a newer ticket gives way. */
  #ticket = 0;
  #loadAbort: AbortController | null = null;

  /** Answers and scorings in progress, each with the controller an unload or reload stops it by. */
  readonly #runs = new Set<{ run: Promise<unknown>; abort: AbortController }>();
  /** The sequences they hold ('chat', or a lane): one request at a time on each. */
  readonly #busy = new Set<string>();

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
        // down many times over) a small workstation: the measured rule of hardware.ts instead.
        this.#threads = chooseThreads(llama, this.#options.threads).threads;
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
    const variant = loaded?.defaultVariant;
    const target = loaded && variant ? promptTarget(loaded, variant) : null;
    return {
      state: this.#state,
      model: loaded && target ? { file: loaded.plan.model.file, sha256: loaded.plan.model.sha256, sizeBytes: loaded.plan.model.sizeBytes, architecture: loaded.plan.model.architecture, contextSize: target.contextSize, template: target.template.name } : null,
      adapters: variant ? refsOf(variant.adapters) : [],
      profile: loaded?.profile ?? null,
      gpu: loaded?.gpu ?? this.#backend,
      gpuLayers: loaded?.model.gpuLayers ?? 0,
      threads: this.#threads ?? this.#options.threads ?? 0,
      lastTokensPerSecond: this.#lastTokensPerSecond,
      memory: loaded ? modelMemory(loaded.model, { bytes: loaded.pool.bytes(), count: loaded.pool.size }, this.#vram) : null,
      error: this.#error ? { code: this.#error.code, message: this.#error.message } : null,
      reloadable: null,
    };
  }

  /** The default variant's provenance: the base, its adapters, template, device and threads. */
  provenance(): LlmProvenance {
    const loaded = this.#ready();
    const { file, sha256, sizeBytes } = loaded.plan.model;
    const template = templateFor(loaded, loaded.defaultVariant.template).name;
    return { model: { file, sha256, sizeBytes }, adapters: refsOf(loaded.defaultVariant.adapters), template, gpu: loaded.gpu, threads: this.#threads ?? 0 };
  }

  /** What this workstation has and what the runtime chooses on it (`xinglin doctor`). */
  async hardware(): Promise<HardwareReport> {
    const llama = await this.init();
    return hardwareReport(llama, { ...(this.#options.threads ? { threads: this.#options.threads } : {}), threadsFromUser: this.#options.threads !== undefined, gpu: this.#options.gpu ?? 'auto' });
  }

  /**
   * Loads a planned base model (files already inspected and checked, see `planLoad`) with its
   * adapters as the default variant, replacing whatever was loaded. A model that will not fit is
   * refused (MODEL_TOO_LARGE) while the loaded one is still in service, and it stays. An aborted
   * `signal` (a cancelled job) or a newer load/unload ends it CANCELLED.
   */
  load(plan: LoadPlan, request: LoadRequest = {}): Promise<ModelStatus> {
    const ticket = ++this.#ticket;
    this.#loadAbort?.abort();
    const abort = new AbortController();
    this.#loadAbort = abort;
    const signal = request.signal ? AbortSignal.any([request.signal, abort.signal]) : abort.signal;
    const file = plan.model.file;

    return this.#exclusive(async () => {
      try {
        if (ticket !== this.#ticket) throw superseded(file);
        const llama = await this.init();
        const contextSize = request.contextSize ?? this.#options.contextSize ?? DEFAULT_CONTEXT_SIZE;
        await checkLoadFits(llama, plan, { signal, contextSize, useMmap: usesMmap(llama, plan), held: this.#held(), limit: this.#options.memoryLimitBytes });
        signal.throwIfAborted();
        // From here on the loaded model is given up.
        this.#detach();
        this.#state = 'loading';
        this.#error = null;
        await this.#release();
        const loaded = await this.#open(llama, plan, { ...request, signal, contextSize });
        if (ticket !== this.#ticket) {
          await this.#dispose(loaded);
          throw superseded(file);
        }
        this.#loaded = loaded;
        this.#state = 'ready';
        await this.#refreshVram();
        return this.status();
      } catch (error) {
        if (ticket !== this.#ticket) throw superseded(file);
        // Refused or cancelled before the loaded model was given up: it answers on, as before.
        if (this.#loaded) {
          const typed = signal.aborted ? new XinglinError('CANCELLED', `已取消加载模型 ${file}`, { file }) : error instanceof XinglinError ? error : new XinglinError('MODEL_LOAD_FAILED', `无法加载模型 ${file}：${errorText(error)}`, { file });
          throw new XinglinError(typed.code, typed.message, { ...typed.details, kept: true });
        }
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

  /**
   * Makes a variant (adapters with scales, template, context size) the default on the loaded base,
   * without reloading it: its context is created now (or kept from earlier use), so a bad adapter
   * is refused here and the first answer starts at once.
   */
  useVariant(variant: RuntimeVariant, profile: ProfileRef | null): Promise<ModelStatus> {
    return this.#exclusive(async () => {
      const loaded = this.#ready();
      const slot = await openSlot(loaded, variant);
      loaded.pool.release(slot.entry);
      loaded.defaultVariant = capped(loaded, variant);
      loaded.profile = profile;
      await this.#refreshVram();
      return this.status();
    });
  }

  /** Stops any answer in progress and frees the model, its contexts and adapters. */
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
   * Throws PROMPT_TOO_LONG when the question alone (with its sources and room for a reply) cannot
   * fit the variant's context, so a caller can refuse it before saving anything. No model: nothing to check.
   */
  assertPromptFits(prompt: string, options: { system?: string | undefined; sources?: string | undefined; maxTokens?: number | undefined; variant?: RuntimeVariant | undefined } = {}): void {
    const loaded = this.#loaded;
    if (!loaded || this.#state !== 'ready') return;
    const target = promptTarget(loaded, options.variant ?? loaded.defaultVariant);
    const { countTokens } = promptRenderer(target, { prompt, system: options.system, sources: options.sources });
    fitToContext({ history: [], contextSize: target.contextSize, maxTokens: options.maxTokens ?? defaultSampling.maxTokens, countTokens });
  }

  /** A test of sources texts for this question: whether each, beside `system`, leaves the question and its answer room. */
  sourcesBudget(prompt: string, maxTokens: number, options: { system?: string | undefined; variant?: RuntimeVariant | undefined } = {}): (sources: string) => boolean {
    const loaded = this.#ready();
    return sourcesBudget(promptTarget(loaded, options.variant ?? loaded.defaultVariant), prompt, maxTokens, options.system);
  }

  /** The name provenance records for a template on the loaded model. */
  templateName(template: TemplateChoice): string {
    return templateFor(this.#ready(), template).name;
  }

  /**
   * One answer on the loaded model, with the request's variant, on its lane (absent: the chat
   * sequence); the model queue makes sure only its grant's holder asks.
   */
  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const result = await this.#occupy(request, (loaded, lane, signal) => this.#answer(loaded, request, lane, signal));
    if (result.timings.tokensPerSecond > 0) this.#lastTokensPerSecond = result.timings.tokensPerSecond;
    await this.#refreshVram();
    return result;
  }

  /** Each candidate's log-probability after the question and the answer's prefix (score.ts), on the request's lane. */
  async scoreOptions(request: ScoreRequest & { signal?: AbortSignal | undefined }): Promise<number[]> {
    return this.#occupy(request, async (loaded, lane, signal) => {
      const slot = await openSlot(loaded, request.variant ?? loaded.defaultVariant, { signal, lane }).catch((error: unknown) => {
        throw signal.aborted ? scoringCancelled() : error;
      });
      try {
        return await scoreOptions(slot, request, signal);
      } finally {
        loaded.pool.release(slot.entry);
      }
    });
  }

  /** How many requests the variant (absent: the default) answers at once, each on its own lane. */
  async maxParallel(variant?: RuntimeVariant): Promise<number> {
    const loaded = this.#ready();
    return laneCount(loaded, capped(loaded, variant ?? loaded.defaultVariant));
  }

  /** Throws NO_MODEL (or BUSY while one loads) unless a model is ready to answer. */
  assertReady(): void {
    this.#ready();
  }

  /**
   * Runs `work` on the sequence the request names, which takes one request at a time (BUSY
   * otherwise); an unload or reload stops it through its signal and waits for it.
   */
  #occupy<T>(request: { variant?: RuntimeVariant | undefined; lane?: number | undefined; signal?: AbortSignal | undefined }, work: (loaded: LoadedModel, lane: Lane | undefined, signal: AbortSignal) => Promise<T>): Promise<T> {
    const loaded = this.#ready();
    const abort = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, abort.signal]) : abort.signal;
    const run = (async () => {
      const lane = await this.#lane(loaded, request);
      const sequence = lane ? `lane ${lane.index}` : 'chat';
      if (this.#busy.has(sequence)) throw new XinglinError('BUSY', '模型正在回答上一个问题，请等待完成或先停止');
      this.#busy.add(sequence);
      try {
        return await work(loaded, lane, signal);
      } finally {
        this.#busy.delete(sequence);
      }
    })();
    const entry = { run, abort };
    this.#runs.add(entry);
    return run.finally(() => this.#runs.delete(entry));
  }

  /** The lane a request runs on; none without `lane`, or where the variant has one lane (its chat sequence). */
  async #lane(loaded: LoadedModel, request: { variant?: RuntimeVariant | undefined; lane?: number | undefined }): Promise<Lane | undefined> {
    const index = request.lane;
    if (index === undefined) return undefined;
    const count = await laneCount(loaded, capped(loaded, request.variant ?? loaded.defaultVariant));
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new XinglinError('INVALID_INPUT', `并行通道 ${index} 不存在：该模型同时只能回答 ${count} 个请求（通道 0 至 ${count - 1}）`, { lane: index, maxParallel: count });
    }
    return count > 1 ? { index, count } : undefined;
  }

  async #answer(loaded: LoadedModel, request: GenerateRequest, lane: Lane | undefined, signal: AbortSignal): Promise<GenerateResult> {
    const variant = request.variant ?? loaded.defaultVariant;
    let slot;
    try {
      slot = await openSlot(loaded, variant, { signal, lane });
    } catch (error) {
      // Stopped while its context was being made: an empty, stopped answer, as before any token.
      if (signal.aborted) return stoppedBeforeStart(templateFor(loaded, variant.template).name);
      throw error;
    }
    try {
      return await generate(slot, request, signal);
    } finally {
      loaded.pool.release(slot.entry);
    }
  }

  /** The weights, then the default variant's context: what `load` swaps in. */
  async #open(llama: Llama, plan: LoadPlan, request: LoadRequest & { signal: AbortSignal; contextSize: number }): Promise<LoadedModel> {
    const { signal, onProgress } = request;
    const inspection = await inspectModel(plan.model.path);
    const model = await loadWeights(llama, plan, { signal, onProgress });
    try {
      const loaded: LoadedModel = {
        model,
        plan,
        inspection,
        // planLoad checked the plan's own adapters against this base.
        checked: new Set(plan.adapters.map((adapter) => `${adapter.path}\u0000${adapter.sha256}`)),
        pool: new ContextPool(model, { threads: this.#threads, memoryLimitBytes: this.#options.memoryLimitBytes }),
        lanes: new Map(),
        templates: new Map(),
        gpu: llama.gpu !== false && model.gpuLayers > 0 ? String(llama.gpu) : 'cpu',
        defaultVariant: { adapters: plan.adapters, template: request.template ?? AUTO_TEMPLATE, contextSize: Math.min(request.contextSize, model.trainContextSize) },
        profile: request.profile ?? null,
      };
      signal.throwIfAborted();
      const slot = await openSlot(loaded, loaded.defaultVariant, { signal, onProgress });
      loaded.pool.release(slot.entry);
      return loaded;
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  /** What the loaded model holds: released before a new one loads, so it counts as available to it. */
  #held(): Bytes {
    const loaded = this.#loaded;
    return loaded ? addBytes(loaded.model.memoryUsage, loaded.pool.bytes()) : NO_BYTES;
  }

  async #refreshVram(): Promise<void> {
    const llama = await this.#llama?.catch(() => null);
    this.#vram = llama ? await vramState(llama) : null;
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
   * answers in progress; the model is freed later, in order, by `#release`.
   */
  #detach(): void {
    for (const { abort } of this.#runs) abort.abort();
    if (this.#loaded) this.#retired.push(this.#loaded);
    this.#loaded = null;
  }

  /** Waits for stopped answers to finish, then frees detached models (contexts and adapters with them). */
  async #release(): Promise<void> {
    await Promise.allSettled([...this.#runs].map(({ run }) => run));
    for (const loaded of this.#retired.splice(0)) await this.#dispose(loaded);
  }

  async #dispose(loaded: LoadedModel): Promise<void> {
    await loaded.pool.disposeAll();
    await loaded.model.dispose();
  }
}
