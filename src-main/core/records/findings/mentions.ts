import type { Speaker, Turn } from '../../../contract/index.js';
import { findDurations } from './durations.js';
import type { Vocabulary, VocabularyEntry, VocabularyForm } from './vocabulary.js';

/**
 * Where the vocabulary's terms are spoken: each turn cut into sentences (the unit of a question)
 * and clauses (the unit of negation and of a duration), each term found longest-first.
 */

export interface Sentence {
  text: string;
  /** Asked as a question: ends with ？ or a question particle, or asks 有没有/是否. */
  question: boolean;
}

export interface Mention {
  turn: number;
  speaker: Speaker;
  entry: VocabularyEntry;
  /** The words themselves say the item is abnormal or absent (失眠 for 睡眠). */
  abnormal: boolean;
  /** The clause, the mention's place in it, and the sentence around it. */
  clause: string;
  start: number;
  end: number;
  /** The sentence's text before the clause, for cues said earlier in the sentence (建议…，…). */
  sentenceBefore: string;
  sentence: Sentence;
  /** The index of the sentence among the turn's questions, when it is one. */
  questionIndex: number | null;
  /** Where the list the mention is part of ends (胸闷、气短都没有: the negation after the list is each one's). */
  listEnd: number;
  /** The clause is nothing but terms (…，房间隔缺损): it continues what the clause before it said. */
  bare: boolean;
  duration: string | null;
}

export interface TurnText {
  turn: Turn;
  sentences: Sentence[];
  /** The clauses of the turn in order (an answer is read clause by clause). */
  clauses: string[];
  mentions: Mention[];
}

const SENTENCE = /[^。！？!?；;\n…~]+[。！？!?；;\n…~]*/gu;
const CLAUSE_BREAK = /[，,：:]/u;
const QUESTION_END = /(?:[?？]|[吗么呢嘛没][。！!…~～\s]*)$/u;
const ASKS = /有没有|是否|有无|是不是|会不会|多久|多长时间|怎么样/u;
// Said about what the doctor will look for, not asked of the patient (看看有没有心律失常).
const NOT_ASKED = /看看|观察|明确|排除|检查|复查|查一下|注意|如果|要是/u;

const ALTERNATIVE = /^(?:还是|或者是?|或是)/u;

const ALLERGY = '过敏';
/** How much of the sentence before a clause its cues are read from (建议…，…，做心电图). */
const SENTENCE_REACH = 40;
const isLatin = (ch: string | undefined): boolean => ch !== undefined && /[a-z0-9]/u.test(ch);

export function readTurn(turn: Turn, vocabulary: Vocabulary): TurnText {
  // Chat writes a space where prose writes a full stop (没有  就是睡眠不好): between Chinese words it ends a sentence.
  const text = turn.text.normalize('NFKC').toLowerCase().replace(/(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])/gu, '\n');
  const sentences: Sentence[] = [];
  const clauses: string[] = [];
  const mentions: Mention[] = [];
  let questions = 0;
  for (const match of text.matchAll(SENTENCE)) {
    const raw = match[0];
    const body = raw.trim();
    if (!body) continue;
    const question = QUESTION_END.test(body) || (ASKS.test(body) && !NOT_ASKED.test(body));
    const sentence = { text: body, question };
    sentences.push(sentence);
    // 是冠心病吗？还是瓣膜病？ is one question offering alternatives: one answer settles both.
    const alternative = question && questions > 0 && ALTERNATIVE.test(body);
    const questionIndex = question ? (alternative ? questions - 1 : questions++) : null;
    let before = '';
    for (const clause of body.replace(/[。！？!?；;\n…~]+$/u, '').split(CLAUSE_BREAK)) {
      if (!clause.trim()) continue;
      clauses.push(clause);
      const found = findInClause(clause, vocabulary);
      const durations = findDurations(clause);
      const bare = isBare(clause, found);
      found.forEach((f, i) => {
        mentions.push({
          turn: turn.index,
          speaker: turn.speaker,
          ...f,
          clause,
          sentenceBefore: before,
          sentence,
          questionIndex,
          listEnd: listEnd(clause, found, i),
          bare,
          duration: nearestDuration(durations, f.start, f.end),
        });
      });
      // Cues reach back a few clauses, not the whole of a run-on sentence.
      before = `${before}${clause}，`.slice(-SENTENCE_REACH);
    }
  }
  return { turn, sentences, clauses, mentions };
}

