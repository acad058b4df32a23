import type { Api, CaseResult, EvalCase, GoldItemScore } from '$contract';
import { toUiError, type UiError } from '../i18n/index.js';
import type { EvalRunView } from './eval-run.svelte.js';

/** Which cases the review lists: all, those the automatic scoring missed (an item, or the choice), those that failed, those reviewed. */
export type ReviewFilter = 'all' | 'misses' | 'failed' | 'reviewed';
export const REVIEW_FILTERS: readonly ReviewFilter[] = ['all', 'misses', 'failed', 'reviewed'];

/** Who signs a review: the doctor the record pane knows (asked once, remembered), shared by both panes. */
export interface ReviewerIdentity {
  readonly doctor: string;
  setDoctor(name: string): Promise<boolean>;
}

/** A review being written: the items whose automatic verdict it overrides, a choice's correctness (null: as scored), a note. */
export interface ReviewDraft {
  items: Record<string, boolean>;
  correct: boolean | null;
  note: string;
}

/** A case of the run with its result for the target under review (none yet while the run answers). */
export interface CaseRow {
  index: number;
  case: EvalCase;
  result: CaseResult | undefined;
}

/** A gold item's verdict: the clinician's where they overrode it, else the automatic one. */
export function itemHit(score: GoldItemScore, overrides: Readonly<Record<string, boolean>>): boolean {
  return Object.hasOwn(overrides, score.item) ? overrides[score.item]! : score.hit;
}

/** The automatic scoring missed something: a gold item not found, or a wrong choice. */
export function isMiss(result: CaseResult): boolean {
  if (result.status !== 'done') return false;
  if (result.items) return result.items.some((score) => !score.hit);
  return !(result.choice?.correct ?? false);
}

function matches(filter: ReviewFilter, result: CaseResult | undefined): boolean {
  if (filter === 'all') return true;
  if (!result) return false;
  if (filter === 'failed') return result.status === 'failed';
  if (filter === 'reviewed') return result.review !== null;
  return isMiss(result);
}

/** The review a result holds, as a draft to change. */
function savedDraft(result: CaseResult | undefined): ReviewDraft {
  const review = result?.review;
  return { items: { ...(review?.items ?? {}) }, correct: review?.correct ?? null, note: review?.note ?? '' };
}

function sameDraft(a: ReviewDraft, b: ReviewDraft): boolean {
  const keys = new Set([...Object.keys(a.items), ...Object.keys(b.items)]);
  return a.correct === b.correct && a.note === b.note && [...keys].every((key) => a.items[key] === b.items[key]);
}

const keyOf = (caseId: string, target: number) => `${target}\u0000${caseId}`;

/**
 * The case-by-case review of the open run: the cases (filtered) for one target, the one selected
 * (moved with j/k or the arrows), the doctor's draft for each case changed and not yet saved (kept
 * while they look at others), and saving it with the doctor's name (`eval.review`): the reply
 * replaces the case's result, and the run's reviewed scores follow by `eval.run`.
 */
export class EvalReviewState {
  filter = $state<ReviewFilter>('all');
  /** The index of the run's target under review. */
  target = $state(0);
  /** The case selected; null: the first listed. */
  caseId = $state<string | null>(null);
  /** Unsaved drafts, by target and case. */
  drafts = $state.raw<Record<string, ReviewDraft>>({});
  saving = $state(false);
  saveError = $state.raw<UiError | null>(null);
  /** The case (target and id) saved last, for a calm "已保存" until it changes again. */
  saved = $state<string | null>(null);
  /** The name dialog is open: a save waits for the doctor's name, or the doctor changes it. */
  askingReviewer = $state<'save' | 'change' | null>(null);

  rows = $derived.by((): CaseRow[] => {
    const detail = this.view.detail;
    if (!detail) return [];
    const rows: CaseRow[] = [];
    detail.cases.forEach((entry, index) => {
      const result = entry.results.find((r) => r.target === this.target);
      if (matches(this.filter, result)) rows.push({ index, case: entry.case, result });
    });
    return rows;
  });

  /** The case shown: the one selected (even when the filter hides it now), else the first listed. */
  current = $derived.by((): CaseRow | null => {
    const detail = this.view.detail;
    if (!detail) return null;
    if (this.caseId !== null) {
      const index = detail.cases.findIndex((entry) => entry.case.id === this.caseId);
      const entry = detail.cases[index];
      if (entry) return { index, case: entry.case, result: entry.results.find((r) => r.target === this.target) };
    }
    return this.rows[0] ?? null;
  });

