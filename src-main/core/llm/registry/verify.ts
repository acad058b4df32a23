/**
 * Re-hashing registered files against the digests recorded for them. Every byte is read again
 * (no remembered digest is trusted: the point is to notice a file changed behind the app's back).
 * A changed file keeps the digest it was recorded with, so it stays reported until the
 * administrator decides which to trust (re-import the file, or remove it).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { VerifyResult } from '../../../contract/index.js';
import type { JobControl } from '../../jobs.js';
import { sha256File } from '../file-hash.js';
import type { RecordedFile } from '../manifest.js';
import { folderPath } from './scan.js';

export interface Verified {
  results: VerifyResult[];
  /** The records to write back: a first digest (`new`) or a new `verifiedAt` (`ok`). */
  updates: RecordedFile[];
}

function sizeOnDisk(file: string): number | null {
  try {
    const stat = fs.statSync(file);
    return stat.isFile() ? stat.size : null;
  } catch {
    return null;
  }
}

export async function verifyRecords(modelsDir: string, records: readonly RecordedFile[], control: Pick<JobControl, 'signal' | 'report'>): Promise<Verified> {
  const { signal, report } = control;
  const paths = records.map((record) => path.join(folderPath(modelsDir, record.kind), record.file));
  const sizes = paths.map(sizeOnDisk);
  const total = sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0);
  const results: VerifyResult[] = [];
  const updates: RecordedFile[] = [];
  let before = 0;
  for (const [index, record] of records.entries()) {
    signal.throwIfAborted();
    const size = sizes[index] ?? null;
    const file = paths[index] as string;
    const expected = record.sha256;
    if (size === null) {
      results.push({ file: record.file, kind: record.kind, state: 'missing', expected, actual: null });
      continue;
    }
    const step = (progress: number) => {
      const done = Math.round(before + progress * size);
      report({ phase: 'hash', progress: total === 0 ? 1 : done / total, detail: record.file, done, total });
    };
    step(0);
    const { sha256: actual } = await sha256File(file, { signal, fresh: true, onProgress: step });
    before += size;
    const now = Date.now();
    if (expected === null) {
      results.push({ file: record.file, kind: record.kind, state: 'new', expected, actual });
      updates.push({ ...record, sha256: actual, verifiedAt: now });
    } else if (expected === actual) {
      results.push({ file: record.file, kind: record.kind, state: 'ok', expected, actual });
      updates.push({ ...record, verifiedAt: now });
    } else {
      results.push({ file: record.file, kind: record.kind, state: 'changed', expected, actual });
    }
  }
  return { results, updates };
}
