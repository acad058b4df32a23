/**
 * The app's side of the model process: the same runtime the rest of the core used in-process
 * (load, generate, status), with llama.cpp in a process of its own. A native abort, an
 * out-of-memory kill or a hang ends that process, never the app: what was running fails with
 * RUNTIME_CRASHED naming the cause, a fresh process starts without a model, and the status
 * offers the model for reloading — nothing loads it again by itself.
 */
import { XinglinError, type HardwareReport, type ModelStatus, type ProfileRef, type TemplateChoice } from '../../../contract/index.js';
import type { Logger } from '../../log.js';
import type { LlmProvenance, RuntimeOptions } from '../runtime/runtime.js';
import type { GenerateRequest, GenerateResult } from '../runtime/generate.js';
import type { LoadPlan, LoadProgress } from '../runtime/load.js';
import type { ScoreRequest } from '../runtime/score.js';
import { contextKey, type RuntimeVariant } from '../runtime/variant.js';
import { exitCause } from './exit-cause.js';
import type { RuntimeCalls, RuntimeOp } from './protocol.js';
import type { RuntimeExit, RuntimeProcess, SpawnRuntime } from './spawn.js';

export interface RuntimeClientOptions extends RuntimeOptions {
  spawn: SpawnRuntime;
  log: Logger;
  /** Silence from the model process for this long while it answers is a hang (default 60 s). */
  hangMs?: number;
  /** Called with every new status: loading, loaded, unloaded, a variant switched, after an answer, a crash. */
  onStatus?: (status: ModelStatus) => void;
}

export interface LoadOptions {
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: LoadProgress) => void) | undefined;
  /** The profile being used (shown in the status), null or absent: none. */
  profile?: ProfileRef | null | undefined;
  /** The default variant's context size (else the runtime's). */
  contextSize?: number | undefined;
  /** The default variant's template (else 'auto'). */
  template?: TemplateChoice | undefined;
}

type LoadCall = RuntimeCalls['load']['params'];

/** What is loaded: how it was loaded, and the default variant now (a `useVariant` may have changed it). */
interface Loaded {
  call: LoadCall;
  variant: RuntimeVariant;
  profile: ProfileRef | null;
}

const DEFAULT_HANG_MS = 60_000;
/** Reading the prompt comes before the first token: allow this much per prompt token on a slow CPU. */
const PROMPT_MS_PER_TOKEN = 50;
/**
 * Starting llama.cpp and loading a model can be silent for long on a slow disk or a big context:
 * only an answer is held to the hang limit, the rest gets this long.
 */
const SLOW_STEP_MS = 5 * 60_000;
const WATCH_INTERVAL_MS = 250;

interface Hooks {
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: LoadProgress) => void) | undefined;
  onText?: ((text: string) => void) | undefined;
  onStarted?: ((promptTokens: number) => void) | undefined;
}

interface Pending extends Hooks {
  op: RuntimeOp;
  resolve(value: unknown): void;
  reject(error: XinglinError): void;
  /** The last sign of life for this request, and how long silence may last before it is a hang. */
  lastSign: number;
  allowanceMs: number;
}

interface Worker {
  process: RuntimeProcess;
  /** Resolves when llama.cpp has started in it. */
  ready: Promise<void>;
  started: boolean;
  /** Set when the app ends it on purpose (close) or for a hang. */
  stopping: 'close' | { hungForMs: number } | null;
  exited: Promise<void>;
}

function superseded(file: string): XinglinError {
  return new XinglinError('CANCELLED', `模型 ${file} 的加载已取消：被新的加载或卸载请求取代`, { file, superseded: true });
}

/** The model and adapters to offer for reloading, by their names in the models folder. */
function namesOf(plan: LoadPlan, variant: Pick<RuntimeVariant, 'adapters'>): NonNullable<ModelStatus['reloadable']> {
  return { model: plan.model.file, adapters: variant.adapters.map(({ file, scale }) => ({ file, scale })) };
}

