/**
 * Copying chosen files into the models folder. Each file is judged by its header before a byte is
 * copied, then copied to a hidden `.part` file in its target folder while being hashed (one read),
 * flushed to disk, and only then given its name, without ever replacing a file: a cancel, a crash
 * or a refusal leaves no half-copied model where the registry would find it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { XinglinError, type ModelKind } from '../../../contract/index.js';
import { createPrivateFolder } from '../../folders.js';
import type { JobControl } from '../../jobs.js';
import type { RecordedFile } from '../manifest.js';
import { isPlainName } from '../models-dir.js';
import { ggufMetadata } from './metadata.js';
import { classify, folderPath } from './scan.js';

export interface ImportSource {
  /** Where the bytes are (a file the user chose, or the core's copy of an upload). */
  path: string;
  /** The name the user knows it by, and the name it gets in the models folder. */
  name: string;
}

/** What an import needs of the registry. */
export interface ImportTarget {
  modelsDir: string;
  /** A registered file with these bytes, if there is one (hashing, once, same-sized files not hashed yet). */
  sameContent(sha256: string, sizeBytes: number, signal: AbortSignal): Promise<RecordedFile | null>;
  /** Records an imported file; throws when the manifest cannot be written. */
  commit(record: RecordedFile): void;
}

export const kindLabel: Record<ModelKind, string> = { model: '基础模型', adapter: '适配器' };

const CHUNK_BYTES = 4 * 1024 * 1024;

/** The name a file gets in the folder: the one it had, with `.gguf` added when it lacks it (the folder lists only those). */
function targetName(name: string): string {
  const trimmed = name.trim();
  if (!isPlainName(trimmed) || trimmed.startsWith('.')) {
    throw new XinglinError('INVALID_INPUT', `文件名“${trimmed.slice(0, 80)}”不能用作模型文件名：不能含路径（/、\\、:），也不能以“.”开头`, { file: trimmed.slice(0, 80) });
  }
  return trimmed.toLowerCase().endsWith('.gguf') ? trimmed : `${trimmed}.gguf`;
}

/** The inspector names a file by its path; an upload's path is the core's, so say the user's name instead. */
function asNamed(error: unknown, source: ImportSource): unknown {
  const stored = path.basename(source.path);
  if (!(error instanceof XinglinError) || stored === source.name) return error;
  return new XinglinError(error.code, error.message.replaceAll(stored, source.name), { ...error.details, file: source.name });
}

function isInside(file: string, dir: string): boolean {
  try {
    return fs.realpathSync(file).startsWith(fs.realpathSync(dir) + path.sep);
  } catch {
    return false;
  }
}

function nameTaken(name: string, kind: ModelKind, dir: string): XinglinError {
  return new XinglinError('MODEL_DUPLICATE', `${dir} 中已有名为 ${name} 的文件，未导入：请先删除或改名其中一个`, { file: name, kind });
}

const PART_NAME = /^\..+\.importing-[0-9a-f]{12}\.part$/;
/** An import still copying writes its `.part` file all the time; one untouched this long was left by a crash. */
const STALE_PART_MS = 60 * 60_000;

/** Removes the `.part` files of imports a crash or a killed process left in the folders. */
export function removeStaleParts(modelsDir: string): void {
  const before = Date.now() - STALE_PART_MS;
  for (const dir of [folderPath(modelsDir, 'model'), folderPath(modelsDir, 'adapter')]) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.filter((n) => PART_NAME.test(n))) {
      const file = path.join(dir, name);
      try {
        if (fs.statSync(file).mtimeMs < before) fs.rmSync(file, { force: true });
      } catch {
        // Gone meanwhile, or not ours to remove: the next start tries again.
      }
    }
  }
}

