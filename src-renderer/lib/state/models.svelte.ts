import type { Api, AppInfo, EventPayload, ModelFile, ModelStatus } from '$contract';
import { toUiError, type UiError } from '../i18n/index.js';

export type LoadPhase = EventPayload<'models.progress'>['phase'];

export interface ModelFiles {
  modelsDir: string;
  models: ModelFile[];
  adapters: ModelFile[];
}

export interface LoadProgress {
  phase: LoadPhase;
  file: string;
  /** Progress of the current phase, 0…1. */
  phaseProgress: number;
  /** Progress of the whole load, 0…1, never going backwards. */
  overall: number;
}

/** Share of the whole load each phase stands for, in order. */
const PHASES: ReadonlyArray<readonly [LoadPhase, number]> = [
  ['hash', 0.25],
  ['model', 0.55],
  ['adapters', 0.1],
  ['context', 0.1],
];

export function overallProgress(phase: LoadPhase, progress: number): number {
  let start = 0;
  for (const [name, weight] of PHASES) {
    if (name === phase) return Math.min(1, start + weight * Math.min(1, Math.max(0, progress)));
    start += weight;
  }
  return 0;
}

/**
 * The local model: what is loaded (status), what could be (files in the models folder), and a
 * load in progress with a determinate, monotone progress value from `models.progress`.
 */
export class ModelsState {
  status = $state.raw<ModelStatus | null>(null);
  files = $state.raw<ModelFiles | null>(null);
  info = $state.raw<AppInfo | null>(null);
  progress = $state.raw<LoadProgress | null>(null);
  /** A load or unload request is running. */
  working = $state(false);
  error = $state.raw<UiError | null>(null);
  filesError = $state.raw<UiError | null>(null);

  ready = $derived(this.status?.state === 'ready');
  loading = $derived(this.working || this.status?.state === 'loading');
  /** No model loaded and none to load: the chat pane explains how to add one. */
  noModelInstalled = $derived(this.status !== null && this.status.state !== 'ready' && this.files !== null && this.files.models.length === 0);
  modelsDir = $derived(this.files?.modelsDir ?? this.info?.modelsDir ?? null);

  readonly #api: Api;

  constructor(api: Api) {
    this.#api = api;
  }

  attach(): () => void {
    const offs = [
      this.#api.on('models.progress', (payload) => this.onProgress(payload)),
      // the answer's speed lands in the status ("last tokens/s")
      this.#api.on('chat.done', () => void this.refreshStatus()),
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

  async load(model: string, adapters: ReadonlyArray<{ file: string; scale: number }>): Promise<boolean> {
    if (this.working) return false;
    this.working = true;
    this.error = null;
    this.progress = { phase: 'hash', file: model, phaseProgress: 0, overall: 0 };
    try {
      this.status = await this.#api.models.load({ model, adapters: adapters.map((a) => ({ file: a.file, scale: a.scale })) });
      if (this.status.state === 'error' && this.status.error) this.error = this.status.error;
      return this.status.state === 'ready';
    } catch (error) {
      this.error = toUiError(error);
      await this.refreshStatus();
      return false;
    } finally {
      this.working = false;
      this.progress = null;
    }
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

  onProgress({ phase, file, progress }: EventPayload<'models.progress'>): void {
    if (!this.working) return; // a stray event after the load ended must not bring the bar back
    const overall = Math.max(this.progress?.overall ?? 0, overallProgress(phase, progress));
    this.progress = { phase, file, phaseProgress: progress, overall };
  }

  dismissError(): void {
    this.error = null;
  }
}
