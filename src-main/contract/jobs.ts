import { z } from 'zod';
import { ErrorData, Id, None } from './common.js';

/** Long work — importing knowledge, loading a model — as jobs the UI shows in one place and can cancel. */

export const JobKind = z.enum(['kb.import', 'models.load', 'models.import', 'models.verify', 'records.draft', 'eval.run', 'dataset.build', 'data.backup']);
export type JobKind = z.infer<typeof JobKind>;

export const JobState = z.enum(['running', 'done', 'cancelled', 'failed']);
export type JobState = z.infer<typeof JobState>;

export const Job = z.object({
  id: Id,
  kind: JobKind,
  /** What it works on, for the status bar: a file name. */
  subject: z.string(),
  state: JobState,
  /**
   * The step it is in: `read` / `index` for an import; `hash` / `model` / `adapters` / `context`
   * for a model load; `copy` / `inspect` for a model import; `hash` for a verify. `progress` is the step's, determinate.
   */
  phase: z.string(),
  /** 0…1 */
  progress: z.number().min(0).max(1),
  /** The file the step works on, when it is not the subject (an adapter being hashed). */
  detail: z.string().nullable(),
  /** Units of the step done and in all (bytes read, entries indexed), when it counts them. */
  done: z.number().int().min(0).nullable(),
  total: z.number().int().min(0).nullable(),
  /** Why it failed or was cancelled. */
  error: ErrorData.nullable(),
  startedAt: z.number().int(),
  endedAt: z.number().int().nullable(),
});
export type Job = z.infer<typeof Job>;

export const jobMethods = {
  /** Running jobs, and those that ended in the last minutes. */
  'jobs.list': { input: None, output: z.array(Job) },
  /** Asks a running job to stop; it ends `cancelled` with nothing half-done. */
  'jobs.cancel': { input: z.object({ id: Id }).strict(), output: z.object({ cancelled: z.boolean() }) },
} as const;

export const jobEvents = {
  /** Every change of a job: start, progress, and its final state. */
  'job.progress': Job,
} as const;
