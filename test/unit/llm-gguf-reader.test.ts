/**
 * The bounded GGUF reader's mechanics on real files, through its file seam: values that straddle
 * its read chunks come out whole, nothing is read twice, no read asks for more than one chunk,
 * and a string too long to keep is skipped unread.
 */
import fs from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GGUF_LIMITS, READ_CHUNK_BYTES, readGgufHeader, type GgufSource } from '../../src-main/core/llm/gguf/reader.js';
import { GgufWriter } from '../fixtures/gguf/writer.js';

let dir: string;
let file: string;
const template = '病'.repeat(300_000); // 900 KB of 3-byte characters: cannot fit what is left of a chunk
const longBytes = GGUF_LIMITS.keptStringBytes + 500_000;
const tokens = Array.from({ length: 100_000 }, (_, i) => `tok${'x'.repeat(i % 17)}${i}`);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-gguf-reader-'));
  file = path.join(dir, 'chunks.gguf');
  new GgufWriter()
    .stringArray('tokenizer.ggml.tokens', tokens)
    .string('tokenizer.chat_template', template)
    .string('tokenizer.huggingface.json', 'j'.repeat(longBytes))
    .uint32('after.long', 42)
    .tensorF32('token_embd.weight', [8, 4], (out) => out.fill(1))
    .write(file);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Reads the header through a seam that records every read. */
async function readCounting(size = fs.statSync(file).size) {
  const reads: Array<{ length: number; position: number }> = [];
  const handle = await open(file, 'r');
  const source: GgufSource = {
    read: (buffer, offset, length, position) => {
      reads.push({ length, position });
      return handle.read(buffer, offset, length, position);
    },
  };
  try {
    return { header: await readGgufHeader(source, size), reads };
  } finally {
    await handle.close();
  }
}

describe('readGgufHeader', () => {
  it('reads a multi-chunk header whole, in forward reads of at most one chunk', async () => {
    const { header, reads } = await readCounting();
    expect(header.metadata.get('tokenizer.ggml.tokens')).toEqual({ arrayType: 8, length: tokens.length });
    expect(header.metadata.get('tokenizer.chat_template')).toBe(template);
    expect(header.metadata.get('tokenizer.huggingface.json')).toEqual({ unreadStringBytes: longBytes });
    expect(header.metadata.get('after.long')).toBe(42);
    expect(header.tensors).toEqual([{ name: 'token_embd.weight', shape: [8, 4], ggmlType: 0, offset: 0 }]);

    expect(Math.max(...reads.map((r) => r.length))).toBeLessThanOrEqual(READ_CHUNK_BYTES);
    // Forward only, and the long string was skipped: far less read than the header holds.
    for (let i = 1; i < reads.length; i++) expect(reads[i]!.position).toBeGreaterThan(reads[i - 1]!.position);
    const bytesAsked = reads.reduce((sum, r) => sum + r.length, 0);
    expect(header.dataOffset).toBeGreaterThan(longBytes);
    expect(bytesAsked).toBeLessThan(header.dataOffset - longBytes + 2 * READ_CHUNK_BYTES);
  });

  it('a file shorter than it was when measured ends as a truncation, not a loop', async () => {
    const cut = path.join(dir, 'cut.gguf');
    fs.writeFileSync(cut, fs.readFileSync(file).subarray(0, 1_500_000));
    const handle = await open(cut, 'r');
    try {
      // Told the file is whole: the reads come back empty where it now ends.
      await expect(readGgufHeader(handle, fs.statSync(file).size)).rejects.toMatchObject({ kind: 'truncated', message: expect.stringContaining('文件头中途结束') });
    } finally {
      await handle.close();
    }
  });
});