/** Copies `from` into a new hidden file in `dir`, hashing what it reads; the partial file is removed on any failure. */
async function copyHashing(from: string, dir: string, name: string, signal: AbortSignal, onBytes: (bytes: number) => void): Promise<{ temp: string; sha256: string; bytes: number }> {
  const temp = path.join(dir, `.${name}.importing-${randomBytes(6).toString('hex')}.part`);
  const hash = createHash('sha256');
  let bytes = 0;
  const output = await open(temp, 'wx', 0o600);
  try {
    try {
      for await (const chunk of createReadStream(from, { highWaterMark: CHUNK_BYTES, signal }) as AsyncIterable<Buffer>) {
        hash.update(chunk);
        for (let written = 0; written < chunk.length; ) written += (await output.write(chunk, written, chunk.length - written)).bytesWritten;
        bytes += chunk.length;
        onBytes(bytes);
      }
      await output.sync();
    } finally {
      await output.close();
    }
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
  return { temp, sha256: hash.digest('hex'), bytes };
}

/** Gives the copy its name, never over an existing file (a hard link fails if the name exists). */
function place(temp: string, target: string, name: string, kind: ModelKind, dir: string): void {
  let linked = false;
  try {
    fs.linkSync(temp, target);
    linked = true;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') throw nameTaken(name, kind, dir);
    // A filesystem without hard links (FAT on a USB disk): a rename, after checking the name is free.
    if (fs.existsSync(target)) throw nameTaken(name, kind, dir);
    fs.renameSync(temp, target);
  }
  if (linked) fs.rmSync(temp, { force: true });
  try {
    const folder = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(folder);
    } finally {
      fs.closeSync(folder);
    }
  } catch {
    // Windows cannot open a folder: NTFS journals the rename itself.
  }
}

/**
 * Imports one file: inspected, copied with its digest, refused as a duplicate of a registered
 * file (same bytes, or the name taken), placed and recorded. Reports bytes copied through `onBytes`.
 */
export async function importOne(source: ImportSource, target: ImportTarget, control: Pick<JobControl, 'signal'>, onBytes: (bytes: number) => void): Promise<RecordedFile> {
  const { signal } = control;
  try {
    const name = targetName(source.name);
    if (isInside(source.path, target.modelsDir)) {
      throw new XinglinError('MODEL_DUPLICATE', `${source.name} 已在模型文件夹 ${target.modelsDir} 中，无需导入`, { file: source.name });
    }
    const { kind, info } = await classify(source.path);
    const dir = folderPath(target.modelsDir, kind);
    const destination = path.join(dir, name);
    if (fs.existsSync(destination)) throw nameTaken(name, kind, dir);

    createPrivateFolder(dir);
    const copy = await copyHashing(source.path, dir, name, signal, onBytes);
    try {
      const after = fs.statSync(source.path);
      if (copy.bytes !== info.sizeBytes || after.size !== info.sizeBytes || after.mtimeMs !== info.mtimeMs) {
        throw new XinglinError('IMPORT_INVALID', `${source.name} 在复制过程中被修改（复制了 ${copy.bytes} 字节，检查时为 ${info.sizeBytes} 字节），未导入：请在文件不再变化后重试`, { file: source.name });
      }
      const existing = await target.sameContent(copy.sha256, copy.bytes, signal);
      if (existing) {
        throw new XinglinError('MODEL_DUPLICATE', `${source.name} 与已登记的${kindLabel[existing.kind]} ${existing.file} 内容完全相同（sha256 ${copy.sha256.slice(0, 12)}…），未重复导入`, { file: source.name, existing: existing.file });
      }
      place(copy.temp, destination, name, kind, dir);
    } catch (error) {
      fs.rmSync(copy.temp, { force: true });
      throw error;
    }

    const placed = fs.statSync(destination);
    const record: RecordedFile = { file: name, kind, sizeBytes: placed.size, mtimeMs: placed.mtimeMs, sha256: copy.sha256, importedAt: Date.now(), verifiedAt: null, metadata: ggufMetadata(info) };
    try {
      target.commit(record);
    } catch (error) {
      // Unrecorded, the file would show as a hand-placed one with no digest: take it back out.
      fs.rmSync(destination, { force: true });
      throw error;
    }
    return record;
  } catch (error) {
    throw asNamed(error, source);
  }
}
