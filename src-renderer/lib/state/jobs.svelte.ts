import type { Api, Job, JobKind } from '$contract';
import { toUiError, type UiError } from '../i18n/index.js';
import { importOverall } from './kb.svelte.js';
import { overallProgress } from './models.svelte.js';

/** A job as the status bar shows it. */
export interface JobItem {
  job: Job;
  /** The whole job's progress, 0…1, never going backwards (1 once done). */
  overall: number;
  /** Cancel was asked for and the job has not ended yet. */
  cancelling: boolean;
}

/** How long a job that ended well (done, cancelled) stays in the status bar. */
export const ENDED_LINGER_MS = 4000;

/** Jobs whose `progress` is already the whole job's. */
const ONE_STEP: ReadonlySet<JobKind> = new Set(['records.draft', 'models.import', 'models.verify', 'eval.run', 'dataset.build', 'data.backup']);

/** A job's whole progress from its step and the step's progress (an import counted as a real one). */
export function jobOverall(job: Job): number {
  if (job.state === 'done') return 1;
  // A model draft reports its progress as one step (sections written of all), an evaluation as the
  // answers of all its targets, a dataset build as the examples written; a model import or verify,
  // each of its steps as the bytes of all its files.
  if (ONE_STEP.has(job.kind)) return Math.min(1, Math.max(0, job.progress));
  return job.kind === 'kb.import' ? importOverall(job.phase, job.progress) : overallProgress(job.phase, job.progress);
}

/**
 * Long work in one place: every job this window knows of (seeded from `jobs.list`, then kept by
 * `job.progress`). Running jobs show with a monotone progress and a cancel; a job that ended well
 * stays a few seconds, a failed one until dismissed. A job that had ended before the window opened
 * is not shown.
 */
export class JobsState {
  items = $state.raw<JobItem[]>([]);
  /** The last failed cancel. */
  error = $state.raw<UiError | null>(null);

  running = $derived(this.items.filter((item) => item.job.state === 'running'));

  readonly #api: Api;
  readonly #lingerMs: number;
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Jobs seen by event: the seed from `jobs.list` must not overwrite what is newer. */
  readonly #seen = new Set<string>();

  constructor(api: Api, options: { lingerMs?: number } = {}) {
    this.#api = api;
    this.#lingerMs = options.lingerMs ?? ENDED_LINGER_MS;
  }

  attach(): () => void {
    const off = this.#api.on('job.progress', (job) => this.onJob(job));
    return () => {
      off();
      for (const timer of this.#timers.values()) clearTimeout(timer);
      this.#timers.clear();
    };
  }

  /** The running jobs at start (those that ended before are history, not news). */
  async init(): Promise<void> {
    let jobs: Job[];
    try {
      jobs = await this.#api.jobs.list();
    } catch {
      return; // the status bar then shows jobs from their next event on
    }
    const fresh = jobs.filter((job) => job.state === 'running' && !this.#seen.has(job.id));
    if (fresh.length === 0) return;
    const items = [...this.items, ...fresh.map((job) => ({ job, overall: jobOverall(job), cancelling: false }))];
    this.items = items.sort((a, b) => a.job.startedAt - b.job.startedAt);
  }

  onJob(job: Job): void {
    this.#seen.add(job.id);
    if (this.#seen.size > 500) this.#seen.clear();
    const index = this.items.findIndex((item) => item.job.id === job.id);
    const before = index >= 0 ? this.items[index]! : null;
    if (!before && job.state !== 'running') return; // its start was missed and it is over: nothing to show
    const item: JobItem = {
      job,
      overall: Math.max(before?.overall ?? 0, jobOverall(job)),
      cancelling: job.state === 'running' && (before?.cancelling ?? false),
    };
    this.items = before ? this.items.map((other, i) => (i === index ? item : other)) : [...this.items, item];
    if (job.state === 'done' || job.state === 'cancelled') this.#forgetLater(job.id);
  }

  /** Asks the host to stop a running job. */
  async cancel(id: string): Promise<void> {
    const item = this.items.find((other) => other.job.id === id);
    if (!item || item.job.state !== 'running' || item.cancelling) return;
    this.#patch(id, { cancelling: true });
    this.error = null;
    try {
      await this.#api.jobs.cancel({ id });
    } catch (error) {
      this.#patch(id, { cancelling: false });
      this.error = toUiError(error);
    }
  }

  dismissError(): void {
    this.error = null;
  }

  /** Takes an ended job off the status bar. */
  dismiss(id: string): void {
    const timer = this.#timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.#timers.delete(id);
    this.items = this.items.filter((item) => item.job.id !== id || item.job.state === 'running');
  }

  #patch(id: string, change: Partial<JobItem>): void {
    this.items = this.items.map((item) => (item.job.id === id ? { ...item, ...change } : item));
  }

  #forgetLater(id: string): void {
    if (this.#timers.has(id)) return;
    this.#timers.set(
      id,
      setTimeout(() => {
        this.#timers.delete(id);
        this.items = this.items.filter((item) => item.job.id !== id);
      }, this.#lingerMs),
    );
  }
}
