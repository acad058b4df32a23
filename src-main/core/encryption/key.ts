/**
 * Where a data folder's database key comes from outside the desktop app's keychain: a key file
 * only its owner can read (as ssh insists of a private key), or an environment variable. The key
 * is 32 random bytes written as 64 hex digits.
 */
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { XinglinError, type KeySource } from '../../contract/index.js';
import { KEY_BYTES, type DatabaseKey } from '../db/index.js';

const HEX_KEY = /^[0-9a-fA-F]{64}$/;

/** A fingerprint that tells keys apart without revealing one: kept beside encrypted data to say "wrong key" rather than "damaged". */
export function keyCheck(key: DatabaseKey): string {
  return createHmac('sha256', key).update('xinglin database key check v1').digest('hex').slice(0, 32);
}

export function generateKey(): DatabaseKey {
  return randomBytes(KEY_BYTES);
}

export function keyToText(key: DatabaseKey): string {
  return key.toString('hex');
}

/** 64 hex digits (surrounding white space ignored), or INVALID_INPUT naming `source`. */
export function parseKey(text: string, source: string): DatabaseKey {
  const trimmed = text.trim();
  if (!HEX_KEY.test(trimmed)) throw new XinglinError('INVALID_INPUT', `${source} 中的数据库密钥格式不对：需要 64 位十六进制数字（32 字节），例如由 xinglin encrypt --key-file 生成的密钥文件。`, { source });
  return Buffer.from(trimmed, 'hex');
}

/** Reads a key file, refusing one that others than its owner may read or write (the key would be as open as the data it protects). */
export function readKeyFile(file: string): DatabaseKey {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (cause) {
    throw new XinglinError('ENCRYPTION_KEY_MISSING', `找不到数据库密钥文件：${file}（${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}）`, { file });
  }
  if (!stat.isFile()) throw new XinglinError('INVALID_INPUT', `数据库密钥文件不是普通文件：${file}`, { file });
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new XinglinError('INVALID_INPUT', `数据库密钥文件的权限过宽（${(stat.mode & 0o777).toString(8)}），其他用户可以读取：请运行 chmod 600 ${file}`, { file, mode: stat.mode & 0o777 });
  }
  return parseKey(fs.readFileSync(file, 'utf8'), file);
}

/** Writes a new random key to `file` (never over an existing one), readable by its owner only. */
export function createKeyFile(file: string): DatabaseKey {
  const key = generateKey();
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new XinglinError('INVALID_INPUT', `密钥文件已存在，不会覆盖：${file}（要用这把密钥，请设置 XINGLIN_DB_KEY_FILE 指向它）`, { file });
    throw new XinglinError('FOLDER_UNUSABLE', `无法写入密钥文件：${file}（${code ?? (cause as Error).message}）`, { file });
  }
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeSync(fd, `${keyToText(key)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return key;
}


export interface SuppliedKey {
  key: DatabaseKey;
  source: KeySource;
}

/** XINGLIN_DB_KEY_FILE (a 0600 key file) or XINGLIN_DB_KEY (the hex key itself); neither: none. */
export function keyFromEnvironment(env: NodeJS.ProcessEnv = process.env): SuppliedKey | undefined {
  const file = (env.XINGLIN_DB_KEY_FILE ?? '').trim();
  const text = (env.XINGLIN_DB_KEY ?? '').trim();
  if (file !== '' && text !== '') throw new XinglinError('INVALID_INPUT', 'XINGLIN_DB_KEY_FILE 与 XINGLIN_DB_KEY 只能设置一个。');
  if (file !== '') return { key: readKeyFile(file), source: 'file' };
  if (text !== '') return { key: parseKey(text, 'XINGLIN_DB_KEY'), source: 'environment' };
  return undefined;
}
