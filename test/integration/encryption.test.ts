// @vitest-environment node
/**
 * Encryption at rest on real data folders: born encrypted, encrypted in place after a backup,
 * interrupted and finished, decrypted; backups that stay encrypted; and the keys a folder or a
 * backup must refuse (missing, wrong, given to a plain folder) without changing a byte.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { extract } from 'tar';
import { describe, expect, it } from 'vitest';
import {
  backupDataFolder,
  createKeyFile,
  decryptDataFolder,
  encryptDataFolder,
  generateKey,
  keyFromEnvironment,
  readMarker,
  restoreDataFolder,
  type Core,
} from '../../src-main/core/core.js';
import { failure } from '../helpers/errors.js';
import { openTestCore, tempDir } from '../helpers/env.js';
import { folderState } from '../helpers/folder-state.js';

const PATIENT = '患者王某某，女，52岁，胸闷三天';
const DATABASES = ['xinglin.db', 'records.db', 'knowledge.db', 'eval.db'];

async function writePatientText(core: Core): Promise<string> {
  const session = await core.api.sessions.create({ title: PATIENT });
  return session.id;
}

/** Every byte under `dir` (databases, -wal, -shm, logs): patient text must appear in none of them. */
function filesContaining(dir: string, text: string): string[] {
  const needle = Buffer.from(text);
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => fs.readFileSync(file).includes(needle));
}

function header(file: string): string {
  return fs.readFileSync(file).subarray(0, 15).toString('latin1');
}


async function titles(dataDir: string, databaseKey?: Buffer): Promise<string[]> {
  const core = await openTestCore({ dataDir, databaseKey });
  try {
    return (await core.api.sessions.list()).map((s) => s.title);
  } finally {
    await core.close();
  }
}

