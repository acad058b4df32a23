import type { Api, AppInfo, Job, MethodOutput, ModelStatus } from '$contract';
import { toUiError, type UiError } from '../i18n/index.js';
import { CallJob } from './call-job.js';

/** A load's steps as its job reports them: `start` before the first, then hash, model, adapters, context. */
export type LoadPhase = 'start' | 'hash' | 'model' | 'adapters' | 'context';

export function loadPhase(phase: string): LoadPhase {
  return phase === 'hash' || phase === 'model' || phase === 'adapters' || phase === 'context' ? phase : 'start';
}

/** The registry: usable base models and adapters with their metadata, and the files that cannot be used, apart. */
export type ModelFiles = MethodOutput<'models.list'>;

export interface LoadProgress {
  phase: LoadPhase;
  file: string;
  /** Progress of the current phase, 0…1. */
  phaseProgress: number;
  /** Progress of the whole load, 0…1, never going backwards. */
  overall: number;
}

/** Share of the whole load each phase stands for, in order. */
const PHASES: ReadonlyArray<readonly [Exclude<LoadPhase, 'start'>, number]> = [
  ['hash', 0.25],
  ['model', 0.55],
  ['adapters', 0.1],
  ['context', 0.1],
];

/** The whole load's progress, 0…1, from its step and the step's progress (0…1). */
export function overallProgress(phase: string, progress: number): number {
  let start = 0;
  for (const [name, weight] of PHASES) {
    if (name === phase) return Math.min(1, start + weight * Math.min(1, Math.max(0, progress)));
    start += weight;
  }
  return 0;
}

/** The model process died: why (the host's RUNTIME_CRASHED error), and what it ran, to reload with one action. */
export interface ModelCrash {
  error: UiError;
  reloadable: NonNullable<ModelStatus['reloadable']> | null;
}

/**
 * The local model: what is loaded (status, kept by `models.status`), what could be (the registry's
 * files), and a load in progress — a reload, or a profile put to use — with a determinate,
 * monotone progress value from its job's `job.progress`, and a cancel that leaves no model loaded.
 * After a crash of the model process it offers the model for reloading (the host never reloads it
 * by itself).
 */
export class ModelsState {
  status = $state.raw<ModelStatus | null>(null);
  files = $state.raw<ModelFiles | null>(null);
  info = $state.raw<AppInfo | null>(null);
  progress = $state.raw<LoadProgress | null>(null);
  /** A load or unload request is running. */
  working = $state(false);
  /** Cancel was asked for the running load (the host has not ended it yet). */
  cancelling = $state(false);
  /** The last load was cancelled (no model is loaded). */
  cancelled = $state(false);
  error = $state.raw<UiError | null>(null);
  filesError = $state.raw<UiError | null>(null);

  ready = $derived(this.status?.state === 'ready');
  loading = $derived(this.working || this.status?.state === 'loading');
  /** No model loaded and none to load: the chat pane explains how to add one. */
  noModelInstalled = $derived(this.status !== null && this.status.state !== 'ready' && this.files !== null && this.files.models.length === 0);
  modelsDir = $derived(this.files?.modelsDir ?? this.info?.modelsDir ?? null);
  crash = $derived.by((): ModelCrash | null => {
    const status = this.status;
    if (status?.state !== 'error' || status.error?.code !== 'RUNTIME_CRASHED') return null;
    return { error: status.error, reloadable: status.reloadable };
  });

  readonly #api: Api;
  readonly #loadJob = new CallJob('models.load', (id) => this.#cancelJob(id));
  #loading = false;

  constructor(api: Api) {
    this.#api = api;
  }

  attach(): () => void {
    const offs = [
      this.#api.on('job.progress', (job) => this.onJob(job)),
      // memory, speed, the profile in use: the host tells whenever they change
      this.#api.on('models.status', (status) => (this.status = status)),
      // the answer's speed lands in the status ("last tokens/s")
      this.#api.on('chat.done', () => void this.refreshStatus()),
      // an answer fails when the model process dies under it: the status tells, with the model to reload
      this.#api.on('chat.error', () => void this.refreshStatus()),
    ];
    return () => offs.forEach((off) => off());
  }

