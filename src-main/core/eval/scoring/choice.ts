import { matchForm } from './match-text.js';

/**
 * The option letters a free-text answer chooses. Read in order of trust, the first that gives a
 * letter of the question's options wins:
 *  1. a stated answer: 答案：B, 正确答案是 B 和 D, 我选择选项D, 故选C, The answer is (C) — the first one;
 *  2. letters opening the answer: "B", "AB", "(C)", "C. 阿莫西林";
 *  3. a letter named as an option (选项C, C项, （C）, 是C。) — only if every such mention names the same;
 *  4. the text of exactly one option (the answer restates 阿莫西林 and no other option).
 * A letter is never read inside a word (Based, HbA1c, B12) nor as an English article ("A patient");
 * a lowercase letter only where nothing else can be meant (答案：b, a whole answer "b").
 */
export function parseChoice(answer: string, options: Record<string, string>): string | null {
  const text = answer.normalize('NFKC');
  const keys = new Set(Object.keys(options));
  const valid = (letters: string | null): string | null => {
    if (letters === null) return null;
    const chosen = [...new Set(letters)].filter((l) => keys.has(l)).sort().join('');
    return chosen || null;
  };
  for (const m of text.matchAll(STATED)) {
    const chosen = valid(lettersAt(text, m.index + m[0].length, false)?.letters ?? null);
    if (chosen) return chosen;
  }
  return valid(opening(text)) ?? valid(namedOption(text)) ?? optionByText(text, options);
}

/** Exact set equality of letters ("BA" chooses what "AB" does). */
export function scoreChoice(chosen: string | null, answer: string): boolean {
  const set = (letters: string) => [...new Set(letters.toUpperCase())].sort().join('');
  return chosen !== null && set(chosen) === set(answer);
}

// Words that state the answer, with what may stand between them and the letter (是, 为, ：, 选项).
// 选 is a statement unless negated (不选A, 不应选A) or part of 选项.
const STATED = /(?:正确答案|参考答案|最终答案|最佳答案|答案|正确选项|最佳选项|(?<!不应该?|不能|不要|不|别)(?:选择|选)(?!项)|答(?=\s*[:：])|\b(?:correct\s+)?answer|\bcorrect\s+(?:option|choice))(?:\s|应该?是|应为|应选|就是|是|为|选|:|：|\bis\b|选项|\boption\b)*/giu;

const OPEN = '(（【[';
const CLOSE = ')）】]';
const isAsciiAlnum = (char: string | undefined): boolean => char !== undefined && /[A-Za-z0-9]/u.test(char);
const isCjk = (char: string | undefined): boolean => char !== undefined && /\p{Script=Han}/u.test(char);
// A word in English follows: "A patient", "a drug" (but "B and D" lists letters).
const WORD_FOLLOWS = /^\s+(?!(?:and|or)\s+[A-Ja-j](?![A-Za-z]))[A-Za-z]{2,}/u;
const SEPARATOR = /^\s*(?:[、,，/&+]|以及|和|与|及|或者|或|and\b|or\b)?\s*/u;
// Letters joined to a word are part of a name (B超, C反应蛋白, ACE抑制剂); B项, AB两项, B正确 are letters.
const AFTER_LETTERS = /[项选两三都均正对是为]/u;

/** One token of letters at `at`: "B", "AB", "(C)"; `strict` rejects a letter an English word follows ("A patient"). */
function tokenAt(text: string, at: number, strict: boolean): { letters: string; end: number } | null {
  const open = OPEN.includes(text[at] ?? '\0');
  let start = open ? at + 1 : at;
  while (open && text[start] === ' ') start += 1;
  if (!open && isAsciiAlnum(text[at - 1])) return null;
  let end = start;
  while (end < text.length && end - start < 10 && /[A-J]/u.test(text[end]!)) end += 1;
  let letters = text.slice(start, end);
  if (!letters && /[a-j]/u.test(text[start] ?? '')) {
    end = start + 1;
    letters = text[start]!.toUpperCase();
    // "a" and "i" are English words before they are letters: "the answer is a drug".
    strict ||= letters === 'A' || letters === 'I';
  }
  // A run of capitals an English word follows is an abbreviation ("ACE inhibitors"), not letters.
  strict ||= letters.length > 1;
  if (!letters || isAsciiAlnum(text[end])) return null;
  if (isCjk(text[end]) && !AFTER_LETTERS.test(text[end]!)) return null;
  if (strict && WORD_FOLLOWS.test(text.slice(end))) return null;
  while (text[end] === ' ' && CLOSE.includes(text[end + 1] ?? '\0')) end += 1;
  if (CLOSE.includes(text[end] ?? '\0')) end += 1;
  return { letters, end };
}

