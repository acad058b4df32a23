import type { Finding, FindingStatus, Speaker, Turn } from '../../../contract/index.js';
import { findDurations } from './durations.js';
import { readTurn, type Mention, type TurnText } from './mentions.js';
import { isReply, readAnswer, readMention, type Reading } from './status.js';
import type { Vocabulary } from './vocabulary.js';

/**
 * Findings of a consultation, no model needed: every vocabulary term spoken, read for what it
 * asserts (status, whose side), the doctor's questions settled by the patient's next answer, then
 * merged per item the way a record reads the whole visit: the patient's side and the doctor's side
 * each keep their last settled status, and an item only mentioned (未知) is kept only when nothing
 * settled it.
 */

interface Assertion {
  mention: Mention;
  side: '患者' | '医生' | 'unknown';
  status: FindingStatus;
  evidence: number[];
  duration: string | null;
}

/** How long something has lasted is said of symptoms, medicines and habits, not of tests or operations. */
const TIMED = new Set<Finding['category']>(['症状', '药物', '一般信息']);

/** How far after a question its answer may come: the next turn, or the one after a doctor's follow-up line. */
const ANSWER_REACH = 2;

export function extractFindings(turns: readonly Turn[], vocabulary: Vocabulary): Finding[] {
  const texts = turns.map((t) => readTurn(t, vocabulary));
  const assertions: Assertion[] = [];
  // Question turns to add to the evidence of an answer that names the item itself, by answer turn and term.
  const askedBefore = new Map<string, number>();
  texts.forEach((text, i) => {
    const asked: { mention: Mention; invert: boolean }[] = [];
    let previous = null as { mention: Mention; reading: Reading } | null;
    for (const mention of text.mentions) {
      // A clause of bare terms continues the clause before it in the sentence (考虑是室间隔缺损，房间隔缺损).
      const continued: boolean = !!mention.bare && !!previous && previous.mention.sentence === mention.sentence && previous.mention.clause !== mention.clause && previous.mention.entry.category === mention.entry.category;
      const reading: Reading = continued && previous ? previous.reading : readMention(mention);
      previous = { mention, reading };
      if (reading.side === 'question') asked.push({ mention, invert: reading.invert });
      else add(assertions, mention, reading, [mention.turn]);
    }
    if (asked.length > 0) settleQuestions(asked, texts, i, assertions, askedBefore);
  });
  return merge(assertions, askedBefore);
}

function add(out: Assertion[], mention: Mention, reading: Reading, evidence: number[], duration: string | null = mention.duration): void {
  if (reading.side === 'none' || reading.side === 'question') return;
  const timed = TIMED.has(mention.entry.category) ? duration : null;
  if (reading.side === 'unknown') out.push({ mention, side: 'unknown', status: '未知', evidence, duration: timed });
  else out.push({ mention, side: reading.side, status: reading.status, evidence, duration: timed });
}

/**
 * A doctor's question becomes a finding only through the answer: the patient's next turn. An
 * answer that names the item speaks for itself (its own mention, with the question as evidence).
 * The other questions take the answer's yes/no clauses in order (做过心电图吗？有胸闷吗？ →
 * 做过。偶尔会有。); a question left without one, or with no answer at all, stays 未知.
 */
function settleQuestions(asked: { mention: Mention; invert: boolean }[], texts: TurnText[], at: number, out: Assertion[], askedBefore: Map<string, number>): void {
  const answer = texts.slice(at + 1, at + 1 + ANSWER_REACH).find((t) => t.turn.speaker === '患者');
  if (!answer) {
    for (const { mention } of asked) add(out, mention, { side: 'unknown' }, [mention.turn]);
    return;
  }
  const namedTerms = new Set(answer.mentions.map((m) => m.entry.term));
  const open = asked.filter((q) => !namedTerms.has(q.mention.entry.term));
  for (const { mention } of asked) if (namedTerms.has(mention.entry.term)) askedBefore.set(`${answer.turn.index}\u0000${mention.entry.term}`, mention.turn);
  // Clauses that name an item belong to it; the rest are candidates for yes/no.
  const replies = answer.clauses.filter((clause) => !answer.mentions.some((m) => m.clause === clause) && isReply(clause));
  const questionOrder = [...new Set(open.map((q) => q.mention.questionIndex ?? 0))].sort((a, b) => a - b);
  for (const { mention, invert } of open) {
    const sameQuestionNamed = asked.some((q) => q.mention.questionIndex === mention.questionIndex && namedTerms.has(q.mention.entry.term));
    // Fewer yes/no clauses than questions: the answer speaks to the questions asked last (…？有没有气短？ → 有).
    const skipped = Math.max(0, questionOrder.length - replies.length);
    const reply = replies[questionOrder.indexOf(mention.questionIndex ?? 0) - skipped];
    const reading = sameQuestionNamed ? ({ side: 'unknown' } as const) : readAnswer(reply, answer.clauses.join('，'), invert, mention.entry.category);
    // 有胸痛吗？ 有的，3年余了: the answer's duration is the asked item's.
    const duration = reading.side === '患者' && reply !== undefined ? (findDurations(reply)[0]?.text ?? answerDuration(answer)) : null;
    add(out, mention, reading, [mention.turn, answer.turn.index], duration);
  }
}

/** A duration the answer gives in a clause of its own (有。三天了。), when it names no item of its own. */
function answerDuration(answer: TurnText): string | null {
  if (answer.mentions.length > 0) return null;
  for (const clause of answer.clauses) {
    const found = findDurations(clause)[0];
    if (found) return found.text;
  }
  return null;
}

interface Group {
  category: Finding['category'];
  item: string;
  side: Speaker | 'unknown';
  first: number;
  assertions: Assertion[];
}

function merge(assertions: Assertion[], askedBefore: ReadonlyMap<string, number>): Finding[] {
  for (const a of assertions) {
    const question = askedBefore.get(`${a.mention.turn}\u0000${a.mention.entry.term}`);
    if (question !== undefined && !a.evidence.includes(question)) a.evidence.unshift(question);
  }
  const groups = new Map<string, Group>();
  const settled = new Set<string>();
  for (const a of assertions) {
    const item = `${a.mention.entry.category}\u0000${a.mention.entry.term}`;
    if (a.side !== 'unknown') settled.add(item);
    const key = `${item}\u0000${a.side}`;
    const group = groups.get(key) ?? { category: a.mention.entry.category, item: a.mention.entry.term, side: a.side, first: a.evidence[0] ?? a.mention.turn, assertions: [] };
    group.assertions.push(a);
    groups.set(key, group);
  }
  const findings: (Finding & { first: number })[] = [];
  for (const group of groups.values()) {
    if (group.side === 'unknown' && settled.has(`${group.category}\u0000${group.item}`)) continue;
    // The last settled word on a side stands (以前胸痛，现在没有 → 阴性), with the turns that say so.
    const status = group.assertions[group.assertions.length - 1]?.status ?? '未知';
    const agreeing = group.assertions.filter((a) => a.status === status);
    const evidence = [...new Set(agreeing.flatMap((a) => a.evidence))].sort((x, y) => x - y);
    const duration = group.assertions.find((a) => a.duration)?.duration ?? null;
    const speaker: Speaker = group.side === 'unknown' ? group.assertions[0]?.mention.speaker ?? '患者' : group.side;
    findings.push({ category: group.category, item: group.item, status, speaker, duration, evidence, first: group.first });
  }
  return findings.sort((a, b) => a.first - b.first).map(({ first: _first, ...finding }) => finding);
}