/** The default variant a load call gives (the model process caps its context size to the model's). */
function variantOf(call: LoadCall, status: ModelStatus): RuntimeVariant {
  return { adapters: call.plan.adapters, template: call.template ?? { kind: 'auto' }, contextSize: status.model?.contextSize ?? call.contextSize ?? 0 };
}

export class RuntimeClient {
  readonly #spawn: SpawnRuntime;
  readonly #log: Logger;
  readonly #onStatus: ((status: ModelStatus) => void) | undefined;
  /** What the model process starts llama.cpp with. */
  readonly #runtimeOptions: RuntimeOptions;
  readonly #hangMs: number;
  #worker: Worker | null = null;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #watchdog: NodeJS.Timeout | null = null;
  #closed = false;

  #status: ModelStatus;
  /** What is loaded, and what is being loaded: a crash names the model it was running. */
  #current: Loaded | null = null;
  #loading: LoadPlan | null = null;
  #lifecycle: Promise<unknown> = Promise.resolve();
  #ticket = 0;
  #loadAbort: AbortController | null = null;

  constructor(options: RuntimeClientOptions) {
    const { spawn, log, hangMs, onStatus, ...runtimeOptions } = options;
    this.#spawn = spawn;
    this.#log = log;
    this.#onStatus = onStatus;
    this.#runtimeOptions = runtimeOptions;
    this.#hangMs = hangMs ?? DEFAULT_HANG_MS;
    this.#status = { state: 'none', model: null, adapters: [], profile: null, gpu: 'cpu', gpuLayers: 0, threads: options.threads ?? 0, lastTokensPerSecond: null, memory: null, error: null, reloadable: null };
  }

  status(): ModelStatus {
    return structuredClone(this.#status);
  }

  /** The model process's pid, while one runs (for diagnosis and the crash tests). */
  get processId(): number | undefined {
    return this.#worker?.process.pid;
  }

  /** The plan of the loaded base (its files checked and hashed); null without a ready model. */
  loadedPlan(): LoadPlan | null {
    return this.#status.state === 'ready' ? (this.#current?.call.plan ?? null) : null;
  }

  /** The default variant's provenance: the base, its adapters, template, device and threads. */
  provenance(): LlmProvenance {
    const { call, variant } = this.#ready();
    const { file, sha256, sizeBytes } = call.plan.model;
    return {
      model: { file, sha256, sizeBytes },
      adapters: variant.adapters.map(({ file: name, sha256: digest, sizeBytes: size, scale }) => ({ file: name, sha256: digest, sizeBytes: size, scale })),
      template: this.#status.model?.template ?? '',
      gpu: this.#status.gpu,
      threads: this.#status.threads,
    };
  }

  /** What this workstation has and what the runtime chooses on it; starts the model process if needed. */
  hardware(): Promise<HardwareReport> {
    return this.#call('hardware', {});
  }

  /**
   * Loads a planned model (see `planLoad`), replacing the loaded one. A model that will not fit
   * is refused (MODEL_TOO_LARGE) before the loaded one is released, and that one answers on. When
   * the new one fails to load later — llama.cpp refuses it, the process dies on it, or it is
   * cancelled — the model that was loaded before is loaded again, so the doctor keeps a working
   * model. A newer load or an unload supersedes this one (CANCELLED).
   */
  load(plan: LoadPlan, options: LoadOptions = {}): Promise<ModelStatus> {
    const ticket = ++this.#ticket;
    this.#loadAbort?.abort();
    const abort = new AbortController();
    this.#loadAbort = abort;
    const signal = options.signal ? AbortSignal.any([options.signal, abort.signal]) : abort.signal;
    const call: LoadCall = {
      plan,
      profile: options.profile ?? null,
      ...(options.contextSize !== undefined ? { contextSize: options.contextSize } : {}),
      ...(options.template ? { template: options.template } : {}),
    };
    return this.#exclusive(async () => {
      if (ticket !== this.#ticket) throw superseded(plan.model.file);
      const previous = this.#current;
      const before = this.#status;
      this.#loading = plan;
      this.#setStatus({ ...this.#status, state: 'loading', error: null, reloadable: null });
      try {
        const status = await this.#call('load', call, { signal, onProgress: options.onProgress });
        this.#loaded({ call, variant: variantOf(call, status), profile: call.profile }, status);
        return this.status();
      } catch (cause) {
        const error = cause instanceof XinglinError ? cause : new XinglinError('MODEL_LOAD_FAILED', String(cause));
        if (ticket !== this.#ticket) throw superseded(plan.model.file);
        if (previous && error.details?.kept === true) {
          // Refused (or cancelled) before the loaded model was released: it is still there, answering.
          this.#setStatus(before);
          throw error;
        }
        this.#current = null;
        if (error.code !== 'RUNTIME_CRASHED') {
          this.#setStatus({ ...this.#status, state: error.code === 'CANCELLED' ? 'none' : 'error', model: null, adapters: [], profile: null, gpuLayers: 0, memory: null, error: error.code === 'CANCELLED' ? null : error.toWire() });
        }
        if (previous && previous.call.plan !== plan) await this.#restore(previous);
        throw error;
      } finally {
        this.#loading = null;
        if (this.#loadAbort === abort) this.#loadAbort = null;
      }
    });
  }

  /**
   * Makes a variant (adapters with scales, template, context size) the default on the loaded base,
   * without reloading it; the status shows its adapters and the profile.
   */
  useVariant(variant: RuntimeVariant, profile: ProfileRef | null): Promise<ModelStatus> {
    return this.#exclusive(async () => {
      const current = this.#ready();
      const status = await this.#call('useVariant', { variant, profile });
      this.#loaded({ call: current.call, variant, profile }, status);
      return this.status();
    });
  }

