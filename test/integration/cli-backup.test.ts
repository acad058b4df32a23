/** `xinglin backup` and `xinglin restore` as a user runs them (from source, through tsx). */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appRoot } from '../../src-main/hosts/common/app-root.js';
import { openTestCore, tempDir } from '../helpers/env.js';

function xinglin(args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(appRoot(), 'src-main/hosts/cli/main.ts'), ...args], { cwd: appRoot(), env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

describe('xinglin backup / restore', () => {
  it('backs up a data folder and restores it into another; refuses a file that is not a backup, naming it', async () => {
    const sourceDir = tempDir('xinglin-cli-backup-');
    const core = await openTestCore({ dataDir: sourceDir });
    await core.api.sessions.create({ title: '备份前的会话' });
    await core.close();

    const file = path.join(tempDir('xinglin-cli-files-'), 'nightly.tar.gz');
    const backup = await xinglin(['backup', file, '--data-dir', sourceDir]);
    expect(backup.stderr).not.toMatch(/错误/);
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain(file);

    const targetDir = tempDir('xinglin-cli-restore-');
    const restore = await xinglin(['restore', file, '--data-dir', targetDir, '--json']);
    expect(restore.code).toBe(0);
    expect(Object.keys(JSON.parse(restore.stdout).manifest.databases)).toContain('xinglin.db');
    const restored = await openTestCore({ dataDir: targetDir });
    expect((await restored.api.sessions.list()).map((s) => s.title)).toEqual(['备份前的会话']);
    await restored.close();

    const notBackup = path.join(targetDir, 'notes.txt');
    fs.writeFileSync(notBackup, '这不是备份');
    const refused = await xinglin(['restore', notBackup, '--data-dir', targetDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('BACKUP_INVALID');
    expect(refused.stderr).toContain(notBackup);

    const usage = await xinglin(['backup']);
    expect(usage.code).toBe(2);
  });

  it('encrypts a folder with a new key file after a backup, then every command needs that key', async () => {
    const dataDir = tempDir('xinglin-cli-encrypt-');
    const core = await openTestCore({ dataDir });
    await core.api.sessions.create({ title: '加密前的会话' });
    await core.close();
    const files = tempDir('xinglin-cli-encrypt-files-');
    const keyFile = path.join(files, 'xinglin.key');

    const noBackup = await xinglin(['encrypt', '--key-file', keyFile, '--data-dir', dataDir]);
    expect(noBackup.code).toBe(2);
    expect(noBackup.stderr).toContain('--backup');
    expect(fs.existsSync(keyFile)).toBe(false);

    const encrypted = await xinglin(['encrypt', '--backup', path.join(files, 'before.tar.gz'), '--key-file', keyFile, '--data-dir', dataDir]);
    expect(encrypted.stderr).toBe('');
    expect(encrypted.code).toBe(0);
    expect((fs.statSync(keyFile).mode & 0o777).toString(8)).toBe('600');
    expect(encrypted.stdout).toContain(`XINGLIN_DB_KEY_FILE=${keyFile}`);

    const locked = await xinglin(['sessions', 'list', '--data-dir', dataDir]);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain('ENCRYPTION_KEY_MISSING');
    const opened = await xinglin(['sessions', 'list', '--data-dir', dataDir], { XINGLIN_DB_KEY_FILE: keyFile });
    expect(opened.code).toBe(0);
    expect(opened.stdout).toContain('加密前的会话');
  });
});
