import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { XinglinError } from '../../contract/index.js';
import { createPrivateFolder } from '../folders.js';
import { applyKey, fileEncryption, rekey, type DatabaseKey } from './cipher.js';
import { migrate, readSchemaVersion, type Migration } from './migrate.js';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** How long a writer waits for another process's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /** The schema steps of the slices that own this file, in order. */
  migrations: readonly Migration[];
  /** The data folder's key when it is encrypted (core/encryption checks it against the folder first). */
  key?: DatabaseKey | undefined;
}

export const MEMORY = ':memory:';

/**
 * Opens (creating if needed) the database file, refuses one written by a newer app, sets the
 * connection pragmas and brings the schema up to date.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions): Db {
  const list = options.migrations;
  const known = list.at(-1)?.version ?? 0;
  const memory = file === MEMORY;
  if (!memory) createPrivateFile(file);

  const key = memory ? undefined : options.key;
  let db: Db;
  try {
    // A plain file in an encrypted folder was left by an interrupted `xinglin encrypt`: it is finished below.
    const unfinished = key !== undefined && fileEncryption(file) === 'plain';
    db = new Database(file, { fileMustExist: !memory });
    if (key && unfinished) rekey(db, key);
    else if (key) applyKey(db, key);
  } catch (cause) {
    throw openError(file, cause, key !== undefined);
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    // Check before any pragma that writes to the file: a newer database must stay untouched.
    const found = readSchemaVersion(db);
    if (found > known) {
      throw new XinglinError(
        'DATABASE_NEWER',
        `数据库文件由更新版本的杏林创建（数据库版本 ${found}，本程序最高支持 ${known}），为避免损坏数据已拒绝打开。请升级杏林后再试：${file}`,
        { file, version: found, supported: known },
      );
    }
    // WAL: readers never block the writer; NORMAL is durable across app crashes in WAL mode
    // (only an OS crash can lose the last transactions) and much faster than FULL.
    if (!memory) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // Patient text: a deleted row is overwritten with zeros, not left in a free page of the file.
    db.pragma('secure_delete = ON');
    migrate(db, list);
    return db;
  } catch (cause) {
    db.close();
    throw openError(file, cause, key !== undefined);
  }
}

/**
 * Patient data: the folder is 0700 and the file 0600 from the first byte (SQLite gives its -wal
 * and -shm files the main file's mode). An existing file keeps whatever mode its owner chose.
 */
function createPrivateFile(file: string): void {
  try {
    createPrivateFolder(path.dirname(file));
    const fd = fs.openSync(file, 'wx', 0o600);
    try {
      fs.fchmodSync(fd, 0o600); // the umask may have removed bits, never added them; be exact anyway
    } finally {
      fs.closeSync(fd);
    }
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw openError(file, cause);
  }
}

function openError(file: string, cause: unknown, keyed = false): XinglinError {
  if (cause instanceof XinglinError) return cause;
  const code = (cause as { code?: unknown }).code;
  const reason = cause instanceof Error ? cause.message : String(cause);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    const what = keyed ? '数据库文件已损坏，或不是用这个数据文件夹的密钥加密的' : '数据库文件已损坏或不是杏林的数据库';
    return new XinglinError('DATABASE_CORRUPT', `${what}：${file}`, { file, reason });
  }
  return new XinglinError('DATABASE_UNAVAILABLE', `无法打开数据库文件：${file}（${reason}）`, { file, reason });
}
