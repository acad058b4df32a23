import { EntityRecord, describeIssues, type Originals } from '../../entry-schema.js';

/** One entity read from a file, with the line it starts on. */
export interface Parsed {
  line: number;
  record: EntityRecord;
  originals?: Originals;
}

/**
 * A file format, fed one decoded line at a time (CSV records may span lines). `push` returns the
 * entity a line completes, or null; both methods throw `LineError` for bad input.
 */
export interface FormatParser {
  push(line: number, text: string): Parsed | null;
  end(): Parsed | null;
}

export class LineError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
  }
}

/** Validates an object against the entity schema, naming the line in the error. */
export function toRecord(line: number, value: unknown): EntityRecord {
  const parsed = EntityRecord.safeParse(value);
  if (!parsed.success) throw new LineError(line, describeIssues(parsed.error));
  return parsed.data;
}

function parseJson(line: number, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new LineError(line, `不是有效的 JSON（${(cause as Error).message}）`);
  }
}

/** A JSON object, not an array or a string: what one line of jsonl or label must be. */
export function parseObject(line: number, text: string): Record<string, unknown> {
  const value = parseJson(line, text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new LineError(line, '每行必须是一个 JSON 对象');
  return value as Record<string, unknown>;
}
