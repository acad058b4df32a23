import { XinglinError, type RecordSection, type RecordSentence, type TemplateSection } from '../../../contract/index.js';

/**
 * Sentences are the unit a record's evidence hangs on: the draft writes sections as sentences, the
 * editor shows a section as text, and a save splits the doctor's text back into sentences so that a
 * sentence the doctor left alone keeps the turns it rests on.
 */

const CJK_TERMINATORS = '。！？；';
const LATIN_TERMINATORS = '.!?;';
const CLOSERS = '”’」』）)"\'';

/**
 * Splits at Chinese 。！？； (keeping them), at English . ! ? ; unless a Latin letter or digit follows
 * (so 37.5 and e.g. stay whole), and at line ends; closing quotes stay with their sentence.
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  const chars = [...text];
  let current = '';
  const flush = (): void => {
    const sentence = current.trim();
    if (sentence) sentences.push(sentence);
    current = '';
  };
  for (let i = 0; i < chars.length; i += 1) {
    const c = chars[i]!;
    if (c === '\n' || c === '\r') {
      flush();
      continue;
    }
    current += c;
    const ends = CJK_TERMINATORS.includes(c) || (LATIN_TERMINATORS.includes(c) && !/[A-Za-z0-9]/u.test(chars[i + 1] ?? ''));
    if (!ends) continue;
    while (i + 1 < chars.length && (CJK_TERMINATORS + LATIN_TERMINATORS + CLOSERS).includes(chars[i + 1]!)) current += chars[++i];
    flush();
  }
  flush();
  return sentences;
}


/**
 * The record after the doctor's edit: each edited section re-split into sentences; a sentence the
 * previous version had word for word keeps its evidence and origin, a new or changed one is the
 * doctor's (no evidence: the doctor vouches for it). Sections not edited keep their content.
 */
export function reviseSections(
  previous: RecordSection[],
  edited: { key: string; text: string }[],
  sections: TemplateSection[],
): RecordSection[] {
  const known = new Set(sections.map((s) => s.key));
  const texts = new Map<string, string>();
  for (const { key, text } of edited) {
    if (!known.has(key)) throw new XinglinError('INVALID_INPUT', `病历没有章节“${key}”（可用：${[...known].join('、')}）`, { key });
    if (texts.has(key)) throw new XinglinError('INVALID_INPUT', `章节“${key}”提交了两次`, { key });
    texts.set(key, text);
  }
  const before = new Map(previous.map((s) => [s.key, s]));
  return sections.map((template) => {
    const old = before.get(template.key)?.sentences ?? [];
    const text = texts.get(template.key);
    const base = { key: template.key, title: template.title, required: template.required };
    if (text === undefined) return { ...base, sentences: old };
    const byText = new Map<string, RecordSentence>();
    for (const sentence of old) if (!byText.has(sentence.text)) byText.set(sentence.text, sentence);
    const sentences = splitSentences(text).map((s): RecordSentence => {
      const kept = byText.get(s);
      return kept ? { text: s, evidence: [...kept.evidence], origin: kept.origin } : { text: s, evidence: [], origin: 'doctor' };
    });
    return { ...base, sentences };
  });
}
