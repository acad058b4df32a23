import { parseObject, toRecord, type FormatParser } from './parser.js';

/** FORMAT.md: one entity per line; blank lines are allowed, everything else must be an entity. */
export function jsonlParser(): FormatParser {
  return {
    push(line, text) {
      if (!text.trim()) return null;
      return { line, record: toRecord(line, parseObject(line, text)) };
    },
    end: () => null,
  };
}
