import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { XinglinError, type KbCsvMapping, type KbImportError, type KbImportFormat, type KbImportReport, type KbSourceKind } from '../../../contract/index.js';
import { openDatabase, type DatabaseKey } from '../../db/index.js';
import { csvParser } from './formats/csv.js';
import { jsonlParser } from './formats/jsonl.js';
import { labelParser } from './formats/label.js';
import { LineError, type FormatParser, type Parsed } from './formats/parser.js';
import { excerpt } from '../entry-schema.js';
import { KbStore } from '../kb-store.js';
import { readLines } from '../../line-reader.js';
import { knowledgeMigrations } from '../migrations/index.js';
import { STARTER_LABEL } from './starter.js';
import { recordKey, writeRecord, type WriteSource } from './writer.js';

/** `read`: bytes of the file read, validated and written; `index`: entries re-indexed for search. */
export interface ImportProgress {
  phase: 'read' | 'index';
  done: number;
  total: number;
}

export interface ImportOptions {
  file: string;
  /** knowledge.db's key when the data folder is encrypted. */
  key?: DatabaseKey | undefined;
  /** The file as the user knows it (an upload's original name), in messages and the default label; defaults to the file's own. */
  name?: string | undefined;
  format: KbImportFormat;
  mapping?: KbCsvMapping | undefined;
  dryRun: boolean;
  /** The source label; defaults to one naming the file. */
  source?: string | undefined;
  /** Defaults to `label` for package inserts, `hospital` otherwise. */
  kind?: Exclude<KbSourceKind, 'starter'> | undefined;
  onProgress?: ((progress: ImportProgress) => void) | undefined;
  /** Cancels the import: it rolls back and rejects with CANCELLED, the base as it was. */
  signal?: AbortSignal | undefined;
}

/** Streamed, so size is no memory concern; past this it is not a knowledge base but a mistake. */
const MAX_IMPORT_BYTES = 2 * 1024 ** 3;
/** Errors listed in the report; the rest are counted. */
const MAX_REPORTED_ERRORS = 100;
/** Lines that are not the declared format at all before reading stops: such a file is not a knowledge base. */
const MAX_UNPARSED_LINES = 5;
const FORMAT_NAMES: Record<KbImportFormat, string> = { jsonl: 'JSONL', csv: 'CSV', label: '说明书（每行一个 JSON）' };
const PROGRESS_EVERY_MS = 100;
/** Entries re-indexed between two yields to the event loop. */
const INDEX_BATCH = 500;

/**
 * Imports one file into knowledge.db, all or nothing. It runs on its own connection inside one
 * IMMEDIATE transaction spanning the whole (streamed, asynchronous) read: other connections keep
 * reading the old base (WAL) until COMMIT, and any error, a dry run or a cancel ends in ROLLBACK.
 */
