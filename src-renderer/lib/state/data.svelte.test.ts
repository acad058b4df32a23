import { describe, expect, it } from 'vitest';
import type { BackupEntry, ChosenFile, DataRestored, DataStatus } from '$contract';
import { MAX_UPLOAD_BYTES } from '$contract';
import type { UploadOptions } from '../api/files.js';
import { DataState } from './data.svelte.js';
import { JobsState } from './jobs.svelte.js';
import { allMethods, dialogFiles, fakeApi, jobEvent, tick } from './test-api.js';

type Handler = (input: any) => unknown;

const backupOf = (stamp: string, bytes = 90_000): BackupEntry => ({
  name: `xinglin-backup-${stamp}.tar.gz`,
  bytes,
  createdAt: `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}.000Z`,
});
const OLD = backupOf('20250301T080000Z');
const NEW = backupOf('20250302T093000Z');

const statusOf = (backups: BackupEntry[], encryption: Partial<DataStatus['encryption']> = {}): DataStatus => ({
  dataDir: '/d',
  backupFolder: '/d/backups',
  daily: null,
  backups,
  encryption: { enabled: false, keySource: null, canEnable: false, reason: '浏览器模式与命令行没有系统钥匙串', ...encryption },
});

const restoredOf = (name: string): DataRestored => ({ restoredFrom: name, createdAt: '2025-03-01T08:00:00.000Z', appVersion: '0.1.0', previous: '/d/before-restore-20250303T100000Z' });

/** A browser's upload route: answers a handle after reporting half the bytes sent. */
function uploads(seen: File[] = []) {
  return {
    kind: 'upload' as const,
    upload: async (file: File, { onProgress }: UploadOptions): Promise<ChosenFile> => {
      seen.push(file);
      onProgress(file.size / 2, file.size);
      await tick();
      return { file: 'h'.repeat(32), name: file.name, sizeBytes: file.size };
    },
  };
}

/** The data pane's state over a fake host with the data methods, the status bar's jobs beside it; `reloads` counts the window's restarts. */
function setup(handlers: Record<string, Handler>, picker = dialogFiles()) {
  const fake = fakeApi([...allMethods, 'data.status', 'data.backup', 'data.restore', 'data.encrypt'], handlers);
  const jobs = new JobsState(fake.api);
  let reloads = 0;
  const data = new DataState(fake.api, picker, jobs, () => (reloads += 1));
  const detach = [jobs.attach(), data.attach()];
  return { ...fake, jobs, data, reloads: () => reloads, detach: () => detach.forEach((off) => off()) };
}

