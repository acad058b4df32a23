import { XinglinError } from '../../contract/index.js';
import { readLines } from '../../core/core.js';

/**
 * A batch command's loop over a JSON-lines file: each non-blank line as an object, answered in order
 * on stdout with its `id` and what `answer` returns, or with an error line naming the line (the batch
 * goes on). Resolves with the number of lines that failed.
 */
export async function answerJsonLines(file: string, answer: (item: Record<string, unknown>, line: number) => Promise<object>): Promise<number> {
  let failed = 0;
  for await (const line of readLines(file)) {
    if (line.text !== null && !line.text.trim()) continue;
    let id: unknown = null;
    try {
      if (line.text === null) throw new XinglinError('INVALID_INPUT', `第 ${line.line} 行：${line.error}`);
      const item = parseObject(line.line, line.text);
      id = item.id ?? null;
      console.log(JSON.stringify({ id, ...(await answer(item, line.line)) }));
    } catch (cause) {
      if (!(cause instanceof XinglinError)) throw cause;
      failed += 1;
      console.log(JSON.stringify({ id, line: line.line, error: { code: cause.code, message: cause.message } }));
    }
  }
  return failed;
}

function parseObject(line: number, text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new XinglinError('INVALID_INPUT', `第 ${line} 行不是一个 JSON 对象`);
}
