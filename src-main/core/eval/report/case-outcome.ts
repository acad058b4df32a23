import type { CaseResult, EvalCase } from '../../../contract/index.js';
import { criteriaMet } from '../scoring/criteria.js';
import type { Criterion } from './format.js';

/**
 * One answer's verdict on each criterion, automatic and with the clinician's overrides applied:
 * what a CSV row and a case's summary line show. They follow the run's rates (scoring/summary):
 * a failed answer is a miss on every criterion whatever a review says, as there is nothing to judge.
 */

export type Verdicts = Partial<Record<Criterion, boolean>>;

export interface CaseOutcome {
  /** Gold items found, not found, and mentioned only in a negation (automatic scoring). */
  hits: string[];
  missed: string[];
  negated: string[];
  /** The gold items hit once the clinician's overrides apply. */
  reviewedHits: string[];
  auto: Verdicts;
  reviewed: Verdicts;
}

/** The clinician's verdict on one gold item, if they gave one (own keys only: an item may be named "constructor"). */
export function itemOverride(result: CaseResult, item: string): boolean | undefined {
  const items = result.review?.items;
  return items !== undefined && Object.hasOwn(items, item) ? items[item] : undefined;
}

export function caseOutcome(evalCase: EvalCase, result: CaseResult): CaseOutcome {
  const answered = result.status === 'done';
  if ('options' in evalCase) {
    const correct = answered && (result.choice?.correct ?? false);
    return { hits: [], missed: [], negated: [], reviewedHits: [], auto: { correct }, reviewed: { correct: answered && (result.review?.correct ?? correct) } };
  }
  const scored = new Map((result.items ?? []).map((score) => [score.item, score]));
  const hit = (item: string): boolean => answered && (scored.get(item)?.hit ?? false);
  const reviewedHit = (item: string): boolean => answered && (itemOverride(result, item) ?? hit(item));
  const hits = evalCase.gold.filter(hit);
  const reviewedHits = evalCase.gold.filter(reviewedHit);
  return {
    hits,
    missed: evalCase.gold.filter((item) => !hit(item)),
    negated: evalCase.gold.filter((item) => scored.get(item)?.negated ?? false),
    reviewedHits,
    auto: criteriaMet(evalCase.gold.map((item) => ({ hit: hit(item) }))),
    reviewed: criteriaMet(evalCase.gold.map((item) => ({ hit: reviewedHit(item) }))),
  };
}
