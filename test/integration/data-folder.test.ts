// @vitest-environment node
/**
 * The data pane's methods on a real core: back up now (a job), list, restore with confirmation
 * (the databases close, are replaced and reopen in the same core), and turning encryption on with
 * the key given to a keychain. The keychain here is an in-memory STAND-IN for the OS keychain
 * (no Electron here); test/unit/electron-keychain.test.ts covers the safeStorage one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Keychain } from '../../src-main/core/config.js';
import { backupDataFolder, readMarker, type Core } from '../../src-main/core/core.js';
import { failure } from '../helpers/errors.js';
import { openTestCore, tempDir } from '../helpers/env.js';

function memoryKeychain(): Keychain & { stored: Buffer | undefined } {
  return {
    stored: undefined,
    unavailable: () => null,
    store(key) {
      this.stored = key;
    },
    forget() {
      this.stored = undefined;
    },
  };
}

async function titles(core: Core): Promise<string[]> {
  return (await core.api.sessions.list()).map((s) => s.title).sort();
}

describe('the data folder through the API', () => {
  it('backs up now as a job, lists it, and restores it with confirmation into the same running core', async () => {
    const backupDir = tempDir('xinglin-data-backups-');
    const core = await openTestCore({ backup: { folder: backupDir, keep: 3 } });
    try {
      await core.api.sessions.create({ title: '备份前' });
      const jobs: string[] = [];
      const off = core.subscribe((name, payload) => {
        if (name === 'job.progress' && (payload as { kind: string }).kind === 'data.backup') jobs.push((payload as { state: string }).state);
      });
      const entry = await core.api.data.backup();
      off();
      expect(jobs).toContain('done');
      const status = await core.api.data.status();
      expect(status).toMatchObject({ backupFolder: backupDir, daily: { keep: 3 }, encryption: { enabled: false, canEnable: false } });
      expect(status.encryption.reason).toContain('xinglin encrypt');
      expect(status.backups.map((b) => b.name)).toEqual([entry.name]);
      expect(entry.bytes).toBe(fs.statSync(path.join(backupDir, entry.name)).size);

      await core.api.sessions.create({ title: '备份后' });
      // Without the confirmation the contract refuses it, before anything closes.
      const unconfirmed = await core.call('data.restore', { source: { backup: entry.name } });
      expect(unconfirmed).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(await titles(core)).toEqual(['备份前', '备份后']);

      const restored = await core.api.data.restore({ source: { backup: entry.name }, confirm: true });
      expect(restored.restoredFrom).toBe(entry.name);
      expect(restored.previous).toContain(path.join(core.config.dataDir, 'before-restore-'));
      // The same core answers from the restored databases.
      expect(await titles(core)).toEqual(['备份前']);
      const session = await core.api.sessions.create({ title: '恢复后' });
      expect(session.title).toBe('恢复后');
    } finally {
      await core.close();
    }
  });

  it('refuses a backup that is not there or not a backup, and keeps answering from the databases it had', async () => {
    const core = await openTestCore();
    try {
      await core.api.sessions.create({ title: '原有' });
      const missing = await failure(core.api.data.restore({ source: { backup: 'xinglin-backup-20200101T000000Z.tar.gz' }, confirm: true }));
      expect(missing.code).toBe('NOT_FOUND');
      const notBackup = path.join(tempDir('xinglin-data-files-'), 'notes.tar.gz');
      fs.writeFileSync(notBackup, '这不是备份');
      const handle = core.files.register(notBackup).file;
      const invalid = await failure(core.api.data.restore({ source: { file: handle }, confirm: true }));
      expect(invalid.code).toBe('BACKUP_INVALID');
      expect(await titles(core)).toEqual(['原有']);
    } finally {
      await core.close();
    }
  });

  it('a cancelled backup leaves no archive and no working copy behind', async () => {
    const backupDir = tempDir('xinglin-data-cancel-');
    const core = await openTestCore({ backup: { folder: backupDir, keep: 3 } });
    try {
      await core.api.sessions.create({ title: '取消备份' });
      const error = await failure(backupDataFolder({ dataDir: core.config.dataDir, file: path.join(backupDir, 'x.tar.gz'), appVersion: 'test', signal: AbortSignal.abort() }));
      expect(error.code).toBe('CANCELLED');
      expect(fs.readdirSync(backupDir)).toEqual([]);
      expect(fs.readdirSync(core.config.dataDir).filter((name) => name.startsWith('.backup-'))).toEqual([]);
    } finally {
      await core.close();
    }
  });

  it('turns encryption on with the key in the keychain, shows it once as a recovery key, and keeps answering', async () => {
    const keychain = memoryKeychain();
    const dataDir = tempDir('xinglin-data-encrypt-');
    const core = await openTestCore({ dataDir, keychain });
    let recoveryKey: string;
    try {
      await core.api.sessions.create({ title: '加密前' });
      expect((await core.api.data.status()).encryption).toEqual({ enabled: false, keySource: null, canEnable: true, reason: null });
      const result = await core.api.data.encrypt({ confirm: true });
      recoveryKey = result.recoveryKey;
      expect(keychain.stored?.toString('hex')).toBe(recoveryKey);
      expect(result.backupFile).toMatch(/xinglin-backup-.*\.tar\.gz$/);
      expect(readMarker(dataDir)).toBeDefined();
      expect((await core.api.data.status()).encryption).toEqual({ enabled: true, keySource: 'keychain', canEnable: false, reason: null });
      expect(await titles(core)).toEqual(['加密前']);
      expect((await failure(core.api.data.encrypt({ confirm: true }))).code).toBe('INVALID_INPUT');
    } finally {
      await core.close();
    }
    expect((await failure(openTestCore({ dataDir }))).code).toBe('ENCRYPTION_KEY_MISSING');
    const reopened = await openTestCore({ dataDir, databaseKey: Buffer.from(recoveryKey, 'hex') });
    expect(await titles(reopened)).toEqual(['加密前']);
    await reopened.close();
  });
});
