/**
 * `xinglin models …` as an administrator runs it (the real command, from source through tsx), on
 * generated models copied from a stand-in USB stick into a fresh models folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../src-main/hosts/common/app-root.js';
import { generateFixtures, writeBigAdapter, type FixturePaths } from '../fixtures/gguf/tiny-llama.js';
import { tempDir } from '../helpers/env.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function xinglin(args: string[], onStderr?: (stderr: string, child: ChildProcess) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(appRoot(), 'src-main/hosts/cli/main.ts'), ...args], { cwd: appRoot(), env: { ...process.env, XINGLIN_THREADS: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('xinglin models', () => {
  const dataDir = tempDir('xinglin-cli-data-');
  const modelsDir = path.join(tempDir('xinglin-cli-'), 'models');
  const dirs = ['--data-dir', dataDir, '--models-dir', modelsDir];
  const usb = tempDir('xinglin-usb-');
  let source: FixturePaths;

  beforeAll(() => {
    source = generateFixtures(usb);
  });

  it('import <dir> copies the usable GGUF files (adapters from its lora/ into lora/), reports the others, and exits 1', async () => {
    const run = await xinglin(['models', 'import', usb, ...dirs]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/已导入 tiny-llama\.gguf：基础模型，llama .*sha256 [0-9a-f]{64}/);
    expect(run.stdout).toMatch(/已导入 tiny-lora\.gguf：适配器/);
    expect(run.stdout).toMatch(/共 6 个文件：导入 4 个，未导入 2 个/);
    expect(run.stderr).toMatch(/未导入 not-a-model\.gguf：\[MODEL_NOT_GGUF\]/);
    expect(run.stderr).toMatch(/未导入 tiny-llama-truncated\.gguf：\[MODEL_TRUNCATED\].*不完整/);
    expect(run.stderr).toMatch(/复制 tiny-llama\.gguf \d+%/);
    expect(sha256(path.join(modelsDir, 'lora', 'tiny-lora.gguf'))).toBe(sha256(source.lora));
  });

  it('list prints the models folder first, then a table of the files, then the unusable ones with the reason; --json gives the same as data', async () => {
    fs.writeFileSync(path.join(modelsDir, 'broken.gguf'), 'not a model');
    const run = await xinglin(['models', 'list', ...dirs]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`模型文件夹：${modelsDir}`);
    expect(run.stdout).toMatch(/文件\s+类型\s+架构\s+参数量\s+量化\s+上下文\s+大小\s+sha256 前 12 位/);
    expect(run.stdout).toMatch(new RegExp(`tiny-llama\\.gguf\\s+基础模型\\s+llama\\s+\\S+K\\s+F32\\s+512\\s+\\S+ KB\\s+${sha256(source.model).slice(0, 12)}`));
    expect(run.stdout).toMatch(/tiny-lora\.gguf\s+适配器\s+llama/);
    expect(run.stdout).toMatch(/无法使用的文件（1 个[\s\S]*broken\.gguf.*\[MODEL_NOT_GGUF\]/);

    const json = await xinglin(['models', 'list', '--json', ...dirs]);
    const listed = JSON.parse(json.stdout);
    expect(listed.modelsDir).toBe(modelsDir);
    expect(listed.models.map((m: { file: string }) => m.file)).toEqual(['tiny-llama.gguf']);
    expect(listed.adapters).toHaveLength(3);
    expect(listed.invalid).toEqual([expect.objectContaining({ file: 'broken.gguf', folder: 'models', error: expect.objectContaining({ code: 'MODEL_NOT_GGUF' }) })]);
  });

  it('verify reports a file changed on disk, says the administrator decides, and exits 1', async () => {
    const changed = path.join(modelsDir, 'lora', 'tiny-lora-b.gguf');
    const fd = fs.openSync(changed, 'r+');
    fs.writeSync(fd, Buffer.from([0x42]), 0, 1, fs.statSync(changed).size - 1);
    fs.closeSync(fd);
    const run = await xinglin(['models', 'verify', ...dirs]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/一致\s+tiny-llama\.gguf/);
    expect(run.stdout).toMatch(new RegExp(`已改变\\s+lora/tiny-lora-b\\.gguf\\s+登记的 sha256 ${sha256(source.loraB)}，现在为 ${sha256(changed)}`));
    expect(run.stdout).toMatch(/以哪一份为准由管理员决定/);
    expect(run.stderr).toMatch(/校验 \S+\.gguf \d+%/);
  });

  it('remove asks for --yes, then deletes the file and its record', async () => {
    const unconfirmed = await xinglin(['models', 'remove', 'tiny-lora-b.gguf', ...dirs]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/将从模型文件夹删除适配器 tiny-lora-b\.gguf.*确认请加 --yes/);
    expect(fs.existsSync(path.join(modelsDir, 'lora', 'tiny-lora-b.gguf'))).toBe(true);
    const removed = await xinglin(['models', 'remove', 'tiny-lora-b.gguf', '--yes', '--kind', 'adapter', ...dirs]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/已删除适配器 tiny-lora-b\.gguf/);
    expect(fs.existsSync(path.join(modelsDir, 'lora', 'tiny-lora-b.gguf'))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(modelsDir, 'manifest.json'), 'utf8')).files.map((r: { file: string }) => r.file)).not.toContain('tiny-lora-b.gguf');
  });

  it('profiles --json lists the profiles and presets read-only; a bad --kind is a usage error', async () => {
    const run = await xinglin(['models', 'profiles', '--json', ...dirs]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ profiles: [], lastProfileId: null, presets: expect.any(Array) });
    const bad = await xinglin(['models', 'verify', '--kind', 'lora', ...dirs]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--kind 只能是 model（基础模型）或 adapter（适配器），收到“lora”/);
  });

  it('Ctrl+C during an import cancels the job: no partial file, no record, exit 1', async () => {
    const big = path.join(tempDir('xinglin-usb-big-'), 'big-lora.gguf');
    writeBigAdapter(big, 128);
    let interrupted = false;
    const run = await xinglin(['models', 'import', big, ...dirs], (stderr, child) => {
      if (interrupted || !/复制 big-lora\.gguf/.test(stderr)) return;
      interrupted = true;
      child.kill('SIGINT');
    });
    expect(interrupted).toBe(true);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/正在取消/);
    expect(run.stderr).toMatch(/错误 \[CANCELLED\]/);
    expect(fs.readdirSync(path.join(modelsDir, 'lora')).filter((name) => name.includes('big-lora'))).toEqual([]);
    expect(fs.readFileSync(path.join(modelsDir, 'manifest.json'), 'utf8')).not.toContain('big-lora');
    fs.rmSync(big);
  });
});