  async init(): Promise<void> {
    await Promise.all([this.refreshInfo(), this.refreshStatus(), this.refreshFiles()]);
  }

  async refreshInfo(): Promise<void> {
    try {
      this.info = await this.#api.app.info();
    } catch (error) {
      this.error = toUiError(error);
    }
  }

  async refreshStatus(): Promise<void> {
    try {
      this.status = await this.#api.models.status();
    } catch (error) {
      this.error = toUiError(error);
    }
  }

  async refreshFiles(): Promise<void> {
    try {
      this.files = await this.#api.models.list();
      this.filesError = null;
    } catch (error) {
      this.filesError = toUiError(error);
    }
  }

  load(model: string, adapters: ReadonlyArray<{ file: string; scale: number }>): Promise<boolean> {
    return this.runLoad(model, () => this.#api.models.load({ model, adapters: adapters.map((a) => ({ file: a.file, scale: a.scale })) }));
  }

  /**
   * Runs a call that may load `model` as a `models.load` job (a load, `profiles.use`), showing its
   * progress with a cancel; `model` null: a call that loads nothing (a remote profile), no progress.
   * True when it ends with the model ready (or, loading nothing, without an error).
   */
  async runLoad(model: string | null, call: () => Promise<ModelStatus>): Promise<boolean> {
    if (this.working) return false;
    this.working = true;
    this.error = null;
    this.cancelled = false;
    this.cancelling = false;
    if (model !== null) {
      this.progress = { phase: 'start', file: model, phaseProgress: 0, overall: 0 };
      this.#loading = true;
      this.#loadJob.begin(model);
    }
    try {
      this.status = await call();
      if (this.status.state === 'error' && this.status.error) this.error = this.status.error;
      if (model === null) return this.error === null;
      return this.status.state === 'ready';
    } catch (error) {
      const failure = toUiError(error);
      if (failure.code === 'CANCELLED') this.cancelled = true;
      else if (failure.code !== 'RUNTIME_CRASHED') this.error = failure; // the status tells a crash, with the model to reload
      await this.refreshStatus();
      return false;
    } finally {
      this.#loadJob.end();
      this.#loading = false;
      this.working = false;
      this.cancelling = false;
      this.progress = null;
    }
  }

  /** Loads again what the model process ran when it crashed. */
  async reload(): Promise<boolean> {
    const reloadable = this.crash?.reloadable;
    return reloadable ? this.load(reloadable.model, reloadable.adapters) : false;
  }

  /** Asks the host to stop the running load; it ends with no model loaded (`cancelled`). */
  async cancelLoad(): Promise<void> {
    if (!this.#loading || this.cancelling) return;
    this.cancelling = true;
    await this.#loadJob.cancel();
  }

  async unload(): Promise<void> {
    if (this.working) return;
    this.working = true;
    this.error = null;
    try {
      this.status = await this.#api.models.unload();
    } catch (error) {
      this.error = toUiError(error);
    } finally {
      this.working = false;
    }
  }

  /** A change of a job: this window's load moves its bar (monotone); any other job is not ours. */
  onJob(job: Job): void {
    if (!this.#loading || !this.#loadJob.owns(job)) return; // a stray event after the load ended must not bring the bar back
    if (job.state !== 'running') return; // the call's own reply ends it
    const overall = Math.max(this.progress?.overall ?? 0, overallProgress(job.phase, job.progress));
    this.progress = { phase: loadPhase(job.phase), file: job.detail ?? job.subject, phaseProgress: job.progress, overall };
  }

  async #cancelJob(id: string): Promise<void> {
    try {
      await this.#api.jobs.cancel({ id });
    } catch (error) {
      this.cancelling = false; // the load goes on: cancel may be pressed again
      this.error = toUiError(error);
    }
  }

  dismissError(): void {
    this.error = null;
  }
}
