/**
 * sha256 of model and adapter files for provenance. Multi-gigabyte files are streamed (never
 * read whole) with progress, and the digest is remembered per (path, size, mtime) so reloading
 * the same model, or switching adapters on it, does not rehash gigabytes.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

export interface FileDigest {
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly mtimeMs: number;
}

export interface HashOptions {
  /** 0…1, at most about once per percent, always ending with 1. */
  onProgress?: (progress: number) => void;
  signal?: AbortSignal;
  /** Read the file even when a digest is remembered (verify: the disk may have changed under the same mtime). */
  fresh?: boolean;
}

const cache = new Map<string, FileDigest>();

/** The cached digest when the file still has the size and mtime it had when hashed. */
function cached(absolute: string, sizeBytes: number, mtimeMs: number): FileDigest | undefined {
  const hit = cache.get(absolute);
  return hit && hit.sizeBytes === sizeBytes && hit.mtimeMs === mtimeMs ? hit : undefined;
}

export async function sha256File(filePath: string, options: HashOptions = {}): Promise<FileDigest> {
  const absolute = path.resolve(filePath);
  const before = await stat(absolute);
  const hit = options.fresh ? undefined : cached(absolute, before.size, before.mtimeMs);
  if (hit) {
    options.onProgress?.(1);
    return hit;
  }

  const hash = createHash('sha256');
  let done = 0;
  let reported = -1;
  const stream = createReadStream(absolute, { highWaterMark: 4 * 1024 * 1024, signal: options.signal });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    done += chunk.length;
    const progress = before.size === 0 ? 1 : done / before.size;
    if (progress - reported >= 0.01 && progress < 1) {
      reported = progress;
      options.onProgress?.(progress);
    }
  }
  options.signal?.throwIfAborted();
  const digest: FileDigest = { sha256: hash.digest('hex'), sizeBytes: before.size, mtimeMs: before.mtimeMs };
  options.onProgress?.(1);

  // A file rewritten while we read it has no trustworthy digest to remember.
  const after = await stat(absolute);
  if (after.size === before.size && after.mtimeMs === before.mtimeMs) cache.set(absolute, digest);
  return digest;
}

/** Drops remembered digests (tests; a models folder the user replaced wholesale). */
export function clearHashCache(): void {
  cache.clear();
}
