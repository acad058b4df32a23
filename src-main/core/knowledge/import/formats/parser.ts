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

/**
 * `content`: the line was read, a field of it is wrong; `unparsed`: the line is not the declared
 * format at all; `fatal`: nothing after it can be read (a CSV header without the mapped columns).
 * The message names the line's field, never the line's text.
 */
export type LineErrorKind = 'content' | 'unparsed' | 'fatal';

export class LineError extends Error {
  constructor(readonly line: number, message: string, readonly kind: LineErrorKind = 'content') {
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
  } catch {
    // JSON.parse's own message quotes the text: it is left out.
    throw new LineError(line, '不是有效的 JSON', 'unparsed');
  }
}

/** A JSON object, not an array or a string: what one line of jsonl or label must be. */
export function parseObject(line: number, text: string): Record<string, unknown> {
  const value = parseJson(line, text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new LineError(line, '不是一个 JSON 对象（每行须是一个 {…}）', 'unparsed');
  return value as Record<string, unknown>;
}
