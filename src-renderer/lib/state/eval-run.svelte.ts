import type { Api, CaseResult, EvalReportFormat, EvalRunDetail, EvalRunSummary, MethodOutput } from '$contract';
import { toUiError, type UiError } from '../i18n/index.js';
import { FrameBatcher, type FrameScheduler } from './frame.js';

export type EvalReportFile = MethodOutput<'eval.report'>;

/** A case's results with one replaced or added (by its target), in target order. */
export function withResult(results: readonly CaseResult[], result: CaseResult): CaseResult[] {
  return [...results.filter((other) => other.target !== result.target), result].sort((a, b) => a.target - b.target);
}

/**
 * The run the report and the review show: its cases with every target's result (`$state.raw`,
 * replaced as reviews are saved, and as results arrive by `eval.case` — those gathered and applied
 * once per animation frame, as a knowledge-mode run answers thousands a second), its summary kept
 * current by `eval.run`, and its report as a file (HTML, CSV, JSON).
 */
export class EvalRunView {
  detail = $state.raw<EvalRunDetail | null>(null);
  loading = $state(false);
  /** Why the run could not be opened (deleted meanwhile, say). */
  error = $state.raw<UiError | null>(null);
  /** A report being made. */
  reporting = $state<EvalReportFormat | null>(null);
  reportError = $state.raw<UiError | null>(null);

  readonly #api: Api;
  #seq = 0;
  /** The run being opened: its results arriving meanwhile wait for its detail. */
  #opening: string | null = null;
  /** Results arrived since the last frame, by target and case, and the run they belong to. */
  readonly #pending = new Map<string, CaseResult>();
  #pendingRun: string | null = null;
  readonly #batcher: FrameBatcher;

  constructor(api: Api, schedule?: FrameScheduler) {
    this.#api = api;
    this.#batcher = new FrameBatcher(() => this.#flush(), schedule);
  }

  get id(): string | null {
    return this.detail?.id ?? null;
  }

  /** Opens a run (reloaded even when open: its results may have moved on); false when it could not be read. */
  async open(id: string): Promise<boolean> {
    const seq = ++this.#seq;
    this.#opening = id;
    this.loading = true;
    this.reportError = null;
    try {
      const detail = await this.#api.eval.run({ id });
      if (seq !== this.#seq) return false;
      this.detail = detail;
      this.error = null;
      // Results that arrived while it loaded (the detail may have been read before them).
      this.#batcher.flushNow();
      return true;
    } catch (error) {
      if (seq !== this.#seq) return false;
      this.error = toUiError(error);
      return false;
    } finally {
      if (seq === this.#seq) {
        this.loading = false;
        this.#opening = null;
      }
    }
  }

  close(): void {
    this.#seq += 1;
    this.#opening = null;
    this.detail = null;
    this.loading = false;
    this.error = null;
  }

  dismissError(): void {
    this.error = null;
  }

  /** A summary of the open run changed: its state, counts and scores follow; its cases stay. */
  onRun(run: EvalRunSummary): void {
    if (this.detail?.id === run.id) this.detail = { ...this.detail, ...run };
  }

  /** `eval.case`: a case of the open run (or of the one opening) answered; applied at the next frame. */
  onCase(runId: string, result: CaseResult): void {
    if (runId !== (this.#opening ?? this.detail?.id)) return;
    if (this.#pendingRun !== runId) {
      this.#pending.clear();
      this.#pendingRun = runId;
    }
    this.#pending.set(`${result.target}\u0000${result.caseId}`, result);
    this.#batcher.request();
  }

  /** A reviewed result of the open run (`eval.review`'s reply), applied at once. */
  onResult(runId: string, result: CaseResult): void {
    if (this.detail?.id === runId) this.#apply([result]);
  }

  #flush(): void {
    // Kept until the run's detail is here (it is being opened).
    if (this.#pending.size === 0 || this.detail?.id !== this.#pendingRun) return;
    const results = [...this.#pending.values()];
    this.#pending.clear();
    this.#apply(results);
  }

  #apply(results: readonly CaseResult[]): void {
    const detail = this.detail;
    if (!detail) return;
    const byCase = new Map<string, CaseResult[]>();
    for (const result of results) byCase.set(result.caseId, [...(byCase.get(result.caseId) ?? []), result]);
    this.detail = {
      ...detail,
      cases: detail.cases.map((entry) => {
        const arrived = byCase.get(entry.case.id);
        return arrived ? { ...entry, results: arrived.reduce(withResult, entry.results) } : entry;
      }),
    };
  }

  /** The open run's report as a file, for the pane to hand to the download; null when it failed (`reportError`). */
  async report(format: EvalReportFormat): Promise<EvalReportFile | null> {
    const id = this.id;
    if (!id || this.reporting !== null) return null;
    this.reporting = format;
    this.reportError = null;
    try {
      return await this.#api.eval.report({ id, format });
    } catch (error) {
      this.reportError = toUiError(error);
      return null;
    } finally {
      this.reporting = null;
    }
  }
}
