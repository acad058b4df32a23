import fs from 'node:fs';
import path from 'node:path';
import { backupDataFolder, encryptDataFolder, generateKey, restoreDataFolder } from '../../src-main/core/core.js';
import { tempDir } from '../helpers/env.js';
import { round } from './stats.js';

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: round(performance.now() - started), value };
}

function folderBytes(dir: string): number {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.db(-wal)?$/.test(entry.name))
    .reduce((sum, entry) => sum + fs.statSync(path.join(dir, entry.name)).size, 0);
}

/** Backup and restore of the folder, plain; then encrypting it in place, and the same backup and restore encrypted. Leaves `dataDir` encrypted with the key it returns. */
export async function backupAndEncryption(dataDir: string): Promise<{ key: Buffer; figures: object }> {
  const archives = tempDir('xinglin-bench-archives-');
  try {
    const roundTrip = async (name: string, key?: Buffer) => {
      const backup = await timed(() => backupDataFolder({ dataDir, file: path.join(archives, `${name}.tar.gz`), appVersion: 'bench', key }));
      const target = tempDir('xinglin-bench-restore-');
      try {
        const restore = await timed(() => restoreDataFolder({ dataDir: target, file: backup.value.file, key }));
        return { backupMs: backup.ms, archiveBytes: backup.value.bytes, restoreMs: restore.ms };
      } finally {
        fs.rmSync(target, { recursive: true, force: true });
      }
    };
    const databaseBytes = folderBytes(dataDir);
    const plain = await roundTrip('plain');
    const key = generateKey();
    const encrypt = await timed(() => encryptDataFolder({ dataDir, key, backupFile: path.join(archives, 'before-encrypt.tar.gz'), appVersion: 'bench' }));
    const encrypted = await roundTrip('encrypted', key);
    return {
      key,
      figures: {
        databaseBytes,
        plain,
        encryptInPlaceMs: encrypt.ms,
        encrypted,
        encryptedOverPlain: { backup: round(encrypted.backupMs / plain.backupMs), restore: round(encrypted.restoreMs / plain.restoreMs) },
      },
    };
  } finally {
    fs.rmSync(archives, { recursive: true, force: true });
  }
}
