import { XinglinError } from '../../contract/index.js';

/** One line of a JSON-lines input as an object, or an error naming the line. */
export function parseObject(line: number, text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new XinglinError('INVALID_INPUT', `第 ${line} 行不是一个 JSON 对象`);
}
