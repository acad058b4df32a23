import { describe, expect, it } from 'vitest';
import { parseChoice, scoreChoice } from '../../src-main/core/eval/scoring/choice.js';

const FIVE = { A: '阿莫西林', B: '头孢克肟', C: '左氧氟沙星', D: '阿奇霉素', E: '甲硝唑' };
const EXAMS = { A: 'CT', B: 'MRI', C: '心电图', D: '胃镜' };
const NESTED = { A: '高血压', B: '继发性高血压', C: '低血压', D: '体位性低血压' };

describe('eval scoring: the letters a free-text answer chooses', () => {
  it.each([
    ['a stated answer', '答案：B', FIVE, 'B'],
    ['a bare letter', 'B', FIVE, 'B'],
    ['选 + letter', '选B', FIVE, 'B'],
    ['several letters joined by 和', '正确答案是 B 和 D', FIVE, 'BD'],
    ['a list with 、', '答案：A、C', FIVE, 'AC'],
    ['a run of letters', 'AB', FIVE, 'AB'],
    ['a letter in brackets', '(C)', FIVE, 'C'],
    ['a letter opening its option text', 'C. 左氧氟沙星', FIVE, 'C'],
    ['选择选项', '我选择选项D', FIVE, 'D'],
    ['full-width letter', 'Ｂ', FIVE, 'B'],
    ['full-width brackets', '答案为（Ｅ）', FIVE, 'E'],
    ['lowercase after a stated answer', '答案：b', FIVE, 'B'],
    ['a whole answer in lowercase', 'b', FIVE, 'B'],
    ['English stated answer', 'The answer is (C).', FIVE, 'C'],
    ['English stated answer with a reason after', 'Answer: D because it covers atypical pathogens', FIVE, 'D'],
    ['the first stated answer, not a negated 选', '答案是B，不应选A', FIVE, 'B'],
    ['不选 is no choice', '不选A，选C', FIVE, 'C'],
    ['a letter named as an option at the end of reasoning', '综合分析，最可能是C。', FIVE, 'C'],
    ['C项', '本题C项正确', FIVE, 'C'],
    ['option named, HbA1c ignored', 'HbA1c 升高，提示选项 D', FIVE, 'D'],
    ['option text only', '应首选阿奇霉素治疗', FIVE, 'D'],
    ['option text nested in a longer option', '考虑继发性高血压', NESTED, 'B'],
    ['stated letter beats option text', '答案：A。阿莫西林不如头孢克肟', FIVE, 'A'],
  ])('%s: %s', (_what, answer, options, expected) => {
    expect(parseChoice(answer, options)).toBe(expected);
  });

  it.each([
    ['"Based" is no B', 'Based on the history, further tests are needed.', FIVE],
    ['"A patient" is no A', 'A patient like this needs a careful history.', FIVE],
    ['"a" as an article after answer', 'The answer is a broad-spectrum drug.', FIVE],
    ['letters of a name: B超', '首选B超检查', EXAMS],
    ['letters of a name: ACE抑制剂', '答案是ACE抑制剂', FIVE],
    ['letters of an English abbreviation', 'The answer is ACE inhibitors.', FIVE],
    ['a letter not among the options', '答案：F', FIVE],
    ['options named with different verdicts', '选项A错误，选项B也不对', FIVE],
    ['restating several options', '阿莫西林和头孢克肟都可以', FIVE],
    ['nothing at all', '无法判断', FIVE],
    ['one-character options are not read from text', '是', { A: '是', B: '否' }],
  ])('%s → null', (_what, answer, options) => {
    expect(parseChoice(answer, options)).toBeNull();
  });

  it('reads option text of two options nested both ways only by the longest', () => {
    expect(parseChoice('体位性低血压可能性大', NESTED)).toBe('D');
    expect(parseChoice('低血压', NESTED)).toBe('C');
  });
});

describe('eval scoring: a choice is correct by exact letter sets', () => {
  it.each([
    ['B', 'B', true],
    ['BA', 'AB', true],
    ['A', 'AB', false],
    ['ABC', 'AB', false],
    ['C', 'D', false],
    [null, 'A', false],
  ] as const)('%s vs %s → %s', (chosen, answer, expected) => {
    expect(scoreChoice(chosen, answer)).toBe(expected);
  });
});
