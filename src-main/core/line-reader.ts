import fs from 'node:fs';

export interface Line {
  /** 1-based. */
  line: number;
  /** The decoded line without its line break, or null when it could not be read (see `error`). */
  text: string | null;
  error?: string;
  /** Bytes of the file consumed so far, for progress. */
  bytesRead: number;
}

/** A hospital file can be large; a single line this long is not an entity, it is a broken file. */
const MAX_LINE_BYTES = 4 * 1024 * 1024;

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Streams a file line by line in constant memory. Each line is decoded as strict UTF-8 on its
 * own, so invalid bytes are reported with their line number instead of becoming U+FFFD.
 */
export async function* readLines(file: string, maxLineBytes: number = MAX_LINE_BYTES): AsyncGenerator<Line> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let line = 0;
  let consumed = 0;

  const finish = (parts: Buffer[]): Line => {
    line += 1;
    if (tooLong) {
      tooLong = false;
      return { line, text: null, error: `该行超过 ${Math.round(maxLineBytes / 1024 / 1024)} MB，不是有效的条目`, bytesRead: consumed };
    }
    let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    if (bytes.at(-1) === CR) bytes = bytes.subarray(0, -1);
    try {
      // Each call decodes one whole line, and drops a BOM at its start (Excel writes one on line 1).
      return { line, text: decoder.decode(bytes), bytesRead: consumed };
    } catch {
      return { line, text: null, error: '不是有效的 UTF-8 编码（如为 GBK/GB2312，请在 Excel 或记事本中另存为“UTF-8”后再导入）', bytesRead: consumed };
    }
  };

  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, start)) {
      consumed += at + 1 - start;
      const piece = chunk.subarray(start, at);
      if (!tooLong && pendingBytes + piece.length > maxLineBytes) tooLong = true;
      yield finish(tooLong ? [] : [...pending, piece]);
      pending = [];
      pendingBytes = 0;
      start = at + 1;
    }
    const rest = chunk.subarray(start);
    consumed += rest.length;
    if (!tooLong && pendingBytes + rest.length > maxLineBytes) {
      tooLong = true;
      pending = [];
      pendingBytes = 0;
    }
    if (!tooLong && rest.length) {
      pending.push(rest);
      pendingBytes += rest.length;
    }
  }
  if (pendingBytes > 0 || tooLong) yield finish(pending);
}
