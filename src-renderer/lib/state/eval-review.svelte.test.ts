import { describe, expect, it } from 'vitest';
import type { CaseResult, ChoiceCase, EvalRunDetail } from '$contract';
import { isMiss } from './eval-review.svelte.js';
import { EvalState } from './eval.svelte.js';
import { criteriaCaseOf, criteriaResultOf, criteriaScores, dialogFiles, evalDetailOf, evalRunOf, evalTargetOf, fake } from './test-api.js';

/** The doctor the record pane knows: none at first, remembered once given. */
function identity(doctor = '') {
  const names: string[] = [];
  return {
    names,
    get doctor() {
      return doctor;
    },
    async setDoctor(name: string) {
      doctor = name.trim();
      names.push(doctor);
      return doctor !== '';
    },
  };
}

const c1 = criteriaCaseOf(1);
const c2 = criteriaCaseOf(2);
const c3 = criteriaCaseOf(3);
const c4 = criteriaCaseOf(4);
const detail = (): EvalRunDetail =>
  evalDetailOf(
    'r1',
    [
      { case: c1, results: [criteriaResultOf('c1', ['高血压', '心绞痛', '心律失常'])] },
      { case: c2, results: [criteriaResultOf('c2', ['高血压'])] },
      { case: c3, results: [criteriaResultOf('c3', [], { status: 'failed', answer: '', items: null, error: { code: 'PROMPT_TOO_LONG', message: '问题过长' } })] },
      { case: c4, results: [] },
    ],
    { state: 'done', jobId: null },
  );

async function reviewOn(handlers: Parameters<typeof fake>[0] = {}, doctor = '', run: EvalRunDetail = detail()) {
  const api = fake({ 'eval.run': () => run, ...handlers });
  const who = identity(doctor);
  const evaluation = new EvalState(api.api, dialogFiles(), { profiles: () => [], reviewer: who, refreshMs: 0, frames: (callback) => callback() });
  evaluation.attach();
  await evaluation.openRun('r1', 'review');
  return { ...api, evaluation, review: evaluation.review, who };
}