/** A list of letter tokens: "B 和 D", "A、C", "B, D". */
function lettersAt(text: string, at: number, strict: boolean): { letters: string; end: number } | null {
  const first = tokenAt(text, at, strict);
  if (!first) return null;
  let { letters, end } = first;
  for (;;) {
    const gap = SEPARATOR.exec(text.slice(end))![0].length;
    const next = gap > 0 ? tokenAt(text, end + gap, strict) : null;
    if (!next) return { letters, end };
    letters += next.letters;
    end = next.end;
  }
}

// What may follow a letter read outside a stated answer: the end, a stop, or 项/选项 (B项, B选项).
const TERMINATED = /^(?:\s*$|\s*[.．、:：,，。;；!！?？\n]|\s*(?:选项|项))/u;

/** Letters the answer opens with, followed by an end or a stop: "B", "AB。", "C. 阿莫西林" (not "B超…"). */
function opening(text: string): string | null {
  const at = text.search(/\S/u);
  const found = at < 0 ? null : lettersAt(text, at, true);
  return found && TERMINATED.test(text.slice(found.end)) ? found.letters : null;
}

// Places an option is named: 选项C, option C, 是C。, 为B; and C项/C选项 and (C) found by the letter itself.
const NAMING = /选项|\boption\b|是|为/giu;
const LETTER = /[(（【[]\s*[A-J]|[A-J]/gu;

/** The one letter set every option-naming mention agrees on, or null (none, or several: 选项A错误，选项B正确). */
function namedOption(text: string): string | null {
  const named = new Set<string>();
  for (const m of text.matchAll(NAMING)) {
    const at = m.index + m[0].length + /^\s*/u.exec(text.slice(m.index + m[0].length))![0].length;
    const found = lettersAt(text, at, true);
    if (found && TERMINATED.test(text.slice(found.end))) named.add(found.letters);
  }
  for (const m of text.matchAll(LETTER)) {
    const found = tokenAt(text, m.index, true);
    if (!found) continue;
    const bracketed = OPEN.includes(m[0][0]!) && CLOSE.includes(text[found.end - 1]!);
    if (bracketed || /^\s*(?:选项|项)/u.test(text.slice(found.end))) named.add(found.letters);
  }
  return named.size === 1 ? [...named][0]! : null;
}

/**
 * The one option whose text the answer contains. An option found only inside a longer one's text
 * (高血压 inside 继发性高血压) is not named by it; one-character options are too common to read.
 */
function optionByText(text: string, options: Record<string, string>): string | null {
  const answer = matchForm(text);
  const found = Object.entries(options)
    .map(([key, option]) => ({ key, form: matchForm(option) }))
    .filter(({ form }) => form.length >= 2)
    .map(({ key, form }) => ({ key, form, at: positions(answer, form) }))
    .filter(({ at }) => at.length > 0);
  const standing = found.filter((o) => !o.at.every((start) => found.some((other) => other.form.length > o.form.length && other.at.some((s) => s <= start && start + o.form.length <= s + other.form.length))));
  return standing.length === 1 ? standing[0]!.key : null;
}

function positions(text: string, form: string): number[] {
  const at: number[] = [];
  for (let i = text.indexOf(form); i >= 0; i = text.indexOf(form, i + 1)) at.push(i);
  return at;
}
