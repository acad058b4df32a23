/**
 * The one log: structured events of a typed union, one JSON line each, in the data folder's
 * `logs/xinglin.log`, rotated by size. No patient text by construction: every field is a number,
 * a code, an id, a method or file name or an error's class and stack frames — never a message,
 * a question, a record or an error's message (which may quote input).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createPrivateFolder } from './folders.js';
import type { ErrorCode, JobKind, JobState, MethodName, ModelRequestKind } from '../contract/index.js';

type Level = 'info' | 'warn' | 'error';

/** Stack frames only: the first line of a stack is the error's message, which may quote input. */
export interface ErrorTrace {
  errorClass: string;
  frames: string[];
}

export type LogEvent =
  | { event: 'core.opened'; host: 'electron' | 'web' | 'cli'; appVersion: string }
  | { event: 'core.closed' }
  | ({ event: 'core.call.failed'; method: MethodName } & ErrorTrace)
  | ({ event: 'core.reopen.failed' } & ErrorTrace)
  | { event: 'data.restored'; backup: string; createdAt: string }
  | { event: 'data.encrypted'; databases: number }
  | { event: 'db.slow_query'; db: 'chat' | 'knowledge' | 'records'; op: string; ms: number; thresholdMs: number; rows?: number }
  | { event: 'kb.starter.failed'; code: ErrorCode | null; file: string | null; line: number | null }
  | { event: 'kb.synonyms.failed'; code: ErrorCode | null; line: number | null }
  | { event: 'job.ended'; kind: JobKind; state: JobState; ms: number; code: ErrorCode | null }
  | { event: 'model.loaded'; file: string; adapters: number; gpu: string; threads: number; ms: number }
  | { event: 'model.restored'; file: string }
  | { event: 'profile.restore.failed'; code: ErrorCode }
  | { event: 'manifest.recovered'; damagedCopy: string }
  | { event: 'runtime.crashed'; exitCode: number | null; signal: string | null; hung: boolean; file: string | null; during: 'load' | 'request' | 'idle' }
  | { event: 'record.drafted'; mode: 'findings' | 'llm'; ms: number; turns: number; findings: number; unsupported?: number; warnings?: number; tokens?: number }
  | { event: 'model.request.ended'; kind: ModelRequestKind; waitedMs: number; ranMs: number; cancelled: boolean }
  | ({ event: 'web.request.failed'; path: string } & ErrorTrace)
  | { event: 'backup.written'; file: string; bytes: number; ms: number; removed: number }
  | ({ event: 'backup.failed'; code: ErrorCode | null } & ErrorTrace)
  | { event: 'electron.ready'; version: string; electron: string }
  | ({ event: 'electron.start.failed' } & ErrorTrace)
  | ({ event: 'electron.core.close.failed' } & ErrorTrace)
  | { event: 'electron.renderer.gone'; reason: string; exitCode: number };

export type LogEventName = LogEvent['event'];

export interface Logger {
  info(event: LogEvent): void;
  warn(event: LogEvent): void;
  error(event: LogEvent): void;
}

/** The class and the frames of an error, without its message. */
export function errorTrace(cause: unknown): ErrorTrace {
  if (!(cause instanceof Error)) return { errorClass: typeof cause, frames: [] };
  const frames = (cause.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)).map((line) => line.trim()).slice(0, 12);
  return { errorClass: cause.name || cause.constructor.name, frames };
}

export const LOG_FILE = 'xinglin.log';
/** A log grows to this size, then becomes xinglin.log.1 (and .1 becomes .2 …). */
export const LOG_MAX_BYTES = 5 * 1024 * 1024;
export const LOG_KEEP = 3;

/** A logger writing to `<dataDir>/logs/xinglin.log`; a log that cannot be written never stops the app. */
export function openLog(dataDir: string, options: { maxBytes?: number; keep?: number } = {}): Logger {
  const dir = path.join(dataDir, 'logs');
  const file = path.join(dir, LOG_FILE);
  const maxBytes = options.maxBytes ?? LOG_MAX_BYTES;
  const keep = options.keep ?? LOG_KEEP;
  let size: number | null = null;

  const rotate = () => {
    for (let n = keep - 1; n >= 1; n--) {
      const from = `${file}.${n}`;
      if (fs.existsSync(from)) fs.renameSync(from, `${file}.${n + 1}`);
    }
    fs.renameSync(file, `${file}.1`);
    size = 0;
  };

  const write = (level: Level, event: LogEvent) => {
    const line = `${JSON.stringify({ time: new Date().toISOString(), level, ...event })}\n`;
    try {
      if (size === null) {
        createPrivateFolder(dir);
        size = fs.existsSync(file) ? fs.statSync(file).size : 0;
      }
      if (size > 0 && size + line.length > maxBytes) rotate();
      fs.appendFileSync(file, line, { mode: 0o600 });
      size += Buffer.byteLength(line);
    } catch {
      // A full disk or a read-only folder must not turn a log line into a failed request.
    }
  };
  return { info: (e) => write('info', e), warn: (e) => write('warn', e), error: (e) => write('error', e) };
}

/** For code that runs without a data folder (unit tests of one part). */
export const silentLog: Logger = { info: () => {}, warn: () => {}, error: () => {} };
