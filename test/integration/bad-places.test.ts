import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { XinglinError } from '../../src-main/contract/index.js';
import { openTestCore, tempDir } from '../helpers/env.js';

/** The typed error opening a core on these folders gives (the core must refuse, not open). */
async function refusal(folders: { dataDir?: string; modelsDir?: string }): Promise<XinglinError> {
  const error = await openTestCore(folders).then(
    async (core) => {
      await core.close();
      return null;
    },
    (cause: unknown) => cause,
  );
  expect(error).toBeInstanceOf(XinglinError);
  return error as XinglinError;
}

const mode = (folder: string) => fs.statSync(folder).mode & 0o777;

describe('bad places for the data and models folders: a typed Chinese error naming the folder and the cause', () => {
  it('a data folder that is a file, or lies under a file', async () => {
    const file = path.join(tempDir(), 'notes.txt');
    fs.writeFileSync(file, '不是文件夹');
    const itself = await refusal({ dataDir: file });
    expect(itself).toMatchObject({ code: 'FOLDER_UNUSABLE', details: { path: file, role: 'data', errno: 'ENOTDIR' } });
    expect(itself.message).toBe(`数据文件夹不可用：${file}——${file} 是一个文件，不是文件夹。请换一个文件夹，或解决这个问题后再试。`);

    const below = await refusal({ dataDir: path.join(file, 'data') });
    expect(below.message).toContain(`${path.join(file, 'data')}——${file} 是一个文件`);
    expect(fs.readFileSync(file, 'utf8')).toBe('不是文件夹');
  });

  it('a models folder that is a file', async () => {
    const file = path.join(tempDir(), 'models.gguf');
    fs.writeFileSync(file, '');
    const error = await refusal({ modelsDir: file });
    expect(error).toMatchObject({ code: 'FOLDER_UNUSABLE', details: { path: file, role: 'models' } });
    expect(error.message).toMatch(/^模型文件夹不可用：.*是一个文件，不是文件夹/);
  });

  // Node's recursive mkdir spun here forever, synchronously (the event loop, and so SIGTERM, never came back).
  it.runIf(fs.existsSync('/proc/self'))('a folder on /proc, where nothing can be created', async () => {
    const error = await refusal({ dataDir: '/proc/xinglin-data' });
    expect(error).toMatchObject({ code: 'FOLDER_UNUSABLE', details: { path: '/proc/xinglin-data', errno: 'ENOENT' } });
    expect(error.message).toMatch(/\/proc\/xinglin-data——这里不能创建文件（\/proc、\/sys 这类特殊文件系统/);
    const existing = await refusal({ dataDir: '/proc/self' });
    expect(existing.message).toMatch(/^数据文件夹不可用：\/proc\/self——/);
  });

  // sysfs refuses a new folder to everyone, root included: a parent that cannot be written.
  it.runIf(fs.existsSync('/sys/kernel'))('a folder whose parent cannot be written', async () => {
    const error = await refusal({ modelsDir: '/sys/xinglin-models' });
    expect(error).toMatchObject({ code: 'FOLDER_UNUSABLE', details: { path: '/sys/xinglin-models', role: 'models' } });
    expect(error.message).toMatch(/\/sys\/xinglin-models——(没有权限在这里创建或写入文件|所在的文件系统是只读的)/);
  });

  it('creates missing folders 0700 even under umask 000, and leaves an existing folder’s mode alone', async () => {
    const root = tempDir();
    const shared = path.join(root, 'shared');
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o755);
    const previous = process.umask(0);
    try {
      const core = await openTestCore({ dataDir: path.join(shared, 'a', 'data'), modelsDir: path.join(root, 'models') });
      await core.close();
    } finally {
      process.umask(previous);
    }
    for (const created of ['shared/a', 'shared/a/data', 'shared/a/data/logs', 'models', 'models/lora']) expect([created, mode(path.join(root, created))]).toEqual([created, 0o700]);
    expect(mode(shared)).toBe(0o755);
    expect(fs.readdirSync(path.join(root, 'models', 'lora'))).toEqual([]); // the write probe leaves nothing behind
  });
});