  #key = $derived(this.current ? keyOf(this.current.case.id, this.target) : null);
  draft = $derived<ReviewDraft>((this.#key !== null ? this.drafts[this.#key] : undefined) ?? savedDraft(this.current?.result));
  dirty = $derived(this.#key !== null && this.#key in this.drafts);
  justSaved = $derived(this.#key !== null && this.saved === this.#key && !this.dirty);
  /** Only an answer can be judged: not a failed case, nor one not answered yet. */
  canReview = $derived(this.current?.result?.status === 'done');

  readonly #api: Api;
  readonly #identity: ReviewerIdentity;

  constructor(
    api: Api,
    readonly view: EvalRunView,
    identity: ReviewerIdentity,
  ) {
    this.#api = api;
    this.#identity = identity;
  }

  get reviewer(): string {
    return this.#identity.doctor;
  }

  /** Another run opened: from its first case, its first target, nothing pending. */
  reset(): void {
    this.filter = 'all';
    this.target = 0;
    this.caseId = null;
    this.drafts = {};
    this.saved = null;
    this.saveError = null;
    this.askingReviewer = null;
  }

  /** Whether a case has changes not saved, for the list's marker. */
  isDirty(caseId: string): boolean {
    return keyOf(caseId, this.target) in this.drafts;
  }

  setFilter(filter: ReviewFilter): void {
    this.filter = filter;
    this.caseId = this.rows[0]?.case.id ?? this.caseId;
  }

  setTarget(target: number): void {
    const count = this.view.detail?.targets.length ?? 0;
    if (target >= 0 && target < count) this.target = target;
  }

  select(caseId: string): void {
    this.caseId = caseId;
    this.saveError = null;
  }

  /** The next (1) or previous (-1) listed case; from a case the filter hides, the nearest listed one in that direction. */
  move(step: 1 | -1): void {
    const rows = this.rows;
    if (rows.length === 0) return;
    const at = this.current?.index ?? -1;
    const position = rows.findIndex((row) => row.index === at);
    const next = position >= 0 ? rows[position + step] : step === 1 ? rows.find((row) => row.index > at) : rows.findLast((row) => row.index < at);
    if (next) this.select(next.case.id);
  }

  /** Overrides a gold item's verdict (back to the automatic one: no override). */
  setItem(item: string, hit: boolean): void {
    const score = this.current?.result?.items?.find((s) => s.item === item);
    if (!score) return;
    const items = { ...this.draft.items };
    if (hit === score.hit) delete items[item];
    else items[item] = hit;
    this.#change({ ...this.draft, items });
  }

  /** Overrides a choice's correctness (back to the automatic one: no override). */
  setCorrect(correct: boolean): void {
    const result = this.current?.result;
    if (!result?.choice) return;
    this.#change({ ...this.draft, correct: correct === result.choice.correct ? null : correct });
  }

  setNote(note: string): void {
    this.#change({ ...this.draft, note });
  }

  /** Drops the unsaved changes of the case shown. */
  discard(): void {
    const key = this.#key;
    if (key !== null) this.#forget(key);
  }

  /** Saves the review of the case shown, signed with the doctor's name (asked first when unknown). */
  async save(): Promise<boolean> {
    const row = this.current;
    const detail = this.view.detail;
    if (!row || !detail || !this.canReview || this.saving) return false;
    const reviewer = this.#identity.doctor.trim();
    if (!reviewer) {
      this.askingReviewer = 'save';
      return false;
    }
    const key = keyOf(row.case.id, this.target);
    const draft = this.draft;
    this.saving = true;
    this.saveError = null;
    try {
      const result = await this.#api.eval.review({ runId: detail.id, caseId: row.case.id, target: this.target, items: draft.items, correct: draft.correct, note: draft.note, reviewer });
      this.view.onResult(detail.id, result);
      this.#forget(key);
      this.saved = key;
      return true;
    } catch (error) {
      this.saveError = toUiError(error);
      return false;
    } finally {
      this.saving = false;
    }
  }

  /** The name dialog, to change the name (nothing waits for it). */
  changeReviewer(): void {
    this.askingReviewer = 'change';
  }

  /** The doctor gave their name: remembered for both panes, then a waiting save goes on. */
  async setReviewer(name: string): Promise<boolean> {
    if (!(await this.#identity.setDoctor(name))) return false;
    const waiting = this.askingReviewer === 'save';
    this.askingReviewer = null;
    return waiting ? this.save() : true;
  }

  #change(draft: ReviewDraft): void {
    const key = this.#key;
    if (key === null || !this.canReview) return;
    if (this.saved === key) this.saved = null;
    if (sameDraft(draft, savedDraft(this.current?.result))) this.#forget(key);
    else this.drafts = { ...this.drafts, [key]: draft };
  }

  #forget(key: string): void {
    if (!(key in this.drafts)) return;
    const drafts = { ...this.drafts };
    delete drafts[key];
    this.drafts = drafts;
  }
}
