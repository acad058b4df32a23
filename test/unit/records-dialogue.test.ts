import { describe, expect, it } from 'vitest';
import { XinglinError } from '../../src-main/contract/index.js';
import { parseDialogue, speakersOf } from '../../src-main/core/records/dialogue.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return error instanceof XinglinError ? error.code : 'other';
  }
  return undefined;
};

describe('parseDialogue', () => {
  it('reads 患者/医生 turns with either colon and maps family and English names to the two speakers', () => {
    const turns = parseDialogue('患者：胸痛三天\n医生:多久了？\n家属：他一直咳嗽\n大夫：好的\n患儿家属: 发烧\nDoctor: ok\nDr.: 再看看\nPatient: 🙂 fine\nP: yes\n病人：嗯\n医师：行');
    expect(turns.map((t) => t.speaker)).toEqual(['患者', '医生', '患者', '医生', '患者', '医生', '医生', '患者', '患者', '患者', '医生']);
    expect(turns[0]).toEqual({ index: 0, speaker: '患者', text: '胸痛三天' });
    expect(turns[7]?.text).toBe('🙂 fine');
  });

  it('continues the previous turn with a line that has no prefix, and skips blank lines', () => {
    const turns = parseDialogue('患者：胸口疼\n疼了两天\n\n医生：有没有出汗？');
    expect(turns).toEqual([
      { index: 0, speaker: '患者', text: '胸口疼\n疼了两天' },
      { index: 1, speaker: '医生', text: '有没有出汗？' },
    ]);
  });

  it('keeps an empty turn so indices stay aligned', () => {
    const turns = parseDialogue('患者：头晕\n医生:\n患者：是的');
    expect(turns.map((t) => [t.index, t.speaker, t.text])).toEqual([[0, '患者', '头晕'], [1, '医生', ''], [2, '患者', '是的']]);
  });

  it('maps a JSON array of utterances one to one, empty ones included', () => {
    const turns = parseDialogue(JSON.stringify(['患者:心慌', '医生:多久了', '患者:两周', '医生:']));
    expect(turns.map((t) => t.text)).toEqual(['心慌', '多久了', '两周', '']);
    expect(turns.map((t) => t.index)).toEqual([0, 1, 2, 3]);
  });

  it('allows a one-speaker self-report', () => {
    const turns = parseDialogue('患者：我胸闷一个月\n患者：晚上睡不好');
    expect(speakersOf(turns)).toEqual(['患者']);
  });

  it('keeps text above the first prefix with the first turn', () => {
    expect(parseDialogue('门诊记录\n患者：咳嗽')[0]?.text).toBe('门诊记录\n咳嗽');
  });

  it('refuses empty text and text without any speaker prefix, in Chinese', () => {
    expect(codeOf(() => parseDialogue('   \n  '))).toBe('DIALOGUE_INVALID');
    expect(codeOf(() => parseDialogue('胸痛三天，没有发热'))).toBe('DIALOGUE_INVALID');
    expect(codeOf(() => parseDialogue('["胸痛三天"]'))).toBe('DIALOGUE_INVALID');
    expect(() => parseDialogue('胸痛三天')).toThrow(/没有识别到说话人前缀/);
  });

  it('reads 200 KB of dialogue', () => {
    const pair = '患者：最近胸闷气短，晚上睡不着，没有发热😷\n医生：建议做心电图和心脏彩超\n';
    const text = pair.repeat(Math.ceil(200_000 / pair.length));
    const turns = parseDialogue(text);
    expect(turns.length).toBe(2 * Math.ceil(200_000 / pair.length));
    expect(turns.at(-1)?.speaker).toBe('医生');
  });
});
