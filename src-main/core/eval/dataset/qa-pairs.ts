import path from 'node:path';
import { z } from 'zod';
import { XinglinError } from '../../../contract/index.js';
import { readLines } from '../../line-reader.js';
import { throwIfCancelled } from './cancel.js';

/** One question and its answer, as a hospital has them. */
export interface QaPair {
  instruction: string;
  input: string;
  output: string;
}

const MAX_LISTED_LINES = 10;

const Text = z.string().trim().min(1);
/** `{"question","answer"}`, or Alpaca's own `{"instruction","input"?,"output"}`; other keys (an id, a department) are not carried over. */
const PairLine = z.union([
  z.object({ question: Text, answer: Text }).transform(({ question, answer }) => ({ instruction: question, input: '', output: answer })),
  z.object({ instruction: Text, input: z.string().trim().default(''), output: Text }).transform(({ instruction, input, output }) => ({ instruction, input, output })),
]);

/** Reads a JSONL file of pairs; any malformed line refuses the whole file, naming the lines (the first ten). */
export async function readQaPairs(file: string, signal?: AbortSignal): Promise<QaPair[]> {
  const fileName = path.basename(file);
  const pairs: QaPair[] = [];
  const problems: Array<{ line: number; reason: string }> = [];
  for await (const line of readLines(file)) {
    if (line.line % 1000 === 0) throwIfCancelled(signal);
    if (line.text === null) {
      problems.push({ line: line.line, reason: line.error ?? '无法读取' });
      continue;
    }
    if (!line.text.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch {
      problems.push({ line: line.line, reason: '不是有效的 JSON' });
      continue;
    }
    const pair = PairLine.safeParse(value);
    if (pair.success) pairs.push(pair.data);
    else problems.push({ line: line.line, reason: '需要非空的 "question" 与 "answer"（或 "instruction" 与 "output"）' });
  }
  if (problems.length) {
    const listed = problems.slice(0, MAX_LISTED_LINES).map((p) => `第 ${p.line} 行${p.reason}`).join('；');
    throw new XinglinError('IMPORT_INVALID', `问答文件 ${fileName} 有 ${problems.length} 行格式有误，未生成任何数据：${listed}${problems.length > MAX_LISTED_LINES ? '；……' : ''}`, {
      file: fileName,
      lines: problems.slice(0, MAX_LISTED_LINES).map((p) => p.line).join(','),
      count: problems.length,
    });
  }
  if (pairs.length === 0) throw new XinglinError('IMPORT_INVALID', `问答文件 ${fileName} 中没有问答对（每行一个 {"question","answer"}）`, { file: fileName });
  return pairs;
}
