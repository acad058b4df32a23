import type { CaseResult, EvalScores, EvalSetFormat } from '../../../contract/index.js';
import { criteriaMet } from './criteria.js';
import { wilson } from './wilson.js';

type Scored = Pick<CaseResult, 'status' | 'items' | 'choice' | 'review'>;

/**
 * A target's scores over its cases: QiZhen's three criteria for a criteria set, the share correct
 * for a choice set. Every case counts in n; a failed case (no answer) is a miss, whatever a review
 * says, as there is nothing to judge. `reviewed`: a clinician's verdicts replace the automatic
 * ones where given (an item's hit, a choice's correctness).
 */
export function summarize(format: EvalSetFormat, results: readonly Scored[], reviewed: boolean): EvalScores {
  const n = results.length;
  const review = (result: Scored) => (reviewed ? result.review : null);
  if (format === 'choice') {
    const correct = results.filter((r) => r.status === 'done' && (review(r)?.correct ?? r.choice?.correct ?? false)).length;
    return { any: null, half: null, twoThirds: null, correct: wilson(correct, n) };
  }
  let any = 0;
  let half = 0;
  let twoThirds = 0;
  for (const result of results) {
    if (result.status !== 'done' || !result.items) continue;
    const overrides = review(result)?.items ?? {};
    const met = criteriaMet(result.items.map((i) => ({ hit: Object.hasOwn(overrides, i.item) ? overrides[i.item]! : i.hit })));
    any += Number(met.any);
    half += Number(met.half);
    twoThirds += Number(met.twoThirds);
  }
  return { any: wilson(any, n), half: wilson(half, n), twoThirds: wilson(twoThirds, n), correct: null };
}
