/**
 * `encryption.json` in the data folder says its databases are encrypted and with which key (by
 * fingerprint), so a missing or wrong key is named as such before any database is opened.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { XinglinError } from '../../contract/index.js';
import type { DatabaseKey } from '../db/index.js';
import { keyCheck } from './key.js';

export const MARKER_NAME = 'encryption.json';
export const CIPHER = 'sqlcipher4';

const Marker = z.object({ cipher: z.literal(CIPHER), keyCheck: z.string().regex(/^[0-9a-f]{32}$/), encryptedAt: z.string() });
export type EncryptionMarker = z.infer<typeof Marker>;

export function readMarker(dataDir: string): EncryptionMarker | undefined {
  const file = path.join(dataDir, MARKER_NAME);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new XinglinError('DATABASE_UNAVAILABLE', `无法读取加密说明文件：${file}（${(cause as Error).message}）`, { file });
  }
  let parsed;
  try {
    parsed = Marker.safeParse(JSON.parse(text));
  } catch {
    parsed = null;
  }
  if (!parsed?.success) throw new XinglinError('DATABASE_CORRUPT', `加密说明文件已损坏：${file}。数据库仍是加密的；请从备份恢复此文件，或删除它后提供原密钥再打开。`, { file });
  return parsed.data;
}

/** Written whole under a temporary name, then renamed: a crash leaves the old marker or the new one. */
export function writeMarker(dataDir: string, key: DatabaseKey, now = new Date()): void {
  const file = path.join(dataDir, MARKER_NAME);
  const partial = `${file}.partial`;
  const marker: EncryptionMarker = { cipher: CIPHER, keyCheck: keyCheck(key), encryptedAt: now.toISOString() };
  fs.writeFileSync(partial, JSON.stringify(marker, null, 2), { mode: 0o600 });
  fs.renameSync(partial, file);
}

export function removeMarker(dataDir: string): void {
  fs.rmSync(path.join(dataDir, MARKER_NAME), { force: true });
}
