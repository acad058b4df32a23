import { describe, expect, it } from 'vitest';
import type { GoldItemScore } from '$contract';
import { answerPieces } from './marks.js';

const score = (item: string, spans: Array<[number, number]>): GoldItemScore => ({ item, hit: spans.length > 0, via: spans.length ? 'name' : null, spans, negated: false });

describe('answerPieces', () => {
  it('cuts an answer at the UTF-16 spans of the items found, in order', () => {
    const answer = '适应症：抑郁症、惊恐障碍。';
    const pieces = answerPieces(answer, [score('惊恐障碍', [[8, 12]]), score('抑郁症', [[4, 7]]), score('焦虑', [])]);
    expect(pieces).toEqual([
      { text: '适应症：', item: null },
      { text: '抑郁症', item: '抑郁症' },
      { text: '、', item: null },
      { text: '惊恐障碍', item: '惊恐障碍' },
      { text: '。', item: null },
    ]);
    expect(pieces.map((p) => p.text).join('')).toBe(answer);
  });

  it('keeps overlapping spans apart (the earlier wins) and clamps spans past the end', () => {
    const answer = '高血压病患者';
    const pieces = answerPieces(answer, [score('高血压', [[0, 3]]), score('高血压病', [[0, 4]]), score('患者', [[4, 99]])]);
    expect(pieces).toEqual([
      { text: '高血压病', item: '高血压病' },
      { text: '患者', item: '患者' },
    ]);
  });

  it('counts UTF-16 units, as the host does: a character outside the BMP takes two', () => {
    const answer = '𠀀可用于痛风';
    expect(answerPieces(answer, [score('痛风', [[5, 7]])]).at(-1)).toEqual({ text: '痛风', item: '痛风' });
  });
});
