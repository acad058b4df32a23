import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { create } from 'tar';
import { XinglinError } from '../../contract/index.js';
import { checkDatabase, snapshotDatabase, type DatabaseKey } from '../db/index.js';
import { keyCheck } from '../encryption/key.js';
import { CIPHER } from '../encryption/marker.js';
import { createPrivateFolder } from '../folders.js';
import { dataDatabases } from './databases.js';
import { sha256File } from './hash.js';
import { APP_NAME, BACKUP_FORMAT, MANIFEST_NAME, type BackupManifest } from './manifest.js';

export interface BackupRequest {
  dataDir: string;
  /** The archive to write; an existing file is replaced only once the new one is complete. */
  file: string;
  appVersion: string;
  /** The data folder's key when it is encrypted: the copies in the archive stay encrypted with it. */
  key?: DatabaseKey | undefined;
  now?: Date;
  /** After each database is copied: how many of how many. */
  onProgress?: (done: number, total: number) => void;
  /** Stops between databases (a copy is one read, see snapshotDatabase); nothing is left behind. */
  signal?: AbortSignal;
}

export interface BackupResult {
  file: string;
  bytes: number;
  manifest: BackupManifest;
}

/**
 * Writes one archive (tar + gzip) of the data folder's databases and a manifest, while the app
 * may go on using them. Snapshots are taken in a private folder inside the data folder (patient
 * data never lands in a shared temp folder); the archive appears under its name only when whole.
 */
export async function backupDataFolder(request: BackupRequest): Promise<BackupResult> {
  const { dataDir, appVersion, key } = request;
  const file = path.resolve(request.file);
  const work = path.join(dataDir, `.backup-${process.pid}-${randomBytes(4).toString('hex')}`);
  const partial = `${file}.partial-${randomBytes(4).toString('hex')}`;
  try {
    createPrivateFolder(work);
    const manifest: BackupManifest = { app: APP_NAME, format: BACKUP_FORMAT, appVersion, createdAt: (request.now ?? new Date()).toISOString(), databases: {}, ...(key ? { encryption: { cipher: CIPHER, keyCheck: keyCheck(key) } } : {}) };
    // A folder a core never opened has none yet.
    const present = dataDatabases.filter((db) => fs.existsSync(path.join(dataDir, db.file)));
    for (const db of present) {
      cancelled(request.signal, file);
      const source = path.join(dataDir, db.file);
      const copy = path.join(work, db.file);
      await snapshotDatabase(source, copy, key);
      const { schemaVersion } = checkDatabase(copy, key);
      manifest.databases[db.file] = { schemaVersion, sha256: await sha256File(copy), bytes: fs.statSync(copy).size };
      request.onProgress?.(Object.keys(manifest.databases).length, present.length);
    }
    if (Object.keys(manifest.databases).length === 0) throw new XinglinError('NOT_FOUND', `数据文件夹里没有杏林的数据库，无可备份：${dataDir}`, { path: dataDir });
    fs.writeFileSync(path.join(work, MANIFEST_NAME), JSON.stringify(manifest, null, 2), { mode: 0o600 });

    cancelled(request.signal, file);
    createFolderFor(file);
    fs.closeSync(fs.openSync(partial, 'wx', 0o600)); // 0600 from the first byte; tar writes into it
    // The manifest first: a reader learns what the file is before it reads a database.
    await create({ gzip: true, file: partial, cwd: work, portable: true }, [MANIFEST_NAME, ...Object.keys(manifest.databases)]);
    fs.renameSync(partial, file);
    return { file, bytes: fs.statSync(file).size, manifest };
  } catch (cause) {
    fs.rmSync(partial, { force: true });
    if (cause instanceof XinglinError) throw cause;
    const errno = (cause as NodeJS.ErrnoException).code ?? 'UNKNOWN';
    throw new XinglinError('DATABASE_UNAVAILABLE', `备份失败，未生成备份文件：${file}（${(cause as Error).message ?? errno}）`, { file, errno });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function cancelled(signal: AbortSignal | undefined, file: string): void {
  if (signal?.aborted) throw new XinglinError('CANCELLED', `已取消备份，未生成备份文件：${file}`, { file });
}

function createFolderFor(file: string): void {
  try {
    createPrivateFolder(path.dirname(file));
  } catch (cause) {
    throw new XinglinError('FOLDER_UNUSABLE', `无法在这里保存备份：${path.dirname(file)}（${(cause as Error).message}）`, { path: path.dirname(file) });
  }
}
