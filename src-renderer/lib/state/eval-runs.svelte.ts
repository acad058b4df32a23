import type { Api, EvalRunSummary, EvalSetSummary, EvalTarget, Job, Profile } from '$contract';
import { MAX_EVAL_TARGETS } from '$contract';
import { toUiError, type UiError } from '../i18n/index.js';

/** A target as the new-run form keeps it: knowledge mode, or a profile by id. */
export type TargetKey = 'knowledge' | `profile:${string}`;

export function targetOf(key: TargetKey): EvalTarget {
  return key === 'knowledge' ? { kind: 'knowledge' } : { kind: 'profile', profileId: key.slice('profile:'.length) };
}

export function keyOf(target: EvalTarget): TargetKey {
  return target.kind === 'knowledge' ? 'knowledge' : `profile:${target.profileId}`;
}

/** A run's progress while it answers: cases answered of all (every target's), and 0…1. */
export interface RunProgress {
  done: number;
  total: number;
  fraction: number;
}

/** How often, at most, the scores of running runs are asked again while their cases arrive. */
export const SCORES_REFRESH_MS = 1000;

export interface EvalRunsDeps {
  sets: () => readonly EvalSetSummary[];
  profiles: () => readonly Profile[];
  /** A run's summary changed here (an event, a refresh, a reply): the open report follows it. */
  onSummary: (run: EvalRunSummary) => void;
  refreshMs?: number;
}

/**
 * The evaluation runs: the list (kept by `eval.run` events, and asked again — at most once a
 * second — while `eval.case` events say scores moved), each running run's progress from its job
 * (`job.progress`), the new-run form (a set, one to three targets, parallel, a name), cancel
 * (`jobs.cancel`), resume of an interrupted or failed run, and delete after confirmation.
 */
export class EvalRunsState {
  runs = $state.raw<EvalRunSummary[]>([]);
  loaded = $state(false);
  /** The last failed list, start, resume, cancel or delete. */
  error = $state.raw<UiError | null>(null);
  /** The running `eval.run` jobs, by id: their latest event. */
  jobs = $state.raw<Record<string, Job>>({});

  setId = $state('');
  targets = $state<TargetKey[]>(['knowledge']);
  parallel = $state(true);
  name = $state('');
  starting = $state(false);
  startError = $state.raw<UiError | null>(null);

  /** The run a resume, cancel or delete is under way for. */
  busy = $state<string | null>(null);
  /** The run waiting for the doctor to confirm its deletion. */
  deleting = $state.raw<EvalRunSummary | null>(null);