describe('EvalReviewState', () => {
  it('lists the cases by filter and moves through them, keeping the shown case when the filter hides it', async () => {
    const { review } = await reviewOn();
    expect(review.current?.case.id).toBe('c1');
    expect(review.rows.map((r) => r.case.id)).toEqual(['c1', 'c2', 'c3', 'c4']);
    review.move(1);
    review.move(1);
    expect(review.current?.case.id).toBe('c3');
    review.move(-1);
    expect(review.current?.case.id).toBe('c2');
    review.setFilter('failed');
    expect(review.rows.map((r) => r.case.id)).toEqual(['c3']);
    expect(review.current?.case.id).toBe('c3');
    review.setFilter('misses');
    expect(review.rows.map((r) => r.case.id)).toEqual(['c2']); // a failed case is no automatic miss: it has its own filter
    review.select('c4');
    expect(review.current?.case.id).toBe('c4'); // shown though not listed
    review.move(-1);
    expect(review.current?.case.id).toBe('c2');
    review.move(1); // nothing listed after it
    expect(review.current?.case.id).toBe('c2');
    review.setFilter('reviewed');
    expect(review.rows).toEqual([]);
    expect(review.canReview).toBe(true);
    review.select('c3');
    expect(review.canReview).toBe(false); // a failed case has no answer to judge
  });

  it('overrides a gold item, asks the doctor’s name once, saves, and shows the reviewed scores that follow', async () => {
    const reviewed = evalRunOf('r1', { state: 'done', jobId: null, targets: [evalTargetOf({ done: 3, auto: criteriaScores(2, 4), reviewed: criteriaScores(1, 4), reviewedCases: 1, reviewers: ['张医生'] })] });
    const { review, evaluation, calls, emit, who } = await reviewOn({
      'eval.review': (input) => {
        emit('eval.run', { run: reviewed });
        return { ...criteriaResultOf('c2', ['高血压']), review: { items: input.items, correct: input.correct, note: input.note, reviewer: input.reviewer, reviewedAt: 5 } } satisfies CaseResult;
      },
    });
    review.select('c2');
    expect(review.dirty).toBe(false);
    review.setItem('高血压', false);
    review.setItem('心绞痛', true);
    review.setItem('心绞痛', false); // back to the automatic verdict: no override
    review.setNote('回答提到高血压，但语境为禁忌');
    expect(review.draft).toEqual({ items: { 高血压: false }, correct: null, note: '回答提到高血压，但语境为禁忌' });
    expect(review.dirty).toBe(true);
    expect(review.isDirty('c2')).toBe(true);

    // The draft waits while the doctor looks at another case.
    review.move(1);
    expect(review.dirty).toBe(false);
    review.move(-1);
    expect(review.draft.items).toEqual({ 高血压: false });

    expect(await review.save()).toBe(false);
    expect(review.askingReviewer).toBe('save');
    expect(calls.filter(([name]) => name === 'eval.review')).toEqual([]);
    expect(await review.setReviewer('  张医生 ')).toBe(true);
    expect(who.names).toEqual(['张医生']);
    expect(review.askingReviewer).toBeNull();
    expect(calls.find(([name]) => name === 'eval.review')).toEqual(['eval.review', { runId: 'r1', caseId: 'c2', target: 0, items: { 高血压: false }, correct: null, note: '回答提到高血压，但语境为禁忌', reviewer: '张医生' }]);
    expect(review.dirty).toBe(false);
    expect(review.justSaved).toBe(true);
    expect(review.current!.result!.review).toMatchObject({ items: { 高血压: false }, reviewer: '张医生' });
    expect(review.draft.items).toEqual({ 高血压: false }); // the saved review is what the draft starts from
    const target = evaluation.view.detail!.targets[0]!;
    expect(target.reviewed.any).toMatchObject({ count: 1 });
    expect(target.auto.any).toMatchObject({ count: 2 });
    // Changing the name later saves nothing by itself.
    review.changeReviewer();
    expect(await review.setReviewer('李医生')).toBe(true);
    expect(who.names).toEqual(['张医生', '李医生']);
    expect(calls.filter(([name]) => name === 'eval.review')).toHaveLength(1);
    expect(evaluation.runs.byId('r1')!.targets[0]!.reviewedCases).toBe(1);
    review.setFilter('reviewed');
    expect(review.rows.map((r) => r.case.id)).toEqual(['c2']);
  });

  it('keeps the draft when the host refuses the review, and drops it on request', async () => {
    const { review } = await reviewOn({ 'eval.review': () => Promise.reject({ code: 'INVALID_INPUT', message: '复核的条目不在标准答案中：高压' }) }, '李医生');
    review.setItem('心律失常', false);
    expect(await review.save()).toBe(false);
    expect(review.saveError).toMatchObject({ code: 'INVALID_INPUT' });
    expect(review.dirty).toBe(true);
    review.discard();
    expect(review.dirty).toBe(false);
    expect(review.draft.items).toEqual({});
  });

  it('reviews a choice by its correctness', async () => {
    const exam: ChoiceCase = { id: 'q1', question: '高血压首选？', options: { A: '氨氯地平', B: '阿司匹林' }, answer: 'A' };
    const result: CaseResult = { caseId: 'q1', target: 0, status: 'done', answer: 'B', error: null, items: null, choice: { chosen: 'B', via: 'parsed', correct: false }, review: null, ms: 1 };
    const run = evalDetailOf('r1', [{ case: exam, results: [result] }], { format: 'choice', state: 'done', jobId: null });
    const { review, calls } = await reviewOn({ 'eval.review': (input) => ({ ...result, review: { ...input, reviewedAt: 1 } }) }, '王医生', run);
    expect(isMiss(result)).toBe(true);
    review.setItem('A', true); // no gold items here
    expect(review.dirty).toBe(false);
    review.setCorrect(false);
    expect(review.dirty).toBe(false); // as scored
    review.setCorrect(true);
    expect(review.draft.correct).toBe(true);
    expect(await review.save()).toBe(true);
    expect(calls.at(-1)).toEqual(['eval.review', { runId: 'r1', caseId: 'q1', target: 0, items: {}, correct: true, note: '', reviewer: '王医生' }]);
  });

  it('reviews each target apart, and starts over for another run', async () => {
    const two = evalDetailOf('r1', [{ case: c1, results: [criteriaResultOf('c1', ['高血压']), criteriaResultOf('c1', [], { target: 1 })] }], { targets: [evalTargetOf(), evalTargetOf({ label: '配置 a' })] });
    const { review, evaluation } = await reviewOn({}, '', two);
    review.setItem('高血压', false);
    review.setTarget(1);
    expect(review.current!.result!.target).toBe(1);
    expect(review.dirty).toBe(false);
    review.setTarget(5);
    expect(review.target).toBe(1);
    review.setTarget(0);
    expect(review.dirty).toBe(true);
    review.filter = 'misses';
    await evaluation.openRun('r1'); // the same run again: the review stays as it was
    expect(review.dirty).toBe(true);
    evaluation.view.close();
    await evaluation.openRun('r1');
    expect(review.dirty).toBe(false);
    expect(review.filter).toBe('all');
  });
});
