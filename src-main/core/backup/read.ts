import fs from 'node:fs';
import path from 'node:path';
import { extract, list } from 'tar';
import { XinglinError } from '../../contract/index.js';
import { checkDatabase, type DatabaseKey } from '../db/index.js';
import { keyCheck } from '../encryption/key.js';
import { dataDatabases } from './databases.js';
import { sha256File } from './hash.js';
import { APP_NAME, BACKUP_FORMAT, BackupManifest, MANIFEST_NAME } from './manifest.js';

const allowedNames = new Set([MANIFEST_NAME, ...dataDatabases.map((db) => db.file)]);

/**
 * Unpacks the backup `file` into the empty folder `into` and proves every database there is the one
 * the manifest describes (size, sha256, integrity, a schema this app can open). An encrypted backup
 * needs `key`, the one it was made with. Throws BACKUP_INVALID, DATABASE_NEWER or
 * ENCRYPTION_KEY_MISSING / _WRONG naming the file and the cause; it writes nowhere but `into`.
 */
export async function unpackBackup(file: string, into: string, key?: DatabaseKey): Promise<BackupManifest> {
  if (!fs.existsSync(file)) throw new XinglinError('NOT_FOUND', `找不到备份文件：${file}`, { file });
  const names = await listEntries(file);
  if (!names.includes(MANIFEST_NAME)) throw invalid(file, '其中没有杏林的备份清单（manifest.json），不是杏林的备份文件');
  const stranger = names.find((name) => !allowedNames.has(name));
  if (stranger !== undefined) throw invalid(file, `其中有不属于杏林备份的内容“${stranger.slice(0, 80)}”`);

  try {
    // Only the names checked above, only plain files: nothing can be written outside `into`.
    await extract({ file, cwd: into, strict: true, filter: (name, entry) => allowedNames.has(name) && 'type' in entry && entry.type === 'File' });
  } catch (cause) {
    throw invalid(file, `无法解开（${(cause as Error).message}），文件可能已损坏或被截断`);
  }
  const manifest = readManifest(file, path.join(into, MANIFEST_NAME));
  if (manifest.encryption) checkBackupKey(file, manifest.encryption.keyCheck, key);
  const copyKey = manifest.encryption ? key : undefined;
  for (const db of dataDatabases) {
    const described = manifest.databases[db.file];
    const copy = path.join(into, db.file);
    if (!described) {
      if (fs.existsSync(copy)) throw invalid(file, `其中的 ${db.file} 不在清单里`);
      continue;
    }
    if (!fs.existsSync(copy)) throw invalid(file, `清单列出的 ${db.file} 不在文件里，文件可能被截断`);
    if (fs.statSync(copy).size !== described.bytes || (await sha256File(copy)) !== described.sha256) {
      throw invalid(file, `${db.file}（${db.label}）的校验和与清单不符，文件已被截断或改动`);
    }
    if (described.schemaVersion > db.supportedVersion) throw newer(file, db.file, described.schemaVersion, db.supportedVersion);
    verifyCopy(file, copy, db.file, described.schemaVersion, copyKey);
  }
  const unknown = Object.keys(manifest.databases).find((name) => !allowedNames.has(name) || name === MANIFEST_NAME);
  if (unknown !== undefined) throw invalid(file, `清单列出了杏林不认识的数据库“${unknown.slice(0, 80)}”，可能来自更新版本的杏林`);
  if (Object.keys(manifest.databases).length === 0) throw invalid(file, '清单里没有任何数据库');
  return manifest;
}

async function listEntries(file: string): Promise<string[]> {
  const names: string[] = [];
  try {
    await list({ file, strict: true, onReadEntry: (entry) => names.push(entry.path) });
  } catch (cause) {
    throw invalid(file, `不是杏林的备份文件，无法按备份归档读取（${(cause as Error).message}）`);
  }
  if (names.length === 0) throw invalid(file, '不是杏林的备份文件（不是归档，或是空归档）');
  return names;
}

function readManifest(file: string, manifestFile: string): BackupManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  } catch {
    throw invalid(file, '备份清单不是有效的 JSON');
  }
  const { app, format } = (raw ?? {}) as { app?: unknown; format?: unknown };
  if (app !== APP_NAME) throw invalid(file, `备份清单属于另一个程序（${String(app).slice(0, 40)}），不是杏林的备份文件`);
  if (format !== BACKUP_FORMAT) {
    throw typeof format === 'number' && format > BACKUP_FORMAT
      ? new XinglinError('DATABASE_NEWER', `备份文件由更新版本的杏林创建（备份格式 ${format}，本程序支持 ${BACKUP_FORMAT}），未做任何恢复。请升级杏林后再试：${file}`, { file, version: format, supported: BACKUP_FORMAT })
      : invalid(file, `备份格式“${String(format).slice(0, 20)}”未知`);
  }
  const parsed = BackupManifest.safeParse(raw);
  if (!parsed.success) throw invalid(file, `备份清单不完整或有误（${parsed.error.issues[0]?.path.join('.') ?? ''}）`);
  return parsed.data;
}

function checkBackupKey(file: string, expected: string, key: DatabaseKey | undefined): void {
  if (!key) throw new XinglinError('ENCRYPTION_KEY_MISSING', `备份文件已加密，需要加密它时所用的数据库密钥才能恢复：${file}。请设置 XINGLIN_DB_KEY_FILE 或 XINGLIN_DB_KEY 后再试；现有数据未做任何改动。`, { file });
  if (keyCheck(key) !== expected) throw new XinglinError('ENCRYPTION_KEY_WRONG', `备份文件是用另一把数据库密钥加密的（指纹不符），无法恢复：${file}。现有数据未做任何改动。`, { file });
}

function verifyCopy(file: string, copy: string, name: string, schemaVersion: number, key: DatabaseKey | undefined): void {
  let check;
  try {
    check = checkDatabase(copy, key);
  } catch (cause) {
    throw invalid(file, `${name} 不是可用的 SQLite 数据库（${(cause as Error).message}）`);
  }
  if (check.integrity !== 'ok') throw invalid(file, `${name} 未通过完整性检查（${check.integrity.slice(0, 120)}）`);
  if (check.schemaVersion !== schemaVersion) throw invalid(file, `${name} 的数据库版本 ${check.schemaVersion} 与清单所写的 ${schemaVersion} 不符`);
}

function newer(file: string, name: string, version: number, supported: number): XinglinError {
  return new XinglinError(
    'DATABASE_NEWER',
    `备份中的 ${name} 由更新版本的杏林创建（数据库版本 ${version}，本程序最高支持 ${supported}），未做任何恢复。请升级杏林后再试：${file}`,
    { file, database: name, version, supported },
  );
}

function invalid(file: string, cause: string): XinglinError {
  return new XinglinError('BACKUP_INVALID', `无法从 ${file} 恢复：${cause}。现有数据未做任何改动。`, { file });
}
