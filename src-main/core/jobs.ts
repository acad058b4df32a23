/**
 * Long work as jobs: an id, a kind, determinate progress, an AbortSignal and a final state
 * (`done`, `cancelled`, `failed` with its typed error). Every change goes out as one `job.progress`
 * event, so the UI shows all running work in one place and can cancel any of it.
 */
import { randomUUID } from 'node:crypto';
import { XinglinError, type Job, type JobKind } from '../contract/index.js';
import type { Logger } from './log.js';

export interface JobStep {
  phase: string;
  /** 0…1 within the step. */
  progress: number;
  detail?: string | null;
  done?: number | null;
  total?: number | null;
}

/** What a job's work sees: its signal, and where to report how far it is. */
export interface JobControl {
  readonly id: string;
  readonly signal: AbortSignal;
  report(step: JobStep): void;
}

/** Ended jobs stay listed this long, so a status bar opened later still shows how they ended. */
const KEEP_ENDED_MS = 5 * 60_000;

function cancelled(subject: string): XinglinError {
  return new XinglinError('CANCELLED', `已取消：${subject}`, { subject });
}

export class Jobs {
  readonly #jobs = new Map<string, { job: Job; abort: AbortController }>();

  constructor(
    private readonly emit: (job: Job) => void,
    private readonly log: Logger,
  ) {}

  /**
   * Runs `work` as a job. It resolves with the work's result; a cancelled job rejects with
   * CANCELLED (the work must leave nothing half-done when its signal aborts), a failed one with
   * the work's typed error.
   */
  run<T>(kind: JobKind, subject: string, work: (control: JobControl) => Promise<T>, options: { signal?: AbortSignal } = {}): Promise<T> {
    return this.start(kind, subject, work, options).result;
  }

  /** `run` for a caller that answers before the job ends (a draft the model rewrites): the id at once. */
  start<T>(kind: JobKind, subject: string, work: (control: JobControl) => Promise<T>, options: { signal?: AbortSignal } = {}): { id: string; result: Promise<T> } {
    const abort = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, abort.signal]) : abort.signal;
    const job: Job = { id: randomUUID(), kind, subject, state: 'running', phase: 'start', progress: 0, detail: null, done: null, total: null, error: null, startedAt: Date.now(), endedAt: null };
    this.#jobs.set(job.id, { job, abort });
    this.emit({ ...job });
    const update = (change: Partial<Job>) => {
      Object.assign(job, change);
      this.emit({ ...job });
    };
    const control: JobControl = {
      id: job.id,
      signal,
      report: (step) => {
        if (job.state !== 'running') return;
        update({ phase: step.phase, progress: Math.min(1, Math.max(0, step.progress)), detail: step.detail ?? null, done: step.done ?? null, total: step.total ?? null });
      },
    };
    const result = (async () => {
      try {
        const value = await work(control);
        // Work that finished in spite of a late cancel is done: its result is whole.
        this.#end(job, update, 'done', null);
        return value;
      } catch (cause) {
        // A typed error says what happened; anything else after a cancel is the cancel's doing.
        const error = cause instanceof XinglinError ? cause : signal.aborted ? cancelled(subject) : toTyped(cause, kind);
        this.#end(job, update, error.code === 'CANCELLED' ? 'cancelled' : 'failed', error);
        throw error;
      }
    })();
    return { id: job.id, result };
  }

  list(): Job[] {
    const now = Date.now();
    for (const [id, { job }] of this.#jobs) if (job.endedAt !== null && now - job.endedAt > KEEP_ENDED_MS) this.#jobs.delete(id);
    return [...this.#jobs.values()].map(({ job }) => ({ ...job }));
  }

  /** Asks a running job to stop; false when it is unknown or already ended. */
  cancel(id: string): boolean {
    const entry = this.#jobs.get(id);
    if (!entry || entry.job.state !== 'running') return false;
    entry.abort.abort();
    return true;
  }

  /** Cancels every running job (app exit). */
  cancelAll(): void {
    for (const { job, abort } of this.#jobs.values()) if (job.state === 'running') abort.abort();
  }

  #end(job: Job, update: (change: Partial<Job>) => void, state: Job['state'], error: XinglinError | null): void {
    const endedAt = Date.now();
    update({ state, endedAt, error: error ? { code: error.code, message: error.message } : null, ...(state === 'done' ? { progress: 1 } : {}) });
    this.log.info({ event: 'job.ended', kind: job.kind, state, ms: endedAt - job.startedAt, code: error?.code ?? null });
  }
}

const JOB_NAMES: Record<JobKind, string> = { 'kb.import': '知识库导入', 'models.load': '模型加载', 'models.import': '模型导入', 'models.verify': '模型校验', 'records.draft': '病历起草', 'eval.run': '评测', 'dataset.build': '指令数据构建', 'data.backup': '数据备份' };

function toTyped(cause: unknown, kind: JobKind): XinglinError {
  return new XinglinError('INTERNAL', `${JOB_NAMES[kind]}意外失败：${cause instanceof Error ? cause.message : String(cause)}`);
}