  chosenSet = $derived.by(() => this.#deps.sets().find((set) => set.id === this.setId) ?? null);
  /** Knowledge mode answers three-criteria questions only, never multiple choice. */
  knowledgeAllowed = $derived(this.chosenSet?.format !== 'choice');
  /** The targets that will run: those still offered (a deleted profile drops out), in the order chosen. */
  chosenTargets = $derived.by((): TargetKey[] => {
    const profiles = new Set(this.#deps.profiles().map((p) => `profile:${p.id}`));
    return this.targets.filter((key) => (key === 'knowledge' ? this.knowledgeAllowed : profiles.has(key)));
  });
  canStart = $derived(this.chosenSet !== null && this.chosenTargets.length >= 1 && this.chosenTargets.length <= MAX_EVAL_TARGETS && !this.starting);
  running = $derived(this.runs.filter((run) => run.state === 'running'));

  readonly #api: Api;
  readonly #deps: EvalRunsDeps;
  readonly #refreshMs: number;
  #refreshTimer: ReturnType<typeof setTimeout> | null = null;
  /** Counts changes from events: a list asked before a run's latest event must not undo it. */
  #seq = 0;
  readonly #changedAt = new Map<string, number>();

  constructor(api: Api, deps: EvalRunsDeps) {
    this.#api = api;
    this.#deps = deps;
    this.#refreshMs = deps.refreshMs ?? SCORES_REFRESH_MS;
  }

  async refresh(): Promise<void> {
    const asked = this.#seq;
    try {
      const fresh = await this.#api.eval.runs();
      const current = new Map(this.runs.map((run) => [run.id, run]));
      this.runs = fresh.map((run) => {
        const newer = (this.#changedAt.get(run.id) ?? 0) > asked ? current.get(run.id) : undefined;
        if (newer) return newer;
        this.#deps.onSummary(run);
        return run;
      });
      this.loaded = true;
    } catch (error) {
      this.error = toUiError(error);
    }
  }

  byId(id: string): EvalRunSummary | undefined {
    return this.runs.find((run) => run.id === id);
  }

  /** The runs of a set, oldest first: the chart across runs. */
  history(setId: string): EvalRunSummary[] {
    return this.runs.filter((run) => run.setId === setId).sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Cases answered of all, from the run's job while it reports, else from its summary. */
  progress(run: EvalRunSummary): RunProgress {
    const job = run.jobId ? this.jobs[run.jobId] : undefined;
    if (job && job.done !== null && job.total !== null) return { done: job.done, total: job.total, fraction: job.progress };
    const total = run.targets.reduce((sum, t) => sum + t.total, 0);
    const done = run.targets.reduce((sum, t) => sum + t.done + t.failed, 0);
    return { done, total, fraction: total > 0 ? done / total : 0 };
  }

  // -- events ------------------------------------------------------------------------------------

  /** `eval.run`: a run started, ended, or its scores changed. */
  onRun(run: EvalRunSummary): void {
    this.#changedAt.set(run.id, ++this.#seq);
    const index = this.runs.findIndex((other) => other.id === run.id);
    this.runs = index >= 0 ? this.runs.map((other, i) => (i === index ? run : other)) : [run, ...this.runs];
    this.#deps.onSummary(run);
  }

  /** `eval.case`: a case was answered; the run's scores are asked again shortly. */
  onCase(): void {
    if (this.#refreshTimer !== null) return;
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = null;
      void this.refresh();
    }, this.#refreshMs);
  }

  /** `job.progress`: a running evaluation's bar; an ended job's run says how it ended by `eval.run`. */
  onJob(job: Job): void {
    if (job.kind !== 'eval.run') return;
    const others = Object.fromEntries(Object.entries(this.jobs).filter(([id]) => id !== job.id));
    this.jobs = job.state === 'running' ? { ...others, [job.id]: job } : others;
  }

  detach(): void {
    if (this.#refreshTimer !== null) clearTimeout(this.#refreshTimer);
    this.#refreshTimer = null;
  }

  // -- the new-run form --------------------------------------------------------------------------

  /** Chooses the set the next run asks (and drops knowledge mode for a choice set). */
  chooseSet(id: string): void {
    this.setId = id;
    this.startError = null;
  }

  /** Adds or removes a target; at most three. */
  toggleTarget(key: TargetKey, on: boolean): void {
    const others = this.targets.filter((other) => other !== key);
    this.targets = on && others.length < MAX_EVAL_TARGETS ? [...others, key] : others;
  }

  /** Starts a run of the form's set against its targets; its summary, or null when refused. */
  async start(): Promise<EvalRunSummary | null> {
    if (!this.canStart || !this.chosenSet) return null;
    const name = this.name.trim();
    this.starting = true;
    this.startError = null;
    try {
      const run = await this.#api.eval.start({ setId: this.chosenSet.id, targets: this.chosenTargets.map(targetOf), parallel: this.parallel, ...(name ? { name } : {}) });
      this.onRun(run);
      this.name = '';
      return run;
    } catch (error) {
      this.startError = toUiError(error);
      return null;
    } finally {
      this.starting = false;
    }
  }

  // -- a run's actions ---------------------------------------------------------------------------

  /** Continues an interrupted or failed run with its unanswered cases, as parallel as it was started. */
  async resume(id: string): Promise<boolean> {
    const run = this.byId(id);
    if (!run || this.busy !== null) return false;
    const recorded = run.targets.flatMap((t) => (t.provenance ? [t.provenance.parallel] : []));
    const parallel = recorded.length === 0 || recorded.some((lanes) => lanes > 1);
    return this.#act(id, async () => this.onRun(await this.#api.eval.resume({ id, parallel })));
  }

  /** Stops a running run: its answered cases stay, and it can be resumed. */
  async cancel(id: string): Promise<boolean> {
    const jobId = this.byId(id)?.jobId;
    if (!jobId || this.busy !== null) return false;
    return this.#act(id, async () => void (await this.#api.jobs.cancel({ id: jobId })));
  }

  askDelete(id: string): void {
    this.deleting = this.byId(id) ?? null;
  }

  cancelDelete(): void {
    this.deleting = null;
  }

  /** Deletes the run the doctor confirmed, with its answers and reviews. */
  async confirmDelete(): Promise<string | null> {
    const run = this.deleting;
    this.deleting = null;
    if (!run) return null;
    const ok = await this.#act(run.id, async () => {
      await this.#api.eval.deleteRun({ id: run.id });
      this.runs = this.runs.filter((other) => other.id !== run.id);
    });
    return ok ? run.id : null;
  }

  dismissError(): void {
    this.error = null;
  }

  async #act(id: string, action: () => Promise<void>): Promise<boolean> {
    this.busy = id;
    this.error = null;
    try {
      await action();
      return true;
    } catch (error) {
      this.error = toUiError(error);
      return false;
    } finally {
      this.busy = null;
    }
  }
}
