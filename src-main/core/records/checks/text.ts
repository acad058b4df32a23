import { lookupForm } from '../../knowledge/index.js';

/**
 * Reading a record's free text: one normal form (so offsets found by the knowledge base's name
 * recognition are offsets here too), clauses, and whether a mention is affirmed or denied.
 */

/**
 * NFKC, lower case, spaces dropped except between two Latin words (kept as "_", as names are
 * looked up): `0.5 g` → `0.5g`, full-width `（-）` → `(-)`, 综合症 → 综合征.
 */
export function normalText(text: string): string {
  return lookupForm(text.normalize('NFKC').replace(/(?<![a-z])\s+|\s+(?![a-z])/giu, ''));
}

/** A clause: the words a denial (否认…) reaches across. A list inside it (高血压、糖尿病) stays whole. */
export function clauses(text: string): string[] {
  return text.split(/[。；;！!？?\n，,]/u).filter((c) => c.length > 0);
}

/** Words that deny what follows them in the clause (否认高血压、糖尿病；无肝病史；非哺乳期). */
const DENIAL = /否认|没有|无|未|排除|除外|非/gu;
/** Words that end a medicine's use: 停用华法林, 避免使用布洛芬. */
const STOPPED = /停用|停服|停药|已停|暂停|避免|禁用|勿用|忌用|不用|不再/gu;
/** Words after which the clause says something new (无明显诱因出现胸痛: 胸痛 is present). */
const RESET = /出现|诱因|但|伴|后|于|曾|自|诉|予|给|因|，|,/u;
/** How far a denial reaches over a list of terms. */
const MAX_REACH = 16;
/** Written after a term, these deny it: 青霉素皮试(-), 皮试阴性. */
const DENIED_AFTER = /^.{0,6}?(?:阴性|\(-\)|\(−\)|\(否认\))/u;

function reaches(cue: RegExp, clause: string, start: number): boolean {
  const before = clause.slice(0, start);
  for (const m of [...before.matchAll(cue)].reverse()) {
    const gap = before.slice(m.index + m[0].length);
    // 非 denies only the word it is written against: 非哺乳期, not 非甾体抗炎药布洛芬.
    if (m[0] === '非' && gap.length > 0) continue;
    if (gap.length <= MAX_REACH && !RESET.test(gap)) return true;
  }
  return false;
}

/** Whether the clause denies the term written at `start`..`end`. */
export function denied(clause: string, start: number, end: number): boolean {
  return reaches(DENIAL, clause, start) || DENIED_AFTER.test(clause.slice(end));
}

/** Whether the clause stops or avoids the medicine written at `start`. */
export function stopped(clause: string, start: number): boolean {
  return reaches(STOPPED, clause, start);
}

/** Every place `term` is written in the clause and not denied. */
export function affirmed(clause: string, term: string): boolean {
  for (let at = clause.indexOf(term); at >= 0; at = clause.indexOf(term, at + 1)) {
    if (!denied(clause, at, at + term.length)) return true;
  }
  return false;
}