describe('DataState', () => {
  it('backs up now once at a time, shows the job’s progress, and lists the new backup after', async () => {
    let backups = [OLD];
    let finish: (entry: BackupEntry) => void = () => {};
    const { data, emit, count, detach } = setup({
      'data.status': () => statusOf(backups),
      'data.backup': () => new Promise<BackupEntry>((resolve) => (finish = resolve)),
    });
    await data.refresh();
    expect(data.status?.backups).toEqual([OLD]);

    const running = data.backup();
    expect(data.backupBusy).toBe(true);
    void data.backup(); // pressed again: the first one runs alone
    expect(count('data.backup')).toBe(1);
    expect(data.busy).toBe(true);

    // The job's progress is the databases copied of all: half of them, half of the job.
    emit('job.progress', jobEvent({ id: 'b1', kind: 'data.backup', subject: '立即备份', phase: 'copy', progress: 0.5, done: 1, total: 2 }));
    expect(data.backupJob?.overall).toBeCloseTo(0.5);

    backups = [NEW, OLD];
    emit('job.progress', jobEvent({ id: 'b1', kind: 'data.backup', subject: '立即备份', state: 'done', phase: 'copy', progress: 1, done: 2, total: 2 }));
    finish(NEW);
    await running;
    expect(data.backupJob).toBeNull();
    expect(data.backupBusy).toBe(false);
    expect(data.lastBackup).toEqual(NEW);
    expect(data.status?.backups.map((b) => b.name)).toEqual([NEW.name, OLD.name]);
    expect(data.failure).toBeNull();
    detach();
  });

  it('lists a backup another window or the daily schedule made, once its job is done', async () => {
    let backups = [OLD];
    const { data, emit, count, detach } = setup({ 'data.status': () => statusOf(backups) });
    await data.refresh();
    emit('job.progress', jobEvent({ id: 'elsewhere', kind: 'data.backup', subject: '立即备份', phase: 'copy', progress: 0.2 }));
    expect(data.backupBusy).toBe(true); // this window does not start a second one meanwhile
    backups = [NEW, OLD];
    emit('job.progress', jobEvent({ id: 'elsewhere', kind: 'data.backup', subject: '立即备份', state: 'done', phase: 'copy', progress: 1 }));
    await tick();
    expect(count('data.status')).toBe(2);
    expect(data.status?.backups).toEqual([NEW, OLD]);
    expect(data.backupBusy).toBe(false);
    detach();
  });

  it('keeps a failed backup’s error for its section', async () => {
    const { data } = setup({ 'data.status': () => statusOf([]), 'data.backup': () => Promise.reject({ code: 'BUSY', message: '正在替换或加密数据库，请稍候再试。' }) });
    await data.backup();
    expect(data.failure).toEqual({ action: 'backup', error: { code: 'BUSY', message: '正在替换或加密数据库，请稍候再试。' } });
    expect(data.backingUp).toBe(false);
  });

  it('restores a listed backup only once the doctor confirms, shows the result and starts the window over', async () => {
    const { data, calls, reloads } = setup({ 'data.status': () => statusOf([NEW, OLD]), 'data.restore': ({ source }) => restoredOf(source.backup) });
    await data.refresh();
    data.askRestore(OLD);
    expect(data.pendingRestore).toEqual({ backup: OLD });
    data.cancelRestore(); // Esc, or 取消
    expect(data.pendingRestore).toBeNull();
    expect(await data.confirmRestore()).toBe(false); // nothing was asked: nothing to confirm
    expect(calls.filter(([name]) => name === 'data.restore')).toEqual([]);

    data.askRestore(OLD);
    expect(await data.confirmRestore()).toBe(true);
    expect(calls.filter(([name]) => name === 'data.restore')).toEqual([['data.restore', { source: { backup: OLD.name }, confirm: true }]]);
    expect(data.restored).toEqual(restoredOf(OLD.name));
    expect(reloads()).toBe(1);
    expect(data.busy).toBe(true); // the window is about to start over: nothing else starts
    data.askRestore(NEW);
    expect(data.pendingRestore).toBeNull();
  });

  it('shows why a restore was refused, and leaves the window as it was', async () => {
    const refusal = { code: 'BACKUP_INVALID', message: '备份文件已被截断或改动：xinglin-backup-20250301T080000Z.tar.gz' };
    const { data, reloads } = setup({ 'data.status': () => statusOf([OLD]), 'data.restore': () => Promise.reject(refusal) });
    data.askRestore(OLD);
    expect(await data.confirmRestore()).toBe(false);
    expect(data.failure).toEqual({ action: 'restore', error: refusal });
    expect(data.restored).toBeNull();
    expect(data.restoring).toBe(false);
    expect(data.busy).toBe(false);
    expect(reloads()).toBe(0);
  });

  it('in a browser, refuses a file that is no backup or too large before sending it, and uploads a backup file only after the confirmation', async () => {
    const sent: File[] = [];
    const { data, calls, reloads } = setup({ 'data.restore': () => restoredOf('mine.tar.gz') }, uploads(sent));
    data.askRestoreFile(new File(['x'], 'notes.zip'));
    expect(data.pendingRestore).toBeNull();
    expect(data.failure).toMatchObject({ action: 'restore', error: { code: 'BACKUP_INVALID' } });
    const huge = new File(['x'], 'huge.tar.gz');
    Object.defineProperty(huge, 'size', { value: MAX_UPLOAD_BYTES + 1 });
    data.askRestoreFile(huge);
    expect(data.failure).toMatchObject({ action: 'restore', error: { code: 'FILE_TOO_LARGE' } });
    expect(sent).toEqual([]);

    const file = new File(['backup bytes'], 'mine.tar.gz');
    data.askRestoreFile(file);
    expect(data.failure).toBeNull();
    expect(data.pendingRestore).toMatchObject({ upload: file });
    expect(sent).toEqual([]); // nothing leaves the page before the doctor says yes
    const restoring = data.confirmRestore();
    await Promise.resolve();
    expect(data.uploadProgress).toBeCloseTo(0.5);
    expect(await restoring).toBe(true);
    expect(sent).toEqual([file]);
    expect(calls.filter(([name]) => name === 'data.restore')).toEqual([['data.restore', { source: { file: 'h'.repeat(32) }, confirm: true }]]);
    expect(data.uploadProgress).toBeNull();
    expect(reloads()).toBe(1);
  });

  it('takes no uploaded file in the desktop app (its files come through the open dialog)', () => {
    const { data } = setup({});
    data.askRestoreFile(new File(['x'], 'mine.tar.gz'));
    expect(data.pendingRestore).toBeNull();
  });

  it('in the desktop app, restores a file chosen in the open dialog after the confirmation, and nothing when the dialog is cancelled', async () => {
    const chosen: ChosenFile = { file: 'c'.repeat(32), name: 'U盘备份.tar.gz', sizeBytes: 4096 };
    const { data, calls, reloads } = setup({ 'data.status': () => statusOf([]), 'data.restore': () => restoredOf(chosen.name) }, dialogFiles(chosen));
    await data.chooseRestoreFile();
    expect(data.pendingRestore).toEqual({ chosen });
    expect(calls.some(([name]) => name === 'data.restore')).toBe(false);
    expect(await data.confirmRestore()).toBe(true);
    expect(calls.filter(([name]) => name === 'data.restore')).toEqual([['data.restore', { source: { file: chosen.file }, confirm: true }]]);
    expect(reloads()).toBe(1);

    const cancelled = setup({ 'data.status': () => statusOf([]) }, dialogFiles(null));
    await cancelled.data.chooseRestoreFile();
    expect(cancelled.data.pendingRestore).toBeNull();
  });

  it('offers encryption only where the host can turn it on, and keeps the recovery key until its dialog is closed', async () => {
    const key = 'ab'.repeat(32);
    let encryption: Partial<DataStatus['encryption']> = {};
    const { data, calls } = setup({
      'data.status': () => statusOf([], encryption),
      'data.encrypt': () => {
        encryption = { enabled: true, keySource: 'keychain', canEnable: false, reason: null };
        return { backupFile: '/d/backups/xinglin-backup-20250303T100000Z.tar.gz', recoveryKey: key };
      },
    });
    await data.refresh();
    data.askEncrypt(); // browser mode: the reason shows instead
    expect(data.askingEncrypt).toBe(false);

    encryption = { canEnable: true, reason: null };
    await data.refresh();
    data.askEncrypt();
    expect(data.askingEncrypt).toBe(true);
    data.cancelEncrypt();
    expect(await data.confirmEncrypt()).toBe(false);
    expect(calls.filter(([name]) => name === 'data.encrypt')).toEqual([]);

    data.askEncrypt();
    expect(await data.confirmEncrypt()).toBe(true);
    expect(calls.filter(([name]) => name === 'data.encrypt')).toEqual([['data.encrypt', { confirm: true }]]);
    expect(data.encrypted).toEqual({ backupFile: '/d/backups/xinglin-backup-20250303T100000Z.tar.gz', recoveryKey: key });
    expect(data.status?.encryption).toMatchObject({ enabled: true, keySource: 'keychain' });
    data.forgetRecoveryKey();
    expect(data.encrypted).toBeNull();
  });

  it('keeps a failed encryption’s error for its section', async () => {
    const refusal = { code: 'BUSY', message: '有任务正在使用数据（drugs.jsonl），不能加密：请等它完成或取消后再试。' };
    const { data } = setup({ 'data.status': () => statusOf([], { canEnable: true, reason: null }), 'data.encrypt': () => Promise.reject(refusal) });
    await data.refresh();
    data.askEncrypt();
    expect(await data.confirmEncrypt()).toBe(false);
    expect(data.failure).toEqual({ action: 'encrypt', error: refusal });
    expect(data.encrypted).toBeNull();
    expect(data.encrypting).toBe(false);
  });
});
