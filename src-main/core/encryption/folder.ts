import { XinglinError } from '../../contract/index.js';
import { existingDatabases } from '../backup/databases.js';
import type { DatabaseKey } from '../db/index.js';
import { keyCheck } from './key.js';
import { readMarker, writeMarker, type EncryptionMarker } from './marker.js';

/**
 * Refuses a missing or wrong key for a folder marked encrypted, before any database is touched.
 * Returns the marker, or undefined for a folder that is not encrypted.
 */
export function checkFolderKey(dataDir: string, key: DatabaseKey | undefined): EncryptionMarker | undefined {
  const marker = readMarker(dataDir);
  if (!marker) return undefined;
  if (!key) {
    throw new XinglinError(
      'ENCRYPTION_KEY_MISSING',
      `数据文件夹中的数据库已加密，需要数据库密钥才能打开：${dataDir}。桌面程序从系统钥匙串读取密钥；xinglin 命令与浏览器模式请设置 XINGLIN_DB_KEY_FILE（权限 600 的密钥文件）或 XINGLIN_DB_KEY。`,
      { path: dataDir },
    );
  }
  if (keyCheck(key) !== marker.keyCheck) {
    throw new XinglinError('ENCRYPTION_KEY_WRONG', `提供的数据库密钥不是加密此数据文件夹所用的那把（指纹不符），未打开任何数据库：${dataDir}`, { path: dataDir });
  }
  return marker;
}

/**
 * The key a core opens the folder's databases with. A key given for a folder with no databases yet
 * makes it encrypted from its first byte; a key given for plain databases is refused rather than
 * ignored (the administrator meant the data to be encrypted, and it is not): `xinglin encrypt` does that, with a backup first.
 */
export function folderKey(dataDir: string, key: DatabaseKey | undefined): DatabaseKey | undefined {
  if (checkFolderKey(dataDir, key) || !key) return key;
  if (existingDatabases(dataDir).length > 0) {
    throw new XinglinError(
      'ENCRYPTION_NOT_ENABLED',
      `提供了数据库密钥，但这个数据文件夹中的数据库尚未加密：${dataDir}。要加密现有数据，请先关闭杏林，运行 xinglin encrypt --backup <备份文件>（先备份，再原地加密）；不想加密则去掉密钥设置。`,
      { path: dataDir },
    );
  }
  writeMarker(dataDir, key);
  return key;
}
