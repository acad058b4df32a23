import type { Job, JobKind } from '$contract';

/** A path and the name a job gives the file it works on (the host's basename, on any platform). */
export function sameFile(path: string, subject: string): boolean {
  return path === subject || path.endsWith(`/${subject}`) || path.endsWith(`\\${subject}`);
}

/**
 * The job a call of this window started (`kb.import`, `models.load`): the call's reply only comes at
 * the end, so the job is recognised in `job.progress` as the first running job of its kind on the
 * call's file (any file, when the call names none: an import of several) while the call runs. A
 * cancel asked for before the job is known is sent once it is.
 */
export class CallJob {
  /** The job's id, once recognised. */
  #id: string | null = null;
  /** Cancel was pressed before the job's first event arrived. */
  #cancelWanted = false;
  #running = false;
  #path: string | null = null;

  /** `sendCancel` asks the host to cancel a job by id (`jobs.cancel`), reporting its own failure. */
  constructor(
    readonly kind: JobKind,
    private readonly sendCancel: (id: string) => Promise<void>,
  ) {}

  /** `path`: the file the job works on (null: whatever it names). */
  begin(path: string | null): void {
    this.#running = true;
    this.#path = path;
    this.#id = null;
    this.#cancelWanted = false;
  }

  end(): void {
    this.#running = false;
    this.#path = null;
    this.#id = null;
    this.#cancelWanted = false;
  }

  /** Cancels the call's job now, or as soon as it is recognised. */
  async cancel(): Promise<void> {
    if (this.#id === null) this.#cancelWanted = true;
    else await this.sendCancel(this.#id);
  }

  /** Whether `job` is this call's (recognising it on its first sight, and sending a cancel that waited for it). */
  owns(job: Job): boolean {
    if (!this.#running || job.kind !== this.kind) return false;
    if (this.#id === null && job.state === 'running' && (this.#path === null || sameFile(this.#path, job.subject))) {
      this.#id = job.id;
      if (this.#cancelWanted) void this.sendCancel(job.id);
      this.#cancelWanted = false;
    }
    return this.#id !== null && job.id === this.#id;
  }
}
