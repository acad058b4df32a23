import type { Api, Profile } from '$contract';
import type { FilePicker } from '../api/files.js';
import type { FrameScheduler } from './frame.js';
import { EvalReviewState, type ReviewerIdentity } from './eval-review.svelte.js';
import { EvalRunView } from './eval-run.svelte.js';
import { EvalRunsState } from './eval-runs.svelte.js';
import { EvalSetsState } from './eval-sets.svelte.js';

/** What the evaluation pane shows: the sets, the runs (and the new-run form), a run's report, its case-by-case review. */
export type EvalPanel = 'sets' | 'runs' | 'report' | 'review';
export const EVAL_PANELS: readonly EvalPanel[] = ['sets', 'runs', 'report', 'review'];

export interface EvalDeps {
  /** The profiles a run may ask (ProfilesState's list). */
  profiles: () => readonly Profile[];
  reviewer: ReviewerIdentity;
  /** How often, at most, scores are asked again while cases arrive (tests: 0). */
  refreshMs?: number;
  /** When answered cases are applied (animation frames; tests run them by hand). */
  frames?: FrameScheduler;
}

/**
 * The evaluation pane: sets, runs, the open run's report and review, and the events that keep them
 * current (`eval.run`, `eval.case`, `job.progress`). Loads its lists at the first showing.
 */
export class EvalState {
  panel = $state<EvalPanel>('sets');
  readonly sets: EvalSetsState;
  readonly runs: EvalRunsState;
  readonly view: EvalRunView;
  readonly review: EvalReviewState;

  readonly #api: Api;
  #started: Promise<void> | null = null;

  constructor(api: Api, files: FilePicker, deps: EvalDeps) {
    this.#api = api;
    this.sets = new EvalSetsState(api, files);
    this.view = new EvalRunView(api, deps.frames);
    this.review = new EvalReviewState(api, this.view, deps.reviewer);
    this.runs = new EvalRunsState(api, {
      sets: () => this.sets.sets,
      profiles: deps.profiles,
      onSummary: (run) => this.view.onRun(run),
      ...(deps.refreshMs !== undefined ? { refreshMs: deps.refreshMs } : {}),
    });
  }

  attach(): () => void {
    const offs = [
      this.#api.on('eval.run', ({ run }) => this.runs.onRun(run)),
      this.#api.on('eval.case', ({ runId, result }) => {
        this.view.onCase(runId, result);
        this.runs.onCase();
      }),
      this.#api.on('job.progress', (job) => this.runs.onJob(job)),
    ];
    return () => {
      offs.forEach((off) => off());
      this.runs.detach();
    };
  }

  /** First showing: the sets and the runs (once; a later showing keeps what events kept current). */
  init(): Promise<void> {
    this.#started ??= Promise.all([this.sets.refresh(), this.runs.refresh()]).then(() => {
      if (!this.runs.setId) this.runs.chooseSet(this.sets.sets[0]?.id ?? '');
    });
    return this.#started;
  }

  showPanel(panel: EvalPanel): void {
    // The report and the review need a run: without one open, the runs list takes their place.
    this.panel = (panel === 'report' || panel === 'review') && !this.view.detail ? 'runs' : panel;
  }

  /** Opens a run's report or review (its review from its first case when it is another run). */
  async openRun(id: string, panel: 'report' | 'review' = 'report'): Promise<boolean> {
    const another = this.view.id !== id;
    this.panel = panel;
    if (another) this.review.reset();
    const ok = await this.view.open(id);
    if (!ok && !this.view.detail) this.panel = 'runs';
    return ok;
  }

  /** Starts the form's run and opens its report, where its progress and scores arrive. */
  async start(): Promise<boolean> {
    const run = await this.runs.start();
    return run ? this.openRun(run.id) : false;
  }

  /** Deletes the run the doctor confirmed; its report, if open, closes. */
  async confirmDeleteRun(): Promise<boolean> {
    const id = await this.runs.confirmDelete();
    if (id === null) return false;
    if (this.view.id === id) {
      this.view.close();
      this.review.reset();
      if (this.panel === 'report' || this.panel === 'review') this.panel = 'runs';
    }
    return true;
  }

  // A set just made or imported is the one the next run asks; a deleted one is not offered.

  async makeSet(): Promise<boolean> {
    return this.#added(await this.sets.make());
  }

  async chooseAndImportSet(): Promise<boolean> {
    return this.#added(await this.sets.chooseAndImport());
  }

  async importPickedSet(file: File): Promise<boolean> {
    return this.#added(await this.sets.importPicked(file));
  }

  async confirmDeleteSet(): Promise<boolean> {
    const id = this.sets.deleting?.id;
    const ok = await this.sets.confirmDelete();
    if (ok && this.runs.setId === id) this.runs.chooseSet(this.sets.sets[0]?.id ?? '');
    return ok;
  }

  #added(set: { id: string } | null): boolean {
    if (set) this.runs.chooseSet(set.id);
    return set !== null;
  }
}
