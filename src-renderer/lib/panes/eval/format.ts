import type { CriteriaKind, EvalRunState, EvalScores, EvalSetFormat, HitVia, Rate } from '$contract';
import type { MessageKey } from '../../i18n/index.js';
import type { I18nState } from '../../state/i18n.svelte.js';

type Translate = I18nState['t'];

/** A score of a run: QiZhen's three criteria, or a choice set's accuracy. */
export type Criterion = keyof EvalScores;

/** The criteria a set's runs are scored by, the headline first. */
export const CRITERIA: Record<EvalSetFormat, readonly [Criterion, ...Criterion[]]> = {
  criteria: ['any', 'half', 'twoThirds'],
  choice: ['correct'],
};

export const criterionKey = (criterion: Criterion): MessageKey => `eval.criterion.${criterion}`;
export const kindKey = (kind: CriteriaKind): MessageKey => `eval.kind.${kind}`;
export const formatKey = (format: EvalSetFormat): MessageKey => `eval.format.${format}`;
export const stateKey = (state: EvalRunState): MessageKey => `eval.state.${state}`;
export const viaKey = (via: HitVia): MessageKey => `eval.via.${via}`;

/** A share as a percentage with one decimal: 0.6667 → "66.7". */
export function percent(share: number): string {
  return (share * 100).toFixed(1);
}

/** "66.7%（95% CI 40.1–85.2）", or a dash where no case was scored. */
export function formatRate(t: Translate, rate: Rate | null): string {
  if (!rate || rate.n === 0) return t('eval.noValue');
  return t('eval.rate', { percent: percent(rate.rate), low: percent(rate.low), high: percent(rate.high) });
}

/** "66.7%", or a dash where no case was scored (a list's short form). */
export function shortRate(t: Translate, rate: Rate | null): string {
  return rate && rate.n > 0 ? `${percent(rate.rate)}%` : t('eval.noValue');
}

/** The headline score of a target: its first criterion (or accuracy). */
export function headline(format: EvalSetFormat, scores: EvalScores): Rate | null {
  return scores[CRITERIA[format][0]];
}

/** A run that did not answer every case: its scores count only what it answered. */
export function isPartial(state: EvalRunState): boolean {
  return state === 'interrupted' || state === 'failed';
}
