/**
 * `xinglin doctor` as a user runs it (from source, through tsx): the model process reports the
 * hardware and what the app will choose on it, and the data folder's encryption and backups.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataStatus, HardwareReport } from '../../src-main/contract/index.js';
import { createKeyFile } from '../../src-main/core/core.js';
import { appRoot } from '../../src-main/hosts/common/app-root.js';
import { tempDir } from '../helpers/env.js';

function xinglin(args: string[], env: Record<string, string | undefined>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const dirs = [...(args.includes('--data-dir') ? [] : ['--data-dir', tempDir()]), '--models-dir', tempDir()];
    execFile(process.execPath, ['--import', 'tsx', path.join(appRoot(), 'src-main/hosts/cli/main.ts'), ...args, ...dirs], { cwd: appRoot(), env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

describe('xinglin doctor', () => {
  it('--json prints the hardware report: CPU, RAM, the CPU backend, and threads from XINGLIN_THREADS with that reason', async () => {
    const run = await xinglin(['doctor', '--json'], { XINGLIN_THREADS: '1' });
    expect(run.stderr).not.toMatch(/错误/);
    expect(run.code).toBe(0);
    const report = HardwareReport.parse(JSON.parse(run.stdout));
    expect(report.cpu.logicalCores).toBe(os.availableParallelism());
    expect(report.cpu.physicalCores).toBeGreaterThanOrEqual(1);
    expect(report.ramTotalBytes).toBe(os.totalmem());
    expect(report.backends).toContainEqual(expect.objectContaining({ name: 'cpu', usable: true }));
    expect(report.choice.threads).toBe(1);
    expect(report.choice.threadsReason).toMatch(/--threads 或 XINGLIN_THREADS/);
    expect(DataStatus.parse(JSON.parse(run.stdout).data).encryption.enabled).toBe(false);
  });

  it('says whether the data folder is encrypted and where the key comes from, or that the key is missing', async () => {
    const dataDir = tempDir('xinglin-doctor-data-');
    const keyFile = path.join(tempDir('xinglin-doctor-key-'), 'db.key');
    createKeyFile(keyFile);
    const encrypted = await xinglin(['doctor', '--data-dir', dataDir], { XINGLIN_DB_KEY_FILE: keyFile });
    expect(encrypted.code).toBe(0);
    expect(encrypted.stdout).toContain('已加密（SQLCipher 4），密钥来自密钥文件（XINGLIN_DB_KEY_FILE）');
    const locked = await xinglin(['doctor', '--data-dir', dataDir], {});
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain('ENCRYPTION_KEY_MISSING');
  });

  it('prints in Chinese what it found and what the app will choose, with the default threads rule', async () => {
    const run = await xinglin(['doctor'], { XINGLIN_THREADS: undefined });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/本机硬件[\s\S]*处理器[\s\S]*内存[\s\S]*推理后端[\s\S]*CPU\s+可用[\s\S]*应用的选择[\s\S]*计算设备[\s\S]*线程数[\s\S]*GPU 层数[\s\S]*加载方式/);
    const physical = Number(/物理核心 (\d+) 个，逻辑核心/.exec(run.stdout)?.[1]);
    expect(run.stdout).toContain(`线程数    ${Math.max(1, physical - 1)}：物理核心 ${physical} 个`);
  });

  it('refuses arguments it does not take (exit 2)', async () => {
    const run = await xinglin(['doctor', 'now'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/doctor 不接受参数/);
  });
});
