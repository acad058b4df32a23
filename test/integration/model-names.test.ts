import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src-main/core/core.js';
import { openTestCore, tempDir } from '../helpers/env.js';

/**
 * A model is named, never pathed: `models.load` finds base models only in the models folder and
 * adapters only in its lora/, whatever the caller writes. The refusals come before any job starts.
 */
describe('models.load: names resolve inside the models folder only', () => {
  let core: Core;
  let modelsDir: string;
  const outside = tempDir('xinglin-outside-');
  const outsideModel = path.join(outside, 'outside.gguf');

  beforeAll(async () => {
    modelsDir = tempDir('xinglin-models-');
    fs.writeFileSync(outsideModel, 'GGUF not really');
    fs.mkdirSync(path.join(modelsDir, 'lora'));
    fs.mkdirSync(path.join(modelsDir, 'sub'));
    fs.symlinkSync(outsideModel, path.join(modelsDir, 'link-out.gguf'));
    fs.symlinkSync(outside, path.join(modelsDir, 'sub', 'dir-out'));
    fs.symlinkSync(outsideModel, path.join(modelsDir, 'lora', 'adapter-out.gguf'));
    core = await openTestCore({ modelsDir });
  });
  afterAll(() => core.close());

  const refused = [
    ['an absolute path', outsideModel],
    ['a path up and out', '../outside.gguf'],
    ['a path into a subfolder and out', 'sub/../../outside.gguf'],
    ['a Windows path', 'C:\\models\\outside.gguf'],
    ['a Windows drive-relative name', 'C:outside.gguf'],
    ['the parent folder itself', '..'],
    ['a folder link leading out', 'sub/dir-out/outside.gguf'],
  ] as const;

  for (const [what, model] of refused) {
    it(`refuses ${what} as not a file name, naming the folder`, async () => {
      const reply = await core.call('models.load', { model });
      expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining(`不是文件名：只能填写文件夹 ${modelsDir} 中的文件名`) } });
    });
  }

  it('refuses a link in the folder whose target lies outside it, without naming the target', async () => {
    const reply = await core.call('models.load', { model: 'link-out.gguf' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: `“link-out.gguf”是指向文件夹 ${modelsDir} 之外的链接，已拒绝：请把文件本身放进该文件夹` } });
    expect(JSON.stringify(reply)).not.toContain(outside);
  });

  it('refuses adapters the same way, inside lora/', async () => {
    for (const file of ['../link-out.gguf', outsideModel, 'adapter-out.gguf']) {
      const reply = await core.call('models.load', { model: 'missing.gguf', adapters: [{ file }] });
      expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining(path.join(modelsDir, 'lora')) } });
    }
  });

  it('starts no job for a refused name, and still says MODEL_NOT_FOUND for a plain name with no file', async () => {
    expect((await core.api.jobs.list()).filter((j) => j.kind === 'models.load')).toEqual([]);
    const reply = await core.call('models.load', { model: 'missing.gguf' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'MODEL_NOT_FOUND', message: expect.stringContaining('missing.gguf') } });
  });
});