  /** Stops any answer in progress and frees the model (the process stays, ready for the next load). */
  unload(): Promise<ModelStatus> {
    ++this.#ticket;
    this.#loadAbort?.abort();
    return this.#exclusive(async () => {
      if (this.#worker) await this.#call('unload', {});
      this.#current = null;
      this.#setStatus({ ...this.#status, state: 'none', model: null, adapters: [], profile: null, gpuLayers: 0, memory: null, error: null, reloadable: null });
      return this.status();
    });
  }

  /** Ends the model process (app exit); a later load would start a new one. */
  async close(): Promise<void> {
    this.#closed = true;
    ++this.#ticket;
    this.#loadAbort?.abort();
    await this.#exclusive(async () => {
      const worker = this.#worker;
      if (!worker) return;
      worker.stopping = 'close';
      worker.process.kill();
      await worker.exited;
    });
  }

  /**
   * Throws PROMPT_TOO_LONG when the question alone (with its sources and room for a reply) cannot
   * fit the variant's context (absent: the default's); no model: nothing to check.
   */
  async assertPromptFits(prompt: string, options: { system?: string; sources?: string; maxTokens?: number; variant?: RuntimeVariant } = {}): Promise<void> {
    if (this.#status.state !== 'ready') return;
    await this.#call('assertPromptFits', { prompt, ...options });
  }

  /**
   * A test of sources texts for this question (the knowledge base's numbered sources, read right
   * before it): whether each, beside the fixed `system` text, leaves the question and its answer room.
   */
  systemBudget(prompt: string, maxTokens: number, options: { system?: string; variant?: RuntimeVariant } = {}): (sources: string) => Promise<boolean> {
    this.#ready();
    return (sources) => this.#call('sourcesFit', { prompt, maxTokens, ...options, sources });
  }

  /** The name provenance records for a template on the loaded model (checks that it can be used). */
  templateName(template: TemplateChoice): Promise<string> {
    this.#ready();
    return this.#call('templateName', { template });
  }

  /**
   * One answer on the loaded model, with the request's variant (absent: the default), on its lane
   * (absent: the chat sequence); answers on different lanes run at once.
   */
  async generate(request: GenerateRequest): Promise<GenerateResult> {
    this.#ready();
    const { signal, onText, onStarted, ...params } = request;
    const { result, memory } = await this.#call('generate', params, { signal, onText, onStarted });
    const tokensPerSecond = result.timings.tokensPerSecond > 0 ? result.timings.tokensPerSecond : this.#status.lastTokensPerSecond;
    if (this.#status.state === 'ready') this.#setStatus({ ...this.#status, lastTokensPerSecond: tokensPerSecond, memory });
    return result;
  }

  /** How many answers the variant (absent: the default) gives at once, each on its own lane. */
  maxParallel(variant?: RuntimeVariant): Promise<number> {
    this.#ready();
    return this.#call('maxParallel', variant ? { variant } : {});
  }

  /** Each candidate's log-probability after the question and the answer's prefix, on the request's lane. */
  scoreOptions(request: ScoreRequest & { signal?: AbortSignal | undefined }): Promise<number[]> {
    this.#ready();
    const { signal, ...params } = request;
    return this.#call('scoreOptions', params, { signal });
  }

  /** Throws NO_MODEL (or BUSY while one loads) unless a model is ready to answer. */
  assertReady(): void {
    this.#ready();
  }

  #ready(): Loaded {
    if (this.#status.state === 'loading') throw new XinglinError('BUSY', '模型正在加载，请稍候');
    if (!this.#current || this.#status.state !== 'ready') {
      const crashed = this.#status.error?.code === 'RUNTIME_CRASHED';
      throw new XinglinError('NO_MODEL', crashed ? '模型进程意外退出，模型已卸载：请在“模型”页重新加载' : '尚未加载模型，请先在“模型”页加载一个模型');
    }
    return this.#current;
  }

  #setStatus(status: ModelStatus): void {
    this.#status = status;
    this.#onStatus?.(structuredClone(status));
  }

  #loaded(current: Loaded, status: ModelStatus): void {
    this.#current = current;
    this.#setStatus({ ...status, lastTokensPerSecond: status.lastTokensPerSecond ?? this.#status.lastTokensPerSecond, reloadable: null });
  }

  /** Loads again what worked before a failed load (with its variant); if that fails too, there is no model. */
  async #restore(previous: Loaded): Promise<void> {
    const failed = this.#status;
    try {
      let status = await this.#call('load', previous.call, {});
      const reloaded = variantOf(previous.call, status);
      if (contextKey(reloaded) !== contextKey(previous.variant) || JSON.stringify(reloaded.template) !== JSON.stringify(previous.variant.template)) {
        status = await this.#call('useVariant', { variant: previous.variant, profile: previous.profile });
      }
      this.#loaded(previous, status);
      this.#log.info({ event: 'model.restored', file: previous.call.plan.model.file });
    } catch {
      this.#setStatus(failed);
    }
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#lifecycle.then(task, task);
    this.#lifecycle = run.catch(() => undefined);
    return run;
  }

  async #call<Op extends RuntimeOp>(op: Op, params: RuntimeCalls[Op]['params'], hooks: Hooks = {}): Promise<RuntimeCalls[Op]['result']> {
    const worker = this.#start();
    await worker.ready;
    return this.#send(worker, op, params, hooks) as Promise<RuntimeCalls[Op]['result']>;
  }

  #send(worker: Worker, op: RuntimeOp, params: unknown, hooks: Hooks): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      const allowanceMs = op === 'generate' ? this.#hangMs : Math.max(this.#hangMs, SLOW_STEP_MS);
      const abort = () => worker.process.send({ id, op: 'abort' });
      // One signal may stop many requests (a grant's lanes): each takes its listener off when it ends.
      const settled = () => hooks.signal?.removeEventListener('abort', abort);
      this.#pending.set(id, {
        ...hooks,
        op,
        resolve: (value) => {
          settled();
          resolve(value);
        },
        reject: (error) => {
          settled();
          reject(error);
        },
        lastSign: performance.now(),
        allowanceMs,
      });
      if (hooks.signal?.aborted) {
        worker.process.send({ id, op, params, aborted: true } as never);
        return this.#watch();
      }
      worker.process.send({ id, op, params } as never);
      hooks.signal?.addEventListener('abort', abort, { once: true });
      this.#watch();
    });
  }

  /** The model process, started (with llama.cpp) on first use and after a crash. */
  #start(): Worker {
    if (this.#worker) return this.#worker;
    if (this.#closed) throw new XinglinError('CANCELLED', '应用正在关闭');
    const child = this.#spawn();
    let exited!: () => void;
    const worker: Worker = { process: child, ready: Promise.resolve(), started: false, stopping: null, exited: new Promise((resolve) => (exited = resolve)) };
    this.#worker = worker;
    child.onMessage((message) => {
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      pending.lastSign = performance.now();
      switch (message.type) {
        case 'result':
          this.#pending.delete(message.id);
          return pending.resolve(message.value);
        case 'error':
          this.#pending.delete(message.id);
          return pending.reject(XinglinError.fromWire(message.error));
        case 'progress':
          return pending.onProgress?.(message.progress);
        case 'started': {
          // Answers on other lanes are read in the same batches: each prompt then takes longer.
          const answering = [...this.#pending.values()].filter((p) => p.op === 'generate').length;
          pending.allowanceMs = this.#hangMs + message.promptTokens * PROMPT_MS_PER_TOKEN * answering;
          return pending.onStarted?.(message.promptTokens);
        }
        case 'text':
          pending.allowanceMs = this.#hangMs;
          return pending.onText?.(message.text);
      }
    });
    child.onExit((exit) => {
      this.#exited(worker, exit);
      exited();
    });
    worker.ready = this.#send(worker, 'init', this.#runtimeOptions, {}).then((value) => {
      const status = value as ModelStatus;
      worker.started = true;
      this.#status = { ...this.#status, threads: status.threads, gpu: this.#status.model ? this.#status.gpu : status.gpu };
    });
    worker.ready.catch(() => undefined);
    return worker;
  }

  #exited(worker: Worker, exit: RuntimeExit): void {
    if (this.#worker !== worker) return;
    this.#worker = null;
    const stopping = worker.stopping;
    const hungForMs = typeof stopping === 'object' && stopping !== null ? stopping.hungForMs : null;
    const cause = exitCause(exit, worker.process.stderrTail(), hungForMs);
    const error =
      stopping === 'close'
        ? new XinglinError('CANCELLED', '应用正在关闭，模型进程已结束')
        : new XinglinError('RUNTIME_CRASHED', `模型进程意外退出：${cause}。应用仍在运行；请重新加载模型。`, { cause, ...(exit.code === null ? {} : { exitCode: exit.code }), ...(exit.signal ? { signal: exit.signal } : {}) });
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const request of pending) request.reject(error);
    if (stopping === 'close') return;

    const current = this.#current;
    const involved = this.#loading ? { plan: this.#loading, variant: { adapters: this.#loading.adapters } } : current ? { plan: current.call.plan, variant: current.variant } : null;
    this.#log.error({ event: 'runtime.crashed', exitCode: exit.code, signal: exit.signal, hung: hungForMs !== null, file: involved?.plan.model.file ?? null, during: this.#loading ? 'load' : pending.length ? 'request' : 'idle' });
    this.#current = null;
    this.#setStatus({ ...this.#status, state: 'error', model: null, adapters: [], profile: null, gpuLayers: 0, memory: null, error: error.toWire(), reloadable: involved ? namesOf(involved.plan, involved.variant) : null });
    // A fresh process without a model, so the next load starts at once; one that dies while
    // starting is not restarted in a loop.
    if (worker.started && !this.#closed) this.#start();
  }

  /** While requests are in flight, ends a model process that has gone silent for too long. */
  #watch(): void {
    if (this.#watchdog) return;
    this.#watchdog = setInterval(() => {
      if (this.#pending.size === 0) {
        clearInterval(this.#watchdog!);
        this.#watchdog = null;
        return;
      }
      const now = performance.now();
      const hung = [...this.#pending.values()].find((p) => now - p.lastSign > p.allowanceMs);
      const worker = this.#worker;
      if (hung && worker && !worker.stopping) {
        worker.stopping = { hungForMs: now - hung.lastSign };
        worker.process.kill();
      }
    }, WATCH_INTERVAL_MS);
    this.#watchdog.unref();
  }
}
