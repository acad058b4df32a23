/**
 * The SQLite side of backups: online snapshots of a live database file, checks of a copy before it
 * replaces anything, and whether an app still holds a file open.
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { applyKey, fileEncryption, type DatabaseKey } from './cipher.js';
import { readSchemaVersion } from './migrate.js';

/** Pages per backup step: all of them (see snapshotDatabase). */
const ALL_PAGES = 0x7fffffff;

/**
 * Copies `file` to `dest` (a new file) with SQLite's online backup API, from a connection of its
 * own, while the app's connections go on writing. The copy is one step, one read transaction, so
 * one consistent moment: in small steps every write in between restarts the copy, and a busy chat
 * could keep it from ever finishing. In WAL mode writers are not blocked by it.
 * An encrypted database is copied with `VACUUM INTO` instead (also one read transaction): the
 * backup API cannot write pages of a cipher that reserves bytes per page into a plain new file,
 * and the copy it makes keeps the source's cipher and key, so a backup is as encrypted as the data.
 */
export async function snapshotDatabase(file: string, dest: string, key?: DatabaseKey): Promise<void> {
  const db = openReadonly(file, key);
  try {
    if (key) db.prepare('VACUUM INTO ?').run(dest);
    else await db.backup(dest, { progress: () => ALL_PAGES });
  } finally {
    db.close();
  }
}

function openReadonly(file: string, key: DatabaseKey | undefined): Database.Database {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  if (key) applyKey(db, key);
  return db;
}

export interface DatabaseCheck {
  schemaVersion: number;
  /** 'ok', or SQLite's first complaint. */
  integrity: string;
}

/** Opens a copy read-only and reports its schema version and `PRAGMA integrity_check`. Throws SQLite's error for a file that is not a database. */
export function checkDatabase(file: string, key?: DatabaseKey): DatabaseCheck {
  const db = openReadonly(file, key);
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    return { schemaVersion: readSchemaVersion(db), integrity };
  } finally {
    db.close();
  }
}

/**
 * Whether another connection (this process or another app) has `file` open. In WAL mode every
 * open connection keeps a shared lock on the file, so an exclusive lock, tried without waiting,
 * succeeds only when nobody else holds it.
 */
export function isDatabaseInUse(file: string, key?: DatabaseKey): boolean {
  const db = new Database(file, { fileMustExist: true });
  try {
    // The lock reads the first page: an encrypted one needs the key (a plain one must not get it).
    if (key && fileEncryption(file) === 'encrypted') applyKey(db, key);
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return false;
  } catch (cause) {
    if ((cause as { code?: unknown }).code === 'SQLITE_BUSY') return true;
    throw cause;
  } finally {
    db.close();
  }
}
