import { stringify } from 'csv-stringify/sync';
import type { CaseResult, EvalCase, EvalRunDetail } from '../../../contract/index.js';
import { caseOutcome, type Verdicts } from './case-outcome.js';
import { CRITERIA } from './format.js';

/**
 * A run as a table: one row per case × target, for a spreadsheet or a script. Verdicts are 1/0 so
 * AVERAGE over a column is the rate; a case the run has not answered yet keeps its row (status
 * `unanswered`, verdicts empty) so a partial run reads as partial.
 */

const LIST = '；';

function question(evalCase: EvalCase): string {
  if (!('options' in evalCase)) return evalCase.instruction;
  return [evalCase.question, ...Object.entries(evalCase.options).map(([key, text]) => `${key}. ${text}`)].join('\n');
}

const flag = (verdict: boolean | undefined): string => verdict === undefined ? '' : verdict ? '1' : '0';

function row(run: EvalRunDetail, evalCase: EvalCase, target: string, result: CaseResult | undefined): string[] {
  const criteria = CRITERIA[run.format].map((c) => c.key);
  const outcome = result === undefined ? undefined : caseOutcome(evalCase, result);
  const verdicts = (of: Verdicts | undefined): string[] => criteria.map((key) => flag(of?.[key]));
  const scores = 'options' in evalCase
    ? ['choice', question(evalCase), evalCase.answer, result?.choice?.chosen ?? '']
    : [evalCase.kind, question(evalCase), evalCase.gold.join(LIST), ...[outcome?.hits, outcome?.missed, outcome?.negated].map((items) => items?.join(LIST) ?? '')];
  const error = result?.error ? `${result.error.code}: ${result.error.message}` : '';
  return [
    run.id, target, evalCase.id, ...scores, ...verdicts(outcome?.auto), ...verdicts(outcome?.reviewed),
    result?.review?.reviewer ?? '', result?.review?.note ?? '', result?.status ?? 'unanswered', error, result?.answer ?? '',
  ];
}

function header(run: EvalRunDetail): string[] {
  const snake = CRITERIA[run.format].map((c) => c.key.replace(/[A-Z]/g, (upper) => `_${upper.toLowerCase()}`));
  const scores = run.format === 'choice' ? ['kind', 'question', 'gold', 'chosen'] : ['kind', 'question', 'gold', 'hits', 'missed', 'negated'];
  return ['run_id', 'target', 'case_id', ...scores, ...snake.map((c) => `auto_${c}`), ...snake.map((c) => `reviewed_${c}`), 'reviewer', 'note', 'status', 'error', 'answer'];
}

export function runCsv(run: EvalRunDetail): string {
  const rows = run.cases.flatMap(({ case: evalCase, results }) =>
    run.targets.map(({ label }, target) => row(run, evalCase, label, results.find((r) => r.target === target))));
  // The BOM is how Excel knows a CSV is UTF-8: without it, it reads the Chinese as the system's ANSI code page.
  // escape_formulas: answers are model output, and a cell starting with = + - @ would run as a formula.
  return stringify([header(run), ...rows], { bom: true, record_delimiter: 'windows', escape_formulas: true });
}
