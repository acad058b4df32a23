/**
 * The registry of the models folder: which base models and adapters are usable (read from their
 * headers, remembered in the manifest by size and mtime so a listing does not re-read them), which
 * files are not and why, and each file's digest. Files come in by import (copied, hashed, checked)
 * or by hand; verify re-hashes them against what was recorded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { XinglinError, type InvalidModelFile, type MethodOutput, type ModelEntry, type ModelKind, type VerifyResult } from '../../../contract/index.js';
import type { JobControl } from '../../jobs.js';
import { sha256File } from '../file-hash.js';
import type { ManifestFile, RecordedFile } from '../manifest.js';
import { resolveModelPath } from '../models-dir.js';
import type { LoadPlan } from '../runtime/load.js';
import { importOne, kindLabel, removeStaleParts, type ImportSource, type ImportTarget } from './import.js';
import { ggufMetadata } from './metadata.js';
import { findFiles, folderOf, folderPath, inspectAs } from './scan.js';
import { verifyRecords } from './verify.js';

type Job = Pick<JobControl, 'signal' | 'report'>;

interface FileState {
  sizeBytes: number;
  mtimeMs: number;
}

const keyOf = (kind: ModelKind, file: string): string => `${kind}/${file}`;
const sameState = (a: FileState, b: FileState): boolean => a.sizeBytes === b.sizeBytes && a.mtimeMs === b.mtimeMs;
const byName = (a: { file: string }, b: { file: string }): number => a.file.localeCompare(b.file);

function toEntry({ file, kind, sizeBytes, sha256, importedAt, verifiedAt, metadata }: RecordedFile): ModelEntry {
  return { file, kind, sizeBytes, sha256, importedAt, verifiedAt, metadata };
}

function statOf(file: string): FileState | null {
  try {
    const stat = fs.statSync(file);
    return stat.isFile() ? { sizeBytes: stat.size, mtimeMs: stat.mtimeMs } : null;
  } catch {
    return null;
  }
}

/** A system error while importing one file, as a refusal of that file (the others go on). */
function importFailure(error: unknown, name: string): XinglinError {
  if (error instanceof XinglinError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return new XinglinError('FOLDER_UNUSABLE', `模型文件夹所在磁盘空间不足，${name} 未导入`, { file: name });
  return new XinglinError('MODEL_LOAD_FAILED', `无法复制 ${name}：${code ?? (error instanceof Error ? error.message : String(error))}`, { file: name });
}

export class Registry {
  /** Files found unusable, by kind/name, while their size and mtime stay the same (not re-read on every listing). */
  readonly #invalid = new Map<string, FileState & { entry: InvalidModelFile }>();
  /** Digests a load computed for files not recorded yet, for the scan that records them. */
  readonly #digests = new Map<string, FileState & { sha256: string }>();

  constructor(
    private readonly modelsDir: string,
    private readonly manifest: ManifestFile,
  ) {
    removeStaleParts(modelsDir);
  }

  /** The usable files by kind, and the unusable ones with the reason; headers read only for new or changed files. */
  async list(): Promise<MethodOutput<'models.list'>> {
    const { usable, invalid } = await this.#scan();
    const entries = usable.map(toEntry).sort(byName);
    return {
      modelsDir: this.modelsDir,
      models: entries.filter((e) => e.kind === 'model'),
      adapters: entries.filter((e) => e.kind === 'adapter'),
      invalid: invalid.sort(byName),
    };
  }

  /**
   * A usable registered file as the last listing found it (null: not registered, or changed on
   * disk since). Synchronous, for checks such as a profile naming its files.
   */
  entry(file: string, kind: ModelKind): ModelEntry | null {
    const record = this.manifest.read().files.find((r) => r.kind === kind && r.file === file);
    if (!record) return null;
    const now = statOf(path.join(folderPath(this.modelsDir, kind), file));
    return now && sameState(now, record) ? toEntry(record) : null;
  }

  /** Copies each file in (a refused one does not stop the others); a cancel ends the job, keeping the files already imported. */
  async import(files: ReadonlyArray<ImportSource>, { signal, report }: Job): Promise<MethodOutput<'models.import'>> {
    await this.#scan();
    const sizes = files.map((f) => statOf(f.path)?.sizeBytes ?? 0);
    const total = sizes.reduce((sum, size) => sum + size, 0);
    const target: ImportTarget = {
      modelsDir: this.modelsDir,
      sameContent: (sha256, sizeBytes, abort) => this.#sameContent(sha256, sizeBytes, abort),
      commit: (record) => {
        this.#upsert([record]);
        this.#invalid.delete(keyOf(record.kind, record.file));
      },
    };
    const imported: ModelEntry[] = [];
    const refused: MethodOutput<'models.import'>['refused'] = [];
    let before = 0;
    for (const [index, source] of files.entries()) {
      signal.throwIfAborted();
      let reported = -1;
      const step = (phase: 'inspect' | 'copy', bytes: number) => {
        const done = before + bytes;
        const progress = total === 0 ? 0 : done / total;
        if (phase === 'copy' && progress - reported < 0.01 && bytes !== sizes[index]) return;
        reported = progress;
        report({ phase, progress, detail: source.name, done, total });
      };
      step('inspect', 0);
      try {
        imported.push(toEntry(await importOne(source, target, { signal }, (bytes) => step('copy', bytes))));
      } catch (error) {
        if (signal.aborted) throw error;
        const failure = importFailure(error, source.name);
        refused.push({ name: source.name, error: { code: failure.code, message: failure.message } });
      }
      before += sizes[index] ?? 0;
    }
    return { imported, refused };
  }

  /** Re-hashes the registered files (or the one named), reading every byte; `new` and `ok` ones are recorded as verified. */
  async verify(filter: { file?: string | undefined; kind?: ModelKind | undefined }, job: Job): Promise<VerifyResult[]> {
    await this.#scan();
    const records = this.manifest.read().files
      .filter((r) => (filter.file === undefined || r.file === filter.file) && (filter.kind === undefined || r.kind === filter.kind))
      .sort((a, b) => (a.kind === b.kind ? byName(a, b) : a.kind === 'model' ? -1 : 1));
    if (filter.file !== undefined && records.length === 0) {
      const where = filter.kind ? folderPath(this.modelsDir, filter.kind) : this.modelsDir;
      throw new XinglinError('NOT_FOUND', `没有登记名为 ${filter.file} 的${filter.kind ? kindLabel[filter.kind] : '模型或适配器'}文件（${where}）；用 xinglin models list 查看已登记的文件`, { file: filter.file });
    }
    const { results, updates } = await verifyRecords(this.modelsDir, records, job);
    if (updates.length > 0) {
      this.manifest.update((manifest) => {
        for (const update of updates) {
          const current = manifest.files.find((r) => r.kind === update.kind && r.file === update.file);
          // Changed on disk while it was hashed: that digest belongs to no state worth recording.
          if (current && sameState(current, update)) Object.assign(current, { sha256: update.sha256, verifiedAt: update.verifiedAt });
        }
      });
    }
    return results;
  }

  /** Deletes the file (usable or not) and its record. The service refuses files in use first. */
  remove(file: string, kind: ModelKind): void {
    const dir = folderPath(this.modelsDir, kind);
    resolveModelPath(dir, file); // refuses a path or `..` before anything is touched
    const target = path.join(dir, file);
    const recorded = this.manifest.read().files.some((r) => r.kind === kind && r.file === file);
    let onDisk = true;
    try {
      fs.lstatSync(target);
    } catch {
      onDisk = false;
    }
    if (!recorded && !onDisk) throw new XinglinError('NOT_FOUND', `${dir} 中没有名为 ${file} 的${kindLabel[kind]}文件`, { file, kind });
    if (onDisk) {
      try {
        fs.unlinkSync(target);
      } catch (cause) {
        throw new XinglinError('FOLDER_UNUSABLE', `无法删除 ${target}：${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { file, kind });
      }
    }
    const key = keyOf(kind, file);
    this.#invalid.delete(key);
    this.#digests.delete(key);
    if (recorded) this.manifest.update((manifest) => void (manifest.files = manifest.files.filter((r) => keyOf(r.kind, r.file) !== key)));
  }

  /** After a load hashed its files: their digests, for the records that have none yet. */
  recordDigests(plan: LoadPlan): void {
    const hashed = [
      { kind: 'model' as const, file: plan.model.file, path: plan.model.path, sha256: plan.model.sha256 },
      ...plan.adapters.map((a) => ({ kind: 'adapter' as const, file: a.file, path: a.path, sha256: a.sha256 })),
    ];
    const fresh: Array<{ key: string; state: FileState; sha256: string }> = [];
    for (const { kind, file, path: filePath, sha256 } of hashed) {
      const state = statOf(filePath);
      if (!state) continue;
      this.#digests.set(keyOf(kind, file), { ...state, sha256 });
      fresh.push({ key: keyOf(kind, file), state, sha256 });
    }
    const lacking = (r: RecordedFile) => r.sha256 === null && fresh.find((f) => f.key === keyOf(r.kind, r.file) && sameState(f.state, r));
    if (!this.manifest.read().files.some(lacking)) return;
    this.manifest.update((manifest) => {
      for (const record of manifest.files) {
        const found = lacking(record);
        if (found) record.sha256 = found.sha256;
      }
    });
  }

  /**
   * Every `*.gguf` of the folders, usable or not. A file the manifest holds with the same size and
   * mtime is not read again; a new or changed one is inspected and its record written. Records of
   * files gone from the disk stay (verify reports them missing; remove forgets them).
   */
  async #scan(): Promise<{ usable: RecordedFile[]; invalid: InvalidModelFile[] }> {
    const known = new Map(this.manifest.read().files.map((r) => [keyOf(r.kind, r.file), r]));
    const usable: RecordedFile[] = [];
    const invalid: InvalidModelFile[] = [];
    const changed: RecordedFile[] = [];
    for (const found of findFiles(this.modelsDir)) {
      const key = keyOf(found.kind, found.file);
      if ('error' in found) {
        invalid.push({ file: found.file, folder: folderOf[found.kind], sizeBytes: found.sizeBytes, error: { code: found.error.code, message: found.error.message } });
        continue;
      }
      const record = known.get(key);
      if (record && sameState(record, found)) {
        usable.push(record);
        continue;
      }
      const seen = this.#invalid.get(key);
      if (seen && sameState(seen, found)) {
        invalid.push(seen.entry);
        continue;
      }
      try {
        const info = await inspectAs(found.path, found.kind);
        const digest = this.#digests.get(key);
        // A file changed under a recorded name keeps the recorded digest: verify reports it as changed.
        const sha256 = record?.sha256 ?? (digest && sameState(digest, found) ? digest.sha256 : null);
        const next: RecordedFile = { file: found.file, kind: found.kind, sizeBytes: found.sizeBytes, mtimeMs: found.mtimeMs, sha256, importedAt: record?.importedAt ?? null, verifiedAt: record?.verifiedAt ?? null, metadata: ggufMetadata(info) };
        usable.push(next);
        changed.push(next);
        this.#invalid.delete(key);
      } catch (cause) {
        if (!(cause instanceof XinglinError)) throw cause;
        const entry: InvalidModelFile = { file: found.file, folder: folderOf[found.kind], sizeBytes: found.sizeBytes, error: { code: cause.code, message: cause.message } };
        this.#invalid.set(key, { sizeBytes: found.sizeBytes, mtimeMs: found.mtimeMs, entry });
        invalid.push(entry);
      }
    }
    // An import may have recorded one of these files while they were read: its record (with the digest) wins.
    if (changed.length > 0) this.#upsert(changed, { keepSameState: true });
    return { usable, invalid };
  }

  /** A registered file on disk with these bytes: by recorded digest, else by hashing same-sized files that have none (recorded then). */
  async #sameContent(sha256: string, sizeBytes: number, signal: AbortSignal): Promise<RecordedFile | null> {
    const records = this.manifest.read().files.filter((r) => statOf(path.join(folderPath(this.modelsDir, r.kind), r.file)) !== null);
    const match = records.find((r) => r.sha256 === sha256);
    if (match) return match;
    for (const record of records.filter((r) => r.sha256 === null && r.sizeBytes === sizeBytes)) {
      const file = path.join(folderPath(this.modelsDir, record.kind), record.file);
      const digest = await sha256File(file, { signal });
      if (digest.sizeBytes === record.sizeBytes && digest.mtimeMs === record.mtimeMs) this.#upsert([{ ...record, sha256: digest.sha256 }]);
      if (digest.sha256 === sha256) return record;
    }
    return null;
  }

  #upsert(records: readonly RecordedFile[], options: { keepSameState?: boolean } = {}): void {
    this.manifest.update((manifest) => {
      for (const record of records) {
        const index = manifest.files.findIndex((r) => r.kind === record.kind && r.file === record.file);
        const current = manifest.files[index];
        if (!current) manifest.files.push(record);
        else if (!(options.keepSameState && sameState(current, record))) manifest.files[index] = record;
      }
    });
  }
}