export async function importFile(dbFile: string, options: ImportOptions): Promise<KbImportReport> {
  const name = options.name ?? path.basename(options.file);
  const size = checkFile(options.file, name);
  const parser = parserFor(options);
  const label = options.source?.trim() || defaultLabel(options.format, name);
  if (label === STARTER_LABEL) throw new XinglinError('IMPORT_INVALID', `来源名“${label}”保留给入门知识库，请用 --source 换一个名称`, { source: label });

  const cancelled = () => {
    if (options.signal?.aborted) throw new XinglinError('CANCELLED', `已取消导入：${name}，知识库保持原样`, { file: name });
  };
  const version = await digest(options.file, options.signal);
  cancelled();
  const db = openDatabase(dbFile, { migrations: knowledgeMigrations, key: options.key });
  const report: KbImportReport = { dryRun: options.dryRun, committed: false, source: label, total: 0, added: 0, updated: 0, unchanged: 0, removed: 0, errors: [], moreErrors: 0 };
  try {
    // The whole file is one transaction: a larger page cache keeps it from spilling to disk midway.
    db.pragma('cache_size = -65536');
    db.exec('BEGIN IMMEDIATE');
    const kb = new KbStore(db);
    const importedAt = Date.now();
    const kind = options.kind ?? (options.format === 'label' ? 'label' : 'hospital');
    const before = kb.source(label);
    if (before?.kind === 'starter') throw new XinglinError('IMPORT_INVALID', `来源名“${label}”属于入门知识库，请换一个名称`, { source: label });
    // A changed file: what the source says now is kept as its previous version, for rollback.
    if (before && before.version !== version) kb.keepPrevious(before.id);
    const source: WriteSource = { id: kb.upsertSource(label, kind, options.format, version, importedAt), version, importedAt };
    const kept = new Set<string>();
    // Entry id → whether this import created it (its full-text row does not exist yet).
    const touched = new Map<string, boolean>();
    const seen = new Map<string, number>();
    const fail = (error: KbImportError): void => {
      if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push(error);
      else report.moreErrors += 1;
    };
    const accept = (parsed: Parsed | null): void => {
      if (!parsed) return;
      report.total += 1;
      const key = recordKey(parsed.record);
      const first = seen.get(key);
      if (first !== undefined) return fail({ line: parsed.line, message: `第 ${parsed.line} 行：与第 ${first} 行是同一条目（${excerpt(parsed.record.name)}），同一文件中不能重复` });
      seen.set(key, parsed.line);
      const { id, outcome } = writeRecord(kb, parsed.record, source, parsed.originals);
      kept.add(id);
      report[outcome] += 1;
      if (outcome !== 'unchanged') touched.set(id, outcome === 'added');
    };
    // Messages name the line and the field, never the line's text: a file that is not the declared
    // format (a stray binary, a system file) must not come back through them.
    let unparsed = 0;
    /** Records a bad line; false once the file shows it cannot be read as its format (the rest is not read). */
    const refuse = (at: number, error: LineError): boolean => {
      fail({ line: at, message: `第 ${at} 行：${error.message}` });
      if (error.kind === 'fatal') return false;
      if (error.kind === 'unparsed') unparsed += 1;
      if (unparsed < MAX_UNPARSED_LINES) return true;
      fail({ line: at, message: `第 ${at} 行起不再读取：已有 ${unparsed} 行不是有效的 ${FORMAT_NAMES[options.format]}，请确认文件与所选格式一致` });
      return false;
    };
    const step = (run: () => Parsed | null, line: number): boolean => {
      try {
        accept(run());
        return true;
      } catch (cause) {
        if (!(cause instanceof LineError)) throw cause;
        return refuse(cause.line || line, cause);
      }
    };

    let lastProgress = 0;
    let lastLine = 0;
    let readable = true;
    for await (const line of readLines(options.file)) {
      cancelled();
      lastLine = line.line;
      readable = line.text === null ? refuse(line.line, new LineError(line.line, line.error!, 'unparsed')) : step(() => parser.push(line.line, line.text!), line.line);
      if (!readable) break;
      if (options.onProgress && performance.now() - lastProgress > PROGRESS_EVERY_MS) {
        lastProgress = performance.now();
        options.onProgress({ phase: 'read', done: line.bytesRead, total: size });
      }
    }
    if (readable) step(() => parser.end(), lastLine);
    options.onProgress?.({ phase: 'read', done: size, total: size });
    if (report.total === 0 && report.errors.length === 0) fail({ line: 0, message: '文件中没有任何条目' });

    if (report.errors.length > 0 || options.dryRun) {
      db.exec('ROLLBACK');
      return report;
    }
    // The file is the source: an entry it no longer holds loses what this source said about it.
    if (before) {
      for (const id of kb.entityIdsOfSource(source.id)) {
        if (kept.has(id)) continue;
        kb.dropFromSource(id, source.id);
        touched.set(id, false);
        report.removed += 1;
      }
      kb.deleteOrphans();
    }
    let done = 0;
    for (const [id, isNew] of touched) {
      kb.reindex(id, isNew);
      done += 1;
      if (done % INDEX_BATCH === 0 || done === touched.size) {
        options.onProgress?.({ phase: 'index', done, total: touched.size });
        // Let the app breathe (replies, progress, a cancel) between batches of a long re-index.
        await new Promise((resolve) => setImmediate(resolve));
        cancelled();
      }
    }
    cancelled();
    db.exec('COMMIT');
    report.committed = true;
    return report;
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
    db.close();
  }
}

function checkFile(file: string, name: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new XinglinError('NOT_FOUND', `找不到要导入的文件：${name}`, { file: name });
  }
  if (!stat.isFile()) throw new XinglinError('IMPORT_INVALID', `不是一个文件：${name}`, { file: name });
  if (stat.size > MAX_IMPORT_BYTES) {
    throw new XinglinError('FILE_TOO_LARGE', `文件过大（${(stat.size / 1024 ** 3).toFixed(1)} GB），单个导入文件上限为 ${MAX_IMPORT_BYTES / 1024 ** 3} GB，请拆分后分批导入：${name}`, { file: name, size: stat.size, max: MAX_IMPORT_BYTES });
  }
  return stat.size;
}

function parserFor(options: ImportOptions): FormatParser {
  switch (options.format) {
    case 'jsonl':
      return jsonlParser();
    case 'label':
      return labelParser();
    case 'csv':
      if (!options.mapping) throw new XinglinError('IMPORT_INVALID', 'CSV 导入需要列映射（--mapping map.json）：说明每一列对应哪个字段', { format: 'csv' });
      return csvParser(options.mapping);
  }
}

function defaultLabel(format: KbImportFormat, name: string): string {
  return format === 'label' ? `药品说明书：${name.slice(0, 80)}` : `医院导入：${name.slice(0, 80)}`;
}

/** The file's sha256 (first 16 hex digits): the version every fact from this import carries. */
async function digest(file: string, signal: AbortSignal | undefined): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) {
    if (signal?.aborted) break;
    hash.update(chunk as Buffer);
  }
  return `sha256:${hash.digest('hex').slice(0, 16)}`;
}
