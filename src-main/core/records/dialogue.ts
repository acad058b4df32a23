import { XinglinError, type Speaker, type Turn } from '../../contract/index.js';

/**
 * Reads a consultation as turns. Each turn starts with a speaker prefix (患者：… / 医生：…, the
 * family speaking for the patient counts as the patient); a line without one continues the turn
 * before it. A JSON array of strings (MIE's `utterances`) maps one string to one turn, so turn
 * indices stay aligned with the array and evidence indices can be compared with it.
 */

const PATIENT_NAMES = ['患儿家属', '患者', '病人', '家属', '患方', 'patient', 'p'];
const DOCTOR_NAMES = ['医生', '大夫', '医师', 'doctor', 'dr', 'd'];

// Longest names first so 患儿家属 is not read as 家属; English names case-insensitive, `Dr.` allowed.
const PREFIX = new RegExp(
  `^[\\s\\uFEFF]*[\\[【(（]?(${[...PATIENT_NAMES, ...DOCTOR_NAMES].sort((a, b) => b.length - a.length).join('|')})\\.?[\\]】)）]?\\s*[:：]\\s?`,
  'iu',
);

const NO_PREFIX_MESSAGE = '没有识别到说话人前缀，每一行请以“患者：”或“医生：”开头';

interface Prefixed {
  speaker: Speaker;
  text: string;
}

function splitPrefix(line: string): Prefixed | null {
  const match = PREFIX.exec(line);
  if (!match) return null;
  const name = (match[1] ?? '').toLowerCase();
  return { speaker: DOCTOR_NAMES.includes(name) ? '医生' : '患者', text: line.slice(match[0].length).trim() };
}

/** The speakers that take part, in order of first appearance (a self-report has one). */
export function speakersOf(turns: readonly Turn[]): Speaker[] {
  return [...new Set(turns.map((t) => t.speaker))];
}

export function parseDialogue(text: string): Turn[] {
  if (!text.trim()) throw new XinglinError('DIALOGUE_INVALID', '对话内容为空，请粘贴或输入医患对话');
  const utterances = jsonUtterances(text);
  return utterances ? fromUtterances(utterances) : fromLines(text);
}

/** A JSON array of strings, or null when the text is not one. */
function jsonUtterances(text: string): string[] | null {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[')) return null;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return null;
  }
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
}

function fromUtterances(utterances: string[]): Turn[] {
  const parsed = utterances.map((u) => splitPrefix(u));
  const firstKnown = parsed.find((p) => p !== null);
  if (!firstKnown) throw new XinglinError('DIALOGUE_INVALID', NO_PREFIX_MESSAGE);
  // One string is one turn even without a prefix: it keeps the speaker before it, so indices stay 1:1.
  let speaker = firstKnown.speaker;
  return parsed.map((p, index) => {
    if (p) speaker = p.speaker;
    return { index, speaker, text: p ? p.text : (utterances[index] ?? '').trim() };
  });
}

function fromLines(text: string): Turn[] {
  const turns: Turn[] = [];
  const leading: string[] = [];
  for (const raw of text.split(/\r\n|\r|\n/u)) {
    const line = raw.trim();
    if (!line) continue;
    const prefixed = splitPrefix(line);
    const last = turns[turns.length - 1];
    if (prefixed) turns.push({ index: turns.length, speaker: prefixed.speaker, text: prefixed.text });
    else if (last) last.text = last.text ? `${last.text}\n${line}` : line;
    else leading.push(line);
  }
  const first = turns[0];
  if (!first) throw new XinglinError('DIALOGUE_INVALID', NO_PREFIX_MESSAGE);
  // Text above the first prefix (a heading, a note) is kept with the first turn rather than lost.
  if (leading.length > 0) first.text = [...leading, first.text].filter(Boolean).join('\n');
  return turns;
}
