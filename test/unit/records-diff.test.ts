import { describe, expect, it } from 'vitest';
import type { DiffPart, RecordSection } from '../../src-main/contract/index.js';
import { diffSections, diffText } from '../../src-main/core/records/diff.js';

const side = (parts: DiffPart[], drop: DiffPart['op']): string => parts.filter((p) => p.op !== drop).map((p) => p.text).join('');

function section(key: string, title: string, text: string): RecordSection {
  return { key, title, required: false, sentences: text ? [{ text, evidence: [], origin: 'doctor' }] : [] };
}

describe('records diff: text', () => {
  const pairs: Array<[string, string]> = [
    ['患者3天前出现胸痛。', '患者3天前活动后出现胸痛，休息后缓解。'],
    ['咳嗽3天，伴发热。', '咳痰5天，无发热。'],
    ['阿莫西林 0.5g tid 口服。', '阿莫西林 0.25g bid 口服。'],
    ['', '新写的一段。'],
    ['整段删除。', ''],
    ['体温37.5℃，心率88次/分。', '体温38.5℃，心率88次/分。😀'],
    ['Chest pain for 3 days.', 'Chest tightness for 2 days.'],
  ];

  it.each(pairs)('gives back both texts: %s → %s', (a, b) => {
    const parts = diffText(a, b);
    expect(side(parts, 'added')).toBe(a);
    expect(side(parts, 'removed')).toBe(b);
    expect(parts.every((p) => p.text.length > 0)).toBe(true);
    // Runs are merged: never two neighbours of the same kind.
    parts.slice(1).forEach((p, i) => expect(p.op).not.toBe(parts[i]!.op));
  });

  it('shows an insertion as one added run', () => {
    expect(diffText('患者3天前出现胸痛。', '患者3天前活动后出现胸痛。')).toEqual([
      { op: 'same', text: '患者3天前' },
      { op: 'added', text: '活动后' },
      { op: 'same', text: '出现胸痛。' },
    ]);
  });

  it('folds a short unchanged run between two changes into one replacement', () => {
    expect(diffText('咳嗽3天，伴发热。', '咳痰5天，无发热。')).toEqual([
      { op: 'same', text: '咳' },
      { op: 'removed', text: '嗽3天，伴' },
      { op: 'added', text: '痰5天，无' },
      { op: 'same', text: '发热。' },
    ]);
  });

  it('keeps a sentence end as an anchor between changes', () => {
    const parts = diffText('胸痛。无发热。', '胸闷。有发热。');
    expect(parts).toContainEqual({ op: 'same', text: '。' });
  });

  it('compares numbers and Latin words whole', () => {
    expect(diffText('体温37.5℃', '体温38.5℃')).toEqual([
      { op: 'same', text: '体温' },
      { op: 'removed', text: '37.5' },
      { op: 'added', text: '38.5' },
      { op: 'same', text: '℃' },
    ]);
    expect(diffText('阿莫西林 tid', '阿莫西林 bid')).toEqual([
      { op: 'same', text: '阿莫西林 ' },
      { op: 'removed', text: 'tid' },
      { op: 'added', text: 'bid' },
    ]);
  });

  it('shows texts too different to compare as replaced whole', () => {
    const a = '甲乙丙丁'.repeat(2500);
    const b = '子丑寅卯'.repeat(2500);
    expect(diffText(a, b)).toEqual([{ op: 'removed', text: a }, { op: 'added', text: b }]);
  });

  it('has nothing to show for two empty texts', () => {
    expect(diffText('', '')).toEqual([]);
  });
});

describe('records diff: sections', () => {
  it('lists sections of either version in the order of the newer, a removed one where it was', () => {
    const from = [section('chiefComplaint', '主诉', '胸痛3天'), section('pastHistory', '既往史', '否认高血压。'), section('plan', '处理意见', '观察。')];
    const to = [section('plan', '治疗处理意见', '复查心电图。'), section('chiefComplaint', '主诉', '胸痛3天'), section('specialExam', '专科检查', '心界不大。')];
    const diff = diffSections(from, to);
    expect(diff.map((d) => [d.key, d.title])).toEqual([
      ['plan', '治疗处理意见'],
      ['chiefComplaint', '主诉'],
      ['pastHistory', '既往史'],
      ['specialExam', '专科检查'],
    ]);
    expect(diff.find((d) => d.key === 'pastHistory')!.parts).toEqual([{ op: 'removed', text: '否认高血压。' }]);
    expect(diff.find((d) => d.key === 'specialExam')!.parts).toEqual([{ op: 'added', text: '心界不大。' }]);
    expect(diff.find((d) => d.key === 'chiefComplaint')!.parts).toEqual([{ op: 'same', text: '胸痛3天' }]);
  });

  it('puts a removed first section first', () => {
    const diff = diffSections([section('a', 'A', '一。'), section('b', 'B', '二。')], [section('b', 'B', '二。')]);
    expect(diff.map((d) => d.key)).toEqual(['a', 'b']);
  });
});
