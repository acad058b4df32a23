import path from 'node:path';
import { XinglinError } from '../../../contract/index.js';
import { readLines } from '../../line-reader.js';
import { throwIfCancelled } from './cancel.js';

/**
 * Removing what identifies a patient from text a hospital gives (question–answer pairs, signed
 * records): ID and phone numbers found by pattern, and every name of a list. The patterns are
 * bounded by non-digits, so doses (0.25 g), dates (2024-03-15, 20240315) and readings (130/85)
 * are left as they are.
 */

const PLACEHOLDERS = { id: '【身份证号】', phone: '【电话】', name: '【姓名】' } as const;

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // 18-digit resident ID (the last may be X); first, so its digits are not read as a phone number.
  [/(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/gu, PLACEHOLDERS.id],
  // Mainland mobile, optionally +86 and written in groups (138 1234 5678, 138-1234-5678).
  [/(?<![\d.])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?![\d.]?\d)/gu, PLACEHOLDERS.phone],
  // Landline with area code: 010-12345678, 0755 1234567, 02112345678.
  [/(?<![\d.])0\d{2,3}[- ]?\d{7,8}(?![\d.]?\d)/gu, PLACEHOLDERS.phone],
];

/** A one-character "name" would take every occurrence of that character out of the text. */
const MIN_NAME_CHARS = 2;
const MAX_NAME_CHARS = 50;
const MAX_LISTED_PROBLEMS = 10;

interface Redacted {
  text: string;
  /** How many numbers and names were replaced. */
  count: number;
}

type Redactor = (text: string) => Redacted;

/** A redactor for the patterns and these names (longest first, so 欧阳明 goes whole before 欧阳). */
export function redactor(names: readonly string[]): Redactor {
  const sorted = [...new Set(names)].sort((a, b) => b.length - a.length);
  const byName = sorted.length ? new RegExp(sorted.map(escapeRegExp).join('|'), 'gu') : null;
  const rules: ReadonlyArray<[RegExp, string]> = byName ? [...PATTERNS, [byName, PLACEHOLDERS.name]] : PATTERNS;
  return (text) => {
    let count = 0;
    let out = text;
    for (const [pattern, placeholder] of rules) {
      out = out.replace(pattern, () => {
        count += 1;
        return placeholder;
      });
    }
    return { text: out, count };
  };
}

/** The names file: one name a line (blank lines skipped); a line that cannot be a name refuses the file. */
export async function readNames(file: string, signal?: AbortSignal): Promise<string[]> {
  const fileName = path.basename(file);
  const names: string[] = [];
  const problems: string[] = [];
  for await (const line of readLines(file)) {
    throwIfCancelled(signal);
    if (line.text === null) {
      problems.push(`第 ${line.line} 行：${line.error}`);
      continue;
    }
    const name = line.text.trim();
    if (!name) continue;
    if ([...name].length < MIN_NAME_CHARS) problems.push(`第 ${line.line} 行“${name}”只有一个字，去除它会删掉正文中所有这个字`);
    else if ([...name].length > MAX_NAME_CHARS) problems.push(`第 ${line.line} 行超过 ${MAX_NAME_CHARS} 个字，不是一个姓名`);
    else names.push(name);
  }
  if (problems.length) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS).join('；');
    throw new XinglinError('IMPORT_INVALID', `姓名表 ${fileName} 有 ${problems.length} 行无法使用，未生成任何数据：${listed}${problems.length > MAX_LISTED_PROBLEMS ? '；……' : ''}`, { file: fileName, lines: problems.length });
  }
  return names;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}
