import { describe, expect, it } from 'vitest';
import type { CaseResult, CaseReview, GoldItemScore } from '../../src-main/contract/index.js';
import { summarize } from '../../src-main/core/eval/scoring/summary.js';
import { wilson } from '../../src-main/core/eval/scoring/wilson.js';

describe('eval scoring: Wilson interval', () => {
  it.each([
    [8, 10, 0.8, 0.4902, 0.9433],
    [0, 10, 0, 0, 0.2775],
    [10, 10, 1, 0.7225, 1],
    [50, 100, 0.5, 0.4038, 0.5962],
    [1, 2, 0.5, 0.0945, 0.9055],
  ])('%i of %i', (count, n, rate, low, high) => {
    const r = wilson(count, n);
    expect(r).toMatchObject({ count, n });
    expect(r.rate).toBeCloseTo(rate, 10);
    expect(r.low).toBeCloseTo(low, 4);
    expect(r.high).toBeCloseTo(high, 4);
  });

  it('is exact at the edges and symmetric', () => {
    expect(wilson(0, 7).low).toBe(0);
    expect(wilson(7, 7).high).toBe(1);
    expect(wilson(3, 10).low).toBeCloseTo(1 - wilson(7, 10).high, 12);
  });

  it('reports 0 of 0 as zeros, not NaN', () => {
    expect(wilson(0, 0)).toEqual({ count: 0, n: 0, rate: 0, low: 0, high: 0 });
  });

  it('narrows with z', () => {
    const wide = wilson(8, 10);
    const narrow = wilson(8, 10, 1);
    expect(narrow.low).toBeGreaterThan(wide.low);
    expect(narrow.high).toBeLessThan(wide.high);
  });

  it('refuses counts that cannot be', () => {
    expect(() => wilson(11, 10)).toThrow(RangeError);
    expect(() => wilson(-1, 10)).toThrow(RangeError);
    expect(() => wilson(1.5, 10)).toThrow(RangeError);
  });
});

type Scored = Pick<CaseResult, 'status' | 'items' | 'choice' | 'review'>;

const item = (name: string, hit: boolean): GoldItemScore => ({ item: name, hit, via: hit ? 'name' : null, spans: hit ? [[0, 1]] : [], negated: false });
const review = (over: Partial<CaseReview>): CaseReview => ({ items: {}, correct: null, note: '', reviewer: '王医生', reviewedAt: 1, ...over });
const criteria = (hits: boolean[], reviewed: CaseReview | null = null): Scored => ({
  status: 'done', items: hits.map((hit, i) => item(`项${i}`, hit)), choice: null, review: reviewed,
});
const failed: Scored = { status: 'failed', items: null, choice: null, review: null };
const choice = (correct: boolean, reviewed: CaseReview | null = null): Scored => ({
  status: 'done', items: null, choice: { chosen: correct ? 'A' : 'B', via: 'parsed', correct }, review: reviewed,
});

describe('eval scoring: a target\'s scores', () => {
  it('counts the three criteria over every case, failed ones as misses', () => {
    const results = [criteria([true, true, false]), criteria([true, false]), criteria([true, false, false]), criteria([false]), failed];
    const scores = summarize('criteria', results, false);
    expect(scores.correct).toBeNull();
    expect([scores.any, scores.half, scores.twoThirds].map((r) => [r!.count, r!.n])).toEqual([[3, 5], [2, 5], [1, 5]]);
    expect(scores.any).toEqual(wilson(3, 5));
  });

  it('applies a review\'s item verdicts only to the reviewed scores', () => {
    const results = [criteria([false, false], review({ items: { 项0: true, 项1: true } })), criteria([true, true], review({ items: { 项1: false } }))];
    const auto = summarize('criteria', results, false);
    const reviewed = summarize('criteria', results, true);
    expect([auto.any!.count, auto.half!.count, auto.twoThirds!.count]).toEqual([1, 1, 1]);
    expect([reviewed.any!.count, reviewed.half!.count, reviewed.twoThirds!.count]).toEqual([2, 2, 1]);
  });

  it('ignores review keys that are not gold items, even Object.prototype names', () => {
    const results = [{ ...criteria([false]), items: [item('constructor', false)], review: review({ items: { 其他: true } }) }];
    expect(summarize('criteria', results, true).any!.count).toBe(0);
  });

  it('scores a choice set by correctness, with a review\'s verdict overriding', () => {
    const results = [choice(true), choice(false, review({ correct: true })), choice(true, review({ correct: false })), choice(false, review({ correct: null })), failed];
    const auto = summarize('choice', results, false);
    const reviewed = summarize('choice', results, true);
    expect(auto).toEqual({ any: null, half: null, twoThirds: null, correct: wilson(2, 5) });
    expect(reviewed.correct).toEqual(wilson(2, 5));
    expect(summarize('choice', [choice(false, review({ correct: true }))], true).correct!.count).toBe(1);
  });

  it('keeps a failed case a miss whatever its review says', () => {
    const reviewedFailure: Scored = { ...failed, review: review({ correct: true }) };
    expect(summarize('choice', [reviewedFailure], true).correct!.count).toBe(0);
  });

  it('gives zero rates for an empty run', () => {
    expect(summarize('criteria', [], true).any).toEqual(wilson(0, 0));
  });
});
