import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { XinglinError } from '../../contract/index.js';
import { checkDatabase, isDatabaseInUse, rekey, type DatabaseKey } from '../db/index.js';
import { checkFolderKey } from '../encryption/folder.js';
import { removeMarker, writeMarker } from '../encryption/marker.js';
import Database from 'better-sqlite3-multiple-ciphers';
import { createPrivateFolder, ensureUsableFolder } from '../folders.js';
import { dataDatabases, existingDatabases, SQLITE_COMPANIONS } from './databases.js';
import { stamp, type BackupManifest } from './manifest.js';
import { unpackBackup } from './read.js';

export interface RestoreRequest {
  dataDir: string;
  file: string;
  /**
   * The data folder's key: required when the folder or the backup is encrypted. With a key the
   * restored databases are encrypted with it (a plain backup is encrypted on the way in); without
   * one they are plain.
   */
  key?: DatabaseKey | undefined;
  now?: Date;
}

export interface RestoreResult {
  manifest: BackupManifest;
  /** Where the databases the restore replaced were moved (null: the folder had none). */
  previous: string | null;
}

interface Move {
  from: string;
  to: string;
}

/**
 * Replaces the data folder's databases with those of a backup. The archive is unpacked and verified
 * in a private folder inside the data folder first (same disk, so the swap is renames); a refused
 * backup leaves the folder as it was. The databases replaced, with their -wal and -shm, are kept in
 * `before-restore-<time>/`, never deleted. Refused with BUSY while any app has the folder open.
 */
export async function restoreDataFolder(request: RestoreRequest): Promise<RestoreResult> {
  const dataDir = path.resolve(request.dataDir);
  const file = path.resolve(request.file);
  const { key } = request;
  ensureUsableFolder(dataDir, 'data');
  const marked = checkFolderKey(dataDir, key) !== undefined;
  refuseWhileInUse(dataDir, key, '恢复');
  const at = stamp(request.now ?? new Date());
  const staging = path.join(dataDir, `.restore-${at}-${randomBytes(4).toString('hex')}`);
  createPrivateFolder(staging);
  try {
    const manifest = await unpackBackup(file, staging, key);
    if (key && !manifest.encryption) encryptCopies(staging, manifest, key);
    // Checked again: the unpacking took a while and an app may have started meanwhile.
    refuseWhileInUse(dataDir, key, '恢复');
    // The marker first: should the swap be cut short, a later open with the key finishes the job.
    if (key && !marked) writeMarker(dataDir, key);
    try {
      return { manifest, previous: swapIn(dataDir, staging, manifest, at) };
    } catch (cause) {
      if (key && !marked) removeMarker(dataDir);
      throw cause;
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** BUSY while any app (this one included) holds one of the folder's databases open. */
export function refuseWhileInUse(dataDir: string, key: DatabaseKey | undefined, action: string): void {
  const busy = existingDatabases(dataDir).find((file) => isDatabaseInUse(file, key));
  if (busy === undefined) return;
  const name = path.basename(busy);
  throw new XinglinError('BUSY', `杏林正在使用数据文件夹（${name} 已被打开），不能${action}：请先关闭杏林（桌面程序和 xinglin serve），再运行${action}。${dataDir}`, { path: dataDir, database: name });
}

/** A plain backup restored into an encrypted folder is encrypted before it moves in: patient data never lands there in the clear. */
function encryptCopies(staging: string, manifest: BackupManifest, key: DatabaseKey): void {
  for (const name of Object.keys(manifest.databases)) {
    const copy = path.join(staging, name);
    const db = new Database(copy, { fileMustExist: true });
    try {
      rekey(db, key);
    } finally {
      db.close();
    }
    checkDatabase(copy, key);
  }
}

/** Moves the current databases aside and the verified copies in; on any failure puts everything back as it was. */
function swapIn(dataDir: string, staging: string, manifest: BackupManifest, at: string): string | null {
  // Never an existing folder: a rename would overwrite what an earlier restore kept there.
  const base = path.join(dataDir, `before-restore-${at}`);
  const aside = fs.existsSync(base) ? `${base}-${randomBytes(2).toString('hex')}` : base;
  const moves: Move[] = [];
  const move = (from: string, to: string) => {
    fs.renameSync(from, to);
    moves.push({ from, to });
  };
  try {
    for (const db of dataDatabases) {
      for (const suffix of SQLITE_COMPANIONS) {
        const current = path.join(dataDir, db.file + suffix);
        if (!fs.existsSync(current)) continue;
        createPrivateFolder(aside);
        move(current, path.join(aside, db.file + suffix));
      }
    }
    for (const name of Object.keys(manifest.databases)) {
      fs.chmodSync(path.join(staging, name), 0o600); // patient data, whatever mode the archive gave it
      move(path.join(staging, name), path.join(dataDir, name));
    }
  } catch (cause) {
    for (const { from, to } of moves.reverse()) fs.renameSync(to, from);
    throw new XinglinError('DATABASE_UNAVAILABLE', `恢复时无法替换数据库文件，已全部复原：${dataDir}（${(cause as Error).message}）`, { path: dataDir });
  }
  return fs.existsSync(aside) ? aside : null;
}