describe('encryption at rest', () => {
  it('a folder opened first with a key is encrypted from its first byte; without it, or with another, nothing opens', async () => {
    const dataDir = tempDir('xinglin-enc-born-');
    const key = generateKey();
    const core = await openTestCore({ dataDir, databaseKey: key });
    await writePatientText(core);
    await core.close();

    for (const name of DATABASES) expect(header(path.join(dataDir, name))).not.toBe('SQLite format 3');
    expect(filesContaining(dataDir, PATIENT)).toEqual([]);
    expect(readMarker(dataDir)?.cipher).toBe('sqlcipher4');

    const before = folderState(dataDir);
    expect((await failure(openTestCore({ dataDir }))).code).toBe('ENCRYPTION_KEY_MISSING');
    const wrong = await failure(openTestCore({ dataDir, databaseKey: generateKey() }));
    expect(wrong.code).toBe('ENCRYPTION_KEY_WRONG');
    expect(wrong.message).toContain(dataDir);
    expect(folderState(dataDir)).toEqual(before);
    expect(await titles(dataDir, key)).toEqual([PATIENT]);
  });

  it('refuses a key given to a folder whose databases are plain, rather than running unencrypted', async () => {
    const dataDir = tempDir('xinglin-enc-plain-');
    const core = await openTestCore({ dataDir });
    await writePatientText(core);
    await core.close();
    const error = await failure(openTestCore({ dataDir, databaseKey: generateKey() }));
    expect(error.code).toBe('ENCRYPTION_NOT_ENABLED');
    expect(error.message).toContain('xinglin encrypt');
  });

  it('encrypts a folder in place after a plain backup, and decrypts it back after an encrypted one', async () => {
    const dataDir = tempDir('xinglin-enc-migrate-');
    const archives = tempDir('xinglin-enc-archives-');
    const core = await openTestCore({ dataDir });
    await writePatientText(core);
    await core.api.records.draft({ dialogue: `患者：${PATIENT}。\n医生：有高血压吗？`, author: '张医生' });
    await core.close();
    expect(filesContaining(dataDir, PATIENT).length).toBeGreaterThan(0);

    const key = generateKey();
    const encrypted = await encryptDataFolder({ dataDir, key, backupFile: path.join(archives, 'before-encrypt.tar.gz'), appVersion: 'test' });
    expect(encrypted.databases.map((f) => path.basename(f)).sort()).toEqual([...DATABASES].sort());
    expect(encrypted.backup?.manifest.encryption).toBeUndefined();
    expect(filesContaining(dataDir, PATIENT)).toEqual([]);
    expect(await titles(dataDir, key)).toEqual([PATIENT]);
    const encryptedCore = await openTestCore({ dataDir, databaseKey: key });
    expect((await encryptedCore.api.records.list({})).length).toBe(1);
    await encryptedCore.close();

    // The plain backup taken first restores the data as it was.
    const fromBackup = tempDir('xinglin-enc-frombackup-');
    await restoreDataFolder({ dataDir: fromBackup, file: encrypted.backup!.file });
    expect(await titles(fromBackup)).toEqual([PATIENT]);

    const decrypted = await decryptDataFolder({ dataDir, key, backupFile: path.join(archives, 'before-decrypt.tar.gz'), appVersion: 'test' });
    expect(decrypted.backup?.manifest.encryption).toBeDefined();
    expect(readMarker(dataDir)).toBeUndefined();
    for (const name of DATABASES) expect(header(path.join(dataDir, name))).toBe('SQLite format 3');
    expect(await titles(dataDir)).toEqual([PATIENT]);
  });

  it('finishes an interrupted encryption the next time the folder opens with its key', async () => {
    const dataDir = tempDir('xinglin-enc-interrupted-');
    const key = generateKey();
    const core = await openTestCore({ dataDir, databaseKey: key });
    await writePatientText(core);
    await core.close();
    // As if `encrypt` stopped after the marker and some files: records.db is still plain.
    const records = path.join(dataDir, 'records.db');
    const plain = path.join(tempDir('xinglin-enc-plaincopy-'), 'records.db');
    const source = new Database(records);
    source.pragma('cipher = \'sqlcipher\'');
    source.pragma('legacy = 4');
    source.pragma(`key = "x'${key.toString('hex')}'"`);
    source.prepare('VACUUM INTO ?').run(plain); // same key: decrypt the copy below
    source.close();
    const copy = new Database(plain);
    copy.pragma('cipher = \'sqlcipher\'');
    copy.pragma('legacy = 4');
    copy.pragma(`key = "x'${key.toString('hex')}'"`);
    copy.pragma('journal_mode = DELETE');
    copy.pragma("rekey = ''");
    copy.close();
    fs.copyFileSync(plain, records);
    expect(header(records)).toBe('SQLite format 3');

    const reopened = await openTestCore({ dataDir, databaseKey: key });
    expect((await reopened.api.records.list({})).length).toBe(0);
    await reopened.close();
    expect(header(records)).not.toBe('SQLite format 3');
  });

  it('keeps backups encrypted, and refuses to restore one without its key or with another, changing nothing', async () => {
    const dataDir = tempDir('xinglin-enc-backup-');
    const key = generateKey();
    const core = await openTestCore({ dataDir, databaseKey: key });
    await writePatientText(core);
    const online = await backupDataFolder({ dataDir, file: path.join(tempDir('xinglin-enc-files-'), 'nightly.tar.gz'), appVersion: 'test', key });
    await core.close();
    expect(online.manifest.encryption?.cipher).toBe('sqlcipher4');
    const unpacked = tempDir('xinglin-enc-unpacked-');
    await extract({ file: online.file, cwd: unpacked });
    expect(filesContaining(unpacked, PATIENT)).toEqual([]);

    const target = tempDir('xinglin-enc-target-');
    const plainCore = await openTestCore({ dataDir: target });
    await plainCore.api.sessions.create({ title: '目标原有会话' });
    await plainCore.close();
    const before = folderState(target);
    const missing = await failure(restoreDataFolder({ dataDir: target, file: online.file }));
    expect(missing.code).toBe('ENCRYPTION_KEY_MISSING');
    expect(missing.message).toContain(online.file);
    const wrong = await failure(restoreDataFolder({ dataDir: target, file: online.file, key: generateKey() }));
    expect(wrong.code).toBe('ENCRYPTION_KEY_WRONG');
    expect(wrong.message).toContain(online.file);
    expect(folderState(target)).toEqual(before);

    // With its key the restored folder is encrypted with it, and holds what was backed up.
    await restoreDataFolder({ dataDir: target, file: online.file, key });
    expect(readMarker(target)).toBeDefined();
    expect(await titles(target, key)).toEqual([PATIENT]);
  });

  it('encrypts a plain backup on its way into an encrypted folder', async () => {
    const plainDir = tempDir('xinglin-enc-plainsrc-');
    const core = await openTestCore({ dataDir: plainDir });
    await writePatientText(core);
    await core.close();
    const plainBackup = await backupDataFolder({ dataDir: plainDir, file: path.join(tempDir('xinglin-enc-files-'), 'plain.tar.gz'), appVersion: 'test' });

    const target = tempDir('xinglin-enc-encrypted-target-');
    const key = generateKey();
    await (await openTestCore({ dataDir: target, databaseKey: key })).close();
    expect((await failure(restoreDataFolder({ dataDir: target, file: plainBackup.file }))).code).toBe('ENCRYPTION_KEY_MISSING');
    await restoreDataFolder({ dataDir: target, file: plainBackup.file, key });
    expect(filesContaining(target, PATIENT).filter((f) => !f.includes('before-restore-'))).toEqual([]);
    expect(await titles(target, key)).toEqual([PATIENT]);
  });
});

describe('database keys from a file or the environment', () => {
  it('reads a 0600 key file, refuses one others can read, and never overwrites one', () => {
    const dir = tempDir('xinglin-keys-');
    const file = path.join(dir, 'db.key');
    const key = createKeyFile(file);
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
    expect(keyFromEnvironment({ XINGLIN_DB_KEY_FILE: file })).toEqual({ key, source: 'file' });
    expect(() => createKeyFile(file)).toThrow(/已存在/);

    fs.chmodSync(file, 0o644);
    expect(() => keyFromEnvironment({ XINGLIN_DB_KEY_FILE: file })).toThrow(/权限过宽.*chmod 600/);
    const short = path.join(dir, 'short.key');
    fs.writeFileSync(short, 'abc', { mode: 0o600 });
    expect(() => keyFromEnvironment({ XINGLIN_DB_KEY_FILE: short })).toThrow(/64 位十六进制/);
    expect(() => keyFromEnvironment({ XINGLIN_DB_KEY_FILE: path.join(dir, 'none.key') })).toThrow(/找不到数据库密钥文件/);
    expect(() => keyFromEnvironment({ XINGLIN_DB_KEY: 'xyz' })).toThrow(/XINGLIN_DB_KEY/);
    expect(() => keyFromEnvironment({ XINGLIN_DB_KEY: key.toString('hex'), XINGLIN_DB_KEY_FILE: file })).toThrow(/只能设置一个/);
    expect(keyFromEnvironment({ XINGLIN_DB_KEY: key.toString('hex') })).toEqual({ key, source: 'environment' });
    expect(keyFromEnvironment({})).toBeUndefined();
  });
});
