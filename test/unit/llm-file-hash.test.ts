/** Streaming sha256 with progress, remembered per (path, size, mtime). */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clearHashCache, sha256File } from '../../src-main/core/llm/index.js';

describe('sha256File', () => {
  it('hashes in chunks with progress ending at 1, and does not rehash an unchanged file', async () => {
    clearHashCache();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-hash-'));
    const file = path.join(dir, 'blob.bin');
    const bytes = Buffer.alloc(9 * 1024 * 1024 + 123, 7);
    fs.writeFileSync(file, bytes);
    const expected = createHash('sha256').update(bytes).digest('hex');

    const progress: number[] = [];
    const first = await sha256File(file, { onProgress: (p) => progress.push(p) });
    expect(first).toMatchObject({ sha256: expected, sizeBytes: bytes.length });
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)).toBe(1);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);

    const again: number[] = [];
    expect(await sha256File(file, { onProgress: (p) => again.push(p) })).toEqual(first);
    expect(again).toEqual([1]);

    // A changed file (new size and mtime) is hashed anew.
    fs.appendFileSync(file, 'x');
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const changed = await sha256File(file);
    expect(changed.sha256).toBe(createHash('sha256').update(Buffer.concat([bytes, Buffer.from('x')])).digest('hex'));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stops when aborted', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-hash-'));
    const file = path.join(dir, 'blob.bin');
    fs.writeFileSync(file, Buffer.alloc(1024 * 1024));
    await expect(sha256File(file, { signal: AbortSignal.abort() })).rejects.toThrow();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