const LIST_JOIN = /^[、和及与或跟,/\s]*$/u;
const FILLER = /[、和及与或跟等,/\s的症状]/gu;

function listEnd(clause: string, found: readonly Found[], at: number): number {
  let end = found[at]?.end ?? 0;
  for (let next = at + 1; next < found.length; next++) {
    const f = found[next] as Found;
    if (!LIST_JOIN.test(clause.slice(end, f.start))) break;
    end = f.end;
  }
  return end;
}

function isBare(clause: string, found: readonly Found[]): boolean {
  if (found.length === 0) return false;
  let rest = '';
  let at = 0;
  for (const f of found) {
    rest += clause.slice(at, f.start);
    at = f.end;
  }
  return (rest + clause.slice(at)).replace(FILLER, '').length === 0;
}

/** The duration nearest the mention in its clause (三天 of 胸痛三天, 三天前开始胸痛). */
function nearestDuration(spans: ReturnType<typeof findDurations>, start: number, end: number): string | null {
  let best: { text: string; distance: number } | null = null;
  for (const span of spans) {
    if (span.start < end && span.end > start) continue; // part of the term itself (24小时动态心电图)
    const distance = span.start >= end ? span.start - end : Math.max(0, start - span.end);
    if (!best || distance < best.distance) best = { text: span.text, distance };
  }
  return best?.text ?? null;
}

interface Found {
  entry: VocabularyEntry;
  abnormal: boolean;
  start: number;
  end: number;
}

/**
 * Longest match first, left to right, without overlaps. Allergen words (青霉素) are medicines
 * too: in a clause that speaks of 过敏 they are read as allergies, elsewhere as medicines.
 */
function findInClause(clause: string, vocabulary: Vocabulary): Found[] {
  const allergyContext = clause.includes(ALLERGY);
  const found: Found[] = [];
  let i = 0;
  while (i < clause.length) {
    const first = String.fromCodePoint(clause.codePointAt(i) ?? 0);
    const hit = pick(vocabulary.byFirstChar.get(first) ?? [], clause, i, allergyContext);
    if (hit) {
      found.push({ ...hit, start: i, end: i + hit.length });
      i += hit.length;
    } else {
      i += first.length;
    }
  }
  return found;
}

function pick(forms: readonly VocabularyForm[], clause: string, at: number, allergyContext: boolean) {
  for (const candidate of forms) {
    if (!clause.startsWith(candidate.form, at)) continue;
    // A Latin name (ct, ecg) is a word of its own, not part of a longer one (doctor, fact).
    if (isLatin(candidate.form[0]) && isLatin(clause[at - 1])) continue;
    if (isLatin(candidate.form.at(-1)) && isLatin(clause[at + candidate.form.length])) continue;
    const chosen = allergyContext ? asAllergy(candidate) : candidate.entries.find((e) => e.entry.category !== '过敏');
    if (chosen) return { entry: chosen.entry, abnormal: chosen.abnormal, length: candidate.form.length };
  }
  return null;
}

/** In a clause about 过敏: the allergen class if the vocabulary has one, else a medicine named as the allergen. */
function asAllergy(candidate: VocabularyForm): VocabularyForm['entries'][number] | undefined {
  const allergen = candidate.entries.find((e) => e.entry.category === '过敏');
  if (allergen) return allergen;
  const drug = candidate.entries.find((e) => e.entry.category === '药物');
  if (drug) return { entry: { category: '过敏', term: drug.entry.term }, abnormal: false };
  return candidate.entries[0];
}
