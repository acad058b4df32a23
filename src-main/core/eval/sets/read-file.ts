import fs from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { XinglinError, type EvalCase, type EvalImportFormat, type EvalSetFormat } from '../../../contract/index.js';
import { checkCases, type RawCase } from './cases.js';

/** The largest set file read: 5,000 exam questions with explanations are a few megabytes. */
export const MAX_SET_FILE_BYTES = 64 * 1024 ** 2;

/**
 * Reads a set file in the app's own JSONL (one case per line), CMExam's CSV (Question, Options as
 * "A 选项" lines, Answer) or CMB's JSON (an array of {question, option: {A: …}, answer}); 'auto'
 * decides by the file's name and first character. Every case is checked (see checkCases).
 */
export function readSetFile(file: string, format: EvalImportFormat, shownName = path.basename(file)): { format: EvalSetFormat; cases: EvalCase[] } {
  const size = fs.statSync(file).size;
  if (size > MAX_SET_FILE_BYTES) throw new XinglinError('FILE_TOO_LARGE', `评测集 ${shownName} 有 ${(size / 1024 ** 2).toFixed(1)} MB，超过上限 ${MAX_SET_FILE_BYTES / 1024 ** 2} MB`, { file: shownName, limit: MAX_SET_FILE_BYTES });
  const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/u, '');
  const chosen = format === 'auto' ? detect(shownName, text) : format;
  const raw = chosen === 'cmexam' ? cmexamRows(shownName, text) : chosen === 'cmb' ? cmbItems(shownName, text) : jsonLines(text);
  return checkCases(shownName, raw);
}

function detect(name: string, text: string): Exclude<EvalImportFormat, 'auto'> {
  if (/\.csv$/iu.test(name)) return 'cmexam';
  return text.trimStart().startsWith('[') ? 'cmb' : 'jsonl';
}

function jsonLines(text: string): RawCase[] {
  const raw: RawCase[] = [];
  text.split(/\r?\n/u).forEach((line, i) => {
    if (!line.trim()) return;
    try {
      raw.push({ line: i + 1, value: JSON.parse(line) });
    } catch {
      raw.push({ line: i + 1, value: null, unreadable: '不是有效的 JSON' });
    }
  });
  return raw;
}

/** CMExam's option cell: one option per line, "A 阿莫西林" (or "A. …", "A、…"). */
function optionsOf(cell: string): Record<string, string> | string {
  const options: Record<string, string> = {};
  for (const line of cell.split(/\r?\n/u).map((l) => l.trim()).filter(Boolean)) {
    const match = /^([A-J])[\s.、．:：)）]+(.+)$/u.exec(line);
    if (!match) return `选项行“${line.slice(0, 30)}”不是“字母 选项”的形式`;
    options[match[1]!] = match[2]!.trim();
  }
  return options;
}

function cmexamRows(name: string, text: string): RawCase[] {
  let rows: Array<Record<string, string>>;
  try {
    rows = parseCsv(text, { columns: true, skip_empty_lines: true, relax_column_count: false }) as Array<Record<string, string>>;
  } catch (cause) {
    throw new XinglinError('IMPORT_INVALID', `评测集 ${name} 不是有效的 CSV：${(cause as Error).message}`, { file: name });
  }
  const header = Object.keys(rows[0] ?? {});
  const missing = ['Question', 'Options', 'Answer'].filter((column) => !header.includes(column));
  if (rows.length && missing.length) throw new XinglinError('IMPORT_INVALID', `评测集 ${name} 缺少 CMExam 的列：${missing.join('、')}（表头有：${header.join('、')}）`, { file: name });
  // The header is line 1; a row's line is where it starts only when no cell spans lines, so rows are numbered as a spreadsheet shows them.
  return rows.map((row, i) => {
    const options = optionsOf(row.Options ?? '');
    if (typeof options === 'string') return { line: i + 2, value: null, unreadable: options };
    return { line: i + 2, value: { id: `cmexam-${i + 1}`, question: row.Question?.trim() ?? '', options, answer: (row.Answer ?? '').replace(/[\s,，、]/gu, '').toUpperCase() } };
  });
}

function cmbItems(name: string, text: string): RawCase[] {
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch (cause) {
    throw new XinglinError('IMPORT_INVALID', `评测集 ${name} 不是有效的 JSON：${(cause as Error).message}`, { file: name });
  }
  if (!Array.isArray(items)) throw new XinglinError('IMPORT_INVALID', `评测集 ${name} 应为 CMB 格式的题目数组`, { file: name });
  return items.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null) return { line: i + 1, value: null, unreadable: '不是题目对象' };
    const { id, question, option, answer } = item as Record<string, unknown>;
    const options = Object.fromEntries(Object.entries(typeof option === 'object' && option !== null ? option : {}).filter(([, v]) => typeof v === 'string' && v.trim()));
    return { line: i + 1, value: { id: id === undefined ? `cmb-${i + 1}` : String(id), question, options, answer: typeof answer === 'string' ? answer.replace(/[\s,，、]/gu, '').toUpperCase() : answer } };
  });
}
