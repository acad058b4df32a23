/**
 * Encrypting or decrypting a data folder's databases in place, each after a backup: the folder must
 * not be in use (the desktop app and `xinglin serve` closed). Each database is rewritten in one
 * transaction; the marker is written before the first (encrypt) and removed after the last
 * (decrypt), so an interrupted run leaves a folder the key still opens, and the next open with the
 * key encrypts any database left plain.
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { XinglinError } from '../../contract/index.js';
import { backupDataFolder, type BackupResult } from '../backup/index.js';
import { refuseWhileInUse } from '../backup/restore.js';
import { applyKey, checkDatabase, fileEncryption, rekey, type DatabaseKey } from '../db/index.js';
import { ensureUsableFolder } from '../folders.js';
import { existingDatabases } from '../backup/databases.js';
import { checkFolderKey } from './folder.js';
import { removeMarker, writeMarker } from './marker.js';

export interface EncryptionChange {
  dataDir: string;
  key: DatabaseKey;
  /** Where the backup taken first goes. */
  backupFile: string;
  appVersion: string;
  now?: Date;
}

export interface EncryptionChangeResult {
  /** null: the folder had no databases yet, so nothing to back up. */
  backup: BackupResult | null;
  databases: string[];
}

/** Encrypts the folder's databases with `key`, after a plain backup to `backupFile` (which the administrator keeps safe or destroys: it is not encrypted). */
export async function encryptDataFolder(change: EncryptionChange): Promise<EncryptionChangeResult> {
  const { dataDir, key } = change;
  ensureUsableFolder(dataDir, 'data');
  if (checkFolderKey(dataDir, key)) throw new XinglinError('INVALID_INPUT', `数据文件夹已经加密，无需再加密：${dataDir}`, { path: dataDir });
  const { files, backup } = await backUpFirst(change, undefined);
  writeMarker(dataDir, key, change.now);
  for (const file of files) {
    rewrite(file, (db) => {
      if (fileEncryption(file) === 'plain') rekey(db, key);
    });
    checkRewritten(change, file, key);
  }
  return { backup, databases: files };
}

/** Decrypts the folder's databases, after a backup (still encrypted with `key`) to `backupFile`. */
export async function decryptDataFolder(change: EncryptionChange): Promise<EncryptionChangeResult> {
  const { dataDir, key } = change;
  ensureUsableFolder(dataDir, 'data');
  if (!checkFolderKey(dataDir, key)) throw new XinglinError('INVALID_INPUT', `数据文件夹没有加密，无需解密：${dataDir}`, { path: dataDir });
  const { files, backup } = await backUpFirst(change, key);
  for (const file of files) {
    rewrite(file, (db) => {
      if (fileEncryption(file) !== 'encrypted') return; // left plain by an interrupted run
      applyKey(db, key);
      rekey(db, null);
    });
    checkRewritten(change, file, undefined);
  }
  removeMarker(dataDir);
  return { backup, databases: files };
}

/** Refuses while the folder is in use, and backs up what it holds (with the key it is encrypted with now). */
async function backUpFirst(change: EncryptionChange, currentKey: DatabaseKey | undefined): Promise<{ files: string[]; backup: BackupResult | null }> {
  const { dataDir, key } = change;
  refuseWhileInUse(dataDir, key, '更改加密');
  const files = existingDatabases(dataDir);
  const backup = files.length > 0 ? await backupDataFolder({ dataDir, file: change.backupFile, appVersion: change.appVersion, key: currentKey, ...(change.now ? { now: change.now } : {}) }) : null;
  refuseWhileInUse(dataDir, key, '更改加密'); // the backup took a while: an app may have started meanwhile
  return { files, backup };
}

function rewrite(file: string, convert: (db: Database.Database) => void): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    convert(db);
  } finally {
    db.close();
  }
}

function checkRewritten(change: EncryptionChange, file: string, keyNow: DatabaseKey | undefined): void {
  const { integrity } = checkDatabase(file, keyNow);
  if (integrity !== 'ok') throw new XinglinError('DATABASE_CORRUPT', `更改加密后 ${file} 未通过完整性检查（${integrity.slice(0, 120)}）；更改前的备份在 ${change.backupFile}`, { file });
}
