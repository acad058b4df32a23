import type { CaseResult, ChoiceCase, CriteriaCase, EvalCase, EvalRunDetail } from '../../../contract/index.js';
import { caseOutcome, itemOverride } from './case-outcome.js';
import { CRITERIA, KIND_LABELS, localDateTime, VIA_LABELS } from './format.js';
import { escapeHtml, highlightedAnswer } from './html-text.js';

/**
 * The report's per-case part: one closed `<details>` per case, so a run of a thousand cases reads as
 * a list of one-line summaries (and prints as one) and a doctor opens the ones to look at.
 */

const SUMMARY_CHARS = 60;
const LABEL_CHARS = 12;

const cut = (text: string, chars: number): string => text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
const questionOf = (evalCase: EvalCase): string => 'options' in evalCase ? evalCase.question : evalCase.instruction;

/** One target's outcome in the case's summary line: hits (criteria) or the choice, and its verdict as a class. */
function chip(run: EvalRunDetail, evalCase: EvalCase, label: string, result: CaseResult | undefined): string {
  const name = escapeHtml(cut(label, LABEL_CHARS));
  if (result === undefined) return `<span class="chip pending" title="${escapeHtml(label)}">${name}：未回答</span>`;
  if (result.status === 'failed') return `<span class="chip failed" title="${escapeHtml(label)}">${name}：失败</span>`;
  const outcome = caseOutcome(evalCase, result);
  const first = CRITERIA[run.format][0]?.key ?? 'any';
  const text = 'options' in evalCase
    ? `选 ${result.choice?.chosen ?? '—'}`
    : `命中 ${outcome.hits.length}/${evalCase.gold.length}`;
  const reviewedHits = 'options' in evalCase || outcome.reviewedHits.length === outcome.hits.length ? '' : ` → ${outcome.reviewedHits.length}/${evalCase.gold.length}`;
  const reviewed = result.review === null ? '' : ` · 已复核${reviewedHits}`;
  return `<span class="chip ${outcome.reviewed[first] ? 'pass' : 'miss'}" title="${escapeHtml(label)}">${name}：${escapeHtml(text)}${reviewed}</span>`;
}

function goldList(evalCase: CriteriaCase, result: CaseResult): string {
  const scored = new Map((result.items ?? []).map((score) => [score.item, score]));
  const items = evalCase.gold.map((item) => {
    const score = scored.get(item);
    const [kind, mark, how] = score?.hit ? ['hit', '✓', `（${VIA_LABELS[score.via ?? 'name']}）`]
      : score?.negated ? ['negated', '⊘', '（仅在否定中提及）']
      : ['missed', '✗', ''];
    const override = itemOverride(result, item);
    const review = override === undefined || override === (score?.hit ?? false) ? '' : `<span class="override">复核改为${override ? '命中' : '未命中'}</span>`;
    return `<li class="${kind}"><span class="mark" aria-hidden="true">${mark}</span>${escapeHtml(item)}<small>${how}</small>${review}</li>`;
  });
  return `<ul class="gold" aria-label="标准答案">${items.join('')}</ul>`;
}

function choiceLine(evalCase: ChoiceCase, result: CaseResult): string {
  const choice = result.choice;
  const via = choice?.via === 'likelihood' ? '比较各选项似然' : choice?.via === 'parsed' ? '从回答中读出' : '未能读出';
  const verdict = choice?.correct ? '<span class="pass">正确</span>' : '<span class="miss">错误</span>';
  return `<p class="choice">所选：${escapeHtml(choice?.chosen ?? '—')}（${via}）· 标准答案：${escapeHtml(evalCase.answer)} · ${verdict}</p>`;
}

function reviewBlock(result: CaseResult): string {
  const review = result.review;
  if (review === null) return '';
  const correct = review.correct === null ? '' : `，判定为${review.correct ? '正确' : '错误'}`;
  const note = review.note.trim() === '' ? '' : `<p class="note">${escapeHtml(review.note)}</p>`;
  return `<div class="review"><p>医生复核：${escapeHtml(review.reviewer)}（${localDateTime(review.reviewedAt)}）${correct}</p>${note}</div>`;
}

function resultBlock(evalCase: EvalCase, label: string, result: CaseResult | undefined): string {
  const heading = `<h4>${escapeHtml(label)}</h4>`;
  if (result === undefined) return `<section class="result">${heading}<p class="pending">本次评测尚未回答此例。</p></section>`;
  const error = result.error === null ? '' : `<p class="error">未能回答：${escapeHtml(result.error.message)}（${escapeHtml(result.error.code)}）</p>`;
  const scores = 'options' in evalCase ? choiceLine(evalCase, result) : goldList(evalCase, result);
  const answer = result.answer === '' ? '' : `<div class="answer">${highlightedAnswer(result.answer, result.items ?? [])}</div>`;
  const time = `<p class="time">用时 ${(result.ms / 1000).toFixed(1)} 秒</p>`;
  return `<section class="result">${heading}${error}${scores}${answer}${reviewBlock(result)}${time}</section>`;
}

function caseBody(evalCase: EvalCase): string {
  const question = `<p class="question">${escapeHtml(questionOf(evalCase))}</p>`;
  if (!('options' in evalCase)) return question;
  const options = Object.entries(evalCase.options).map(([key, text]) =>
    `<li${evalCase.answer.includes(key) ? ' class="gold-option"' : ''}>${escapeHtml(key)}. ${escapeHtml(text)}</li>`);
  return `${question}<ul class="options">${options.join('')}</ul>`;
}

export function casesSection(run: EvalRunDetail): string {
  const cases = run.cases.map(({ case: evalCase, results }) => {
    const resultOf = (target: number): CaseResult | undefined => results.find((r) => r.target === target);
    const kind = KIND_LABELS['options' in evalCase ? 'choice' : evalCase.kind];
    const chips = run.targets.map((t, i) => chip(run, evalCase, t.label, resultOf(i))).join('');
    const summary = `<summary><span class="case-id">${escapeHtml(evalCase.id)}</span><span class="kind">${kind}</span>`
      + `<span class="q">${escapeHtml(cut(questionOf(evalCase), SUMMARY_CHARS))}</span><span class="chips">${chips}</span></summary>`;
    const blocks = run.targets.map((t, i) => resultBlock(evalCase, t.label, resultOf(i))).join('');
    return `<details class="case">${summary}<div class="case-body">${caseBody(evalCase)}${blocks}</div></details>`;
  });
  const hint = run.format === 'choice' ? '点开一例查看题目、选项（标准答案加粗）、各目标的选择与回答，以及医生复核。'
    : '点开一例查看题目、标准答案、各目标的回答（命中处以高亮标出，划线为仅在否定中提及）与医生复核。';
  return `<section id="cases"><h2>逐例结果（${run.cases.length} 例）</h2><p class="hint">${hint}</p>`
    + `${cases.join('\n')}</section>`;
}
