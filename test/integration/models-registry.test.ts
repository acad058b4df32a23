/**
 * The model registry through the core's API, on real files: generated GGUF models and adapters,
 * files broken on purpose, a real manifest, real jobs (progress, cancel) and the real model process.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src-main/contract/index.js';
import type { Core } from '../../src-main/core/core.js';
import { generateFixtures, writeBigAdapter, writeLoraAdapter, writeTinyLlama, type FixturePaths } from '../fixtures/gguf/tiny-llama.js';
import { fixtureModels, openTestCore, tempDir } from '../helpers/env.js';

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const manifestOf = (modelsDir: string) => JSON.parse(fs.readFileSync(path.join(modelsDir, 'manifest.json'), 'utf8')) as { files: Array<{ file: string; kind: string; sha256: string | null; importedAt: number | null; verifiedAt: number | null }> };
const leftovers = (dir: string) => fs.readdirSync(dir).filter((name) => name.endsWith('.part'));

/** Records every job.progress of one kind while `run` runs. */
async function watched<T>(core: Core, kind: Job['kind'], run: () => Promise<T>, onJob: (job: Job) => void = () => {}): Promise<{ result: T | unknown; jobs: Job[] }> {
  const jobs: Job[] = [];
  const off = core.subscribe((event, payload) => {
    if (event !== 'job.progress' || (payload as Job).kind !== kind) return;
    jobs.push(payload as Job);
    onJob(payload as Job);
  });
  try {
    return { result: await run().catch((error: unknown) => error), jobs };
  } finally {
    off();
  }
}

describe('models.list: usable files with their metadata, unusable ones apart with the reason', () => {
  const { modelsDir, paths } = fixtureModels();
  let core: Core;

  beforeAll(async () => {
    // What a hospital IT person might leave in the folder beside the good files.
    fs.copyFileSync(paths.lora, path.join(modelsDir, 'stray-adapter.gguf'));
    fs.copyFileSync(paths.model, path.join(modelsDir, 'lora', 'base-in-lora.gguf'));
    fs.writeFileSync(path.join(modelsDir, 'random.gguf'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)));
    fs.writeFileSync(path.join(modelsDir, 'README.md'), '# 本院模型\n');
    fs.writeFileSync(path.join(modelsDir, '.tiny.gguf.importing-0123456789ab.part'), 'an import still copying');
    const crashed = path.join(modelsDir, 'lora', '.old.gguf.importing-ba9876543210.part');
    fs.writeFileSync(crashed, 'left by a crash');
    fs.utimesSync(crashed, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
    core = await openTestCore({ modelsDir });
  });
  afterAll(() => core.close());

  it('lists the base model and the adapters with their header metadata, and every bad file with a Chinese reason naming it', async () => {
    const listed = await core.api.models.list();
    expect(listed.modelsDir).toBe(modelsDir);
    expect(listed.models.map((m) => m.file)).toEqual(['tiny-llama.gguf']);
    expect(listed.models[0]).toMatchObject({
      kind: 'model',
      sizeBytes: fs.statSync(paths.model).size,
      sha256: null,
      metadata: { architecture: 'llama', name: 'tiny-llama', quantization: 'F32', contextLength: 2048, embeddingLength: 64, blockCount: 2, chatTemplate: expect.stringContaining('<|im_start|>'), loraAlpha: null },
    });
    expect(listed.adapters.map((a) => a.file)).toEqual(['mismatch-lora.gguf', 'tiny-lora-b.gguf', 'tiny-lora.gguf']);
    expect(listed.adapters.find((a) => a.file === 'tiny-lora.gguf')).toMatchObject({ kind: 'adapter', metadata: { architecture: 'llama', loraAlpha: 8, contextLength: null } });

    const invalid = Object.fromEntries(listed.invalid.map((f) => [`${f.folder}/${f.file}`, f.error]));
    expect(Object.keys(invalid).sort()).toEqual(['lora/base-in-lora.gguf', 'models/not-a-model.gguf', 'models/random.gguf', 'models/stray-adapter.gguf', 'models/tiny-llama-truncated.gguf']);
    expect(invalid['models/not-a-model.gguf']).toMatchObject({ code: 'MODEL_NOT_GGUF', message: expect.stringContaining('not-a-model.gguf 不是有效的 GGUF 文件') });
    expect(invalid['models/random.gguf']).toMatchObject({ code: 'MODEL_NOT_GGUF', message: expect.stringContaining('random.gguf') });
    expect(invalid['models/tiny-llama-truncated.gguf']).toMatchObject({ code: 'MODEL_TRUNCATED', message: expect.stringMatching(/tiny-llama-truncated\.gguf 不完整/) });
    expect(invalid['models/stray-adapter.gguf']).toMatchObject({ code: 'MODEL_UNSUPPORTED', message: expect.stringMatching(/stray-adapter\.gguf.*LoRA 适配器，不是基础模型.*lora\//) });
    expect(invalid['lora/base-in-lora.gguf']).toMatchObject({ code: 'MODEL_UNSUPPORTED', message: expect.stringMatching(/base-in-lora\.gguf.*这是基础模型.*不是 LoRA 适配器/) });
    for (const error of Object.values(invalid)) expect(error!.message).not.toMatch(/[A-Za-z]{3,} [a-z]{3,} [a-z]{3,}/); // no English sentence
    // The partial copy of an import that died with its process is cleared at start; a live one is left alone.
    expect(leftovers(modelsDir)).toEqual(['.tiny.gguf.importing-0123456789ab.part']);
    expect(leftovers(path.join(modelsDir, 'lora'))).toEqual([]);
  });

  it('records usable files in the manifest, answers a repeat listing from it without writing, and re-reads a file that changed', async () => {
    const manifestFile = path.join(modelsDir, 'manifest.json');
    const first = await core.api.models.list();
    const written = fs.readFileSync(manifestFile, 'utf8');
    const records = manifestOf(modelsDir).files;
    expect(records.map((r) => `${r.kind}/${r.file}`).sort()).toEqual(['adapter/mismatch-lora.gguf', 'adapter/tiny-lora-b.gguf', 'adapter/tiny-lora.gguf', 'model/tiny-llama.gguf']);
    const mtime = fs.statSync(manifestFile).mtimeMs;

    expect(await core.api.models.list()).toEqual(first);
    expect(fs.statSync(manifestFile).mtimeMs).toBe(mtime);
    expect(fs.readFileSync(manifestFile, 'utf8')).toBe(written);

    writeLoraAdapter(path.join(modelsDir, 'lora', 'tiny-lora-b.gguf'), { contextLength: 2048 }, { seed: 5, alpha: 32 });
    const after = await core.api.models.list();
    expect(after.adapters.find((a) => a.file === 'tiny-lora-b.gguf')?.metadata).toMatchObject({ name: 'tiny-llama-lora-5', loraAlpha: 32 });
  });

  it('a file that became unusable leaves the list; one deleted by hand leaves it too', async () => {
    fs.truncateSync(path.join(modelsDir, 'lora', 'mismatch-lora.gguf'), 200);
    fs.rmSync(path.join(modelsDir, 'lora', 'tiny-lora-b.gguf'));
    const listed = await core.api.models.list();
    expect(listed.adapters.map((a) => a.file)).toEqual(['tiny-lora.gguf']);
    expect(listed.invalid.find((f) => f.file === 'mismatch-lora.gguf')).toMatchObject({ folder: 'lora', error: { code: 'MODEL_TRUNCATED' } });
  });
});

describe('models.import, verify and remove: a job per import, each file on its own', () => {
  let core: Core;
  let modelsDir: string;
  let source: FixturePaths;
  const loraDir = () => path.join(modelsDir, 'lora');

  beforeAll(async () => {
    source = generateFixtures(tempDir('xinglin-usb-'), { contextLength: 2048 });
    core = await openTestCore();
    modelsDir = core.config.modelsDir;
  });
  afterAll(() => core.close());

  const handle = (file: string) => core.files.register(file).file;

  it('copies a base model into the folder and an adapter into lora/, with progress, sha256 and metadata', async () => {
    const { result, jobs } = await watched(core, 'models.import', () => core.api.models.import({ files: [handle(source.model), handle(source.lora)] }));
    expect(result).toMatchObject({ refused: [] });
    const { imported } = result as { imported: Array<{ file: string; kind: string; sha256: string; importedAt: number; metadata: { architecture: string; loraAlpha: number | null } }> };
    expect(imported.map((e) => [e.file, e.kind, e.sha256])).toEqual([
      ['tiny-llama.gguf', 'model', sha256(source.model)],
      ['tiny-lora.gguf', 'adapter', sha256(source.lora)],
    ]);
    expect(imported[1]!.metadata).toMatchObject({ architecture: 'llama', loraAlpha: 8 });
    expect(sha256(path.join(modelsDir, 'tiny-llama.gguf'))).toBe(sha256(source.model));
    expect(sha256(path.join(loraDir(), 'tiny-lora.gguf'))).toBe(sha256(source.lora));
    expect([...leftovers(modelsDir), ...leftovers(loraDir())]).toEqual([]);

    const total = fs.statSync(source.model).size + fs.statSync(source.lora).size;
    const running = jobs.filter((j) => j.state === 'running' && j.phase !== 'start');
    expect(new Set(running.map((j) => j.phase))).toEqual(new Set(['inspect', 'copy']));
    expect(running.map((j) => j.progress).every((p, i, all) => i === 0 || p >= all[i - 1]!)).toBe(true);
    expect(running.filter((j) => j.phase === 'copy').map((j) => j.detail)).toEqual(expect.arrayContaining(['tiny-llama.gguf', 'tiny-lora.gguf']));
    expect(running.at(-1)).toMatchObject({ phase: 'copy', done: total, total, progress: 1 });
    expect(jobs.at(-1)).toMatchObject({ state: 'done', subject: '2 个文件' });

    const records = manifestOf(modelsDir).files;
    expect(records.find((r) => r.file === 'tiny-llama.gguf')).toMatchObject({ kind: 'model', sha256: sha256(source.model), importedAt: expect.any(Number) });
    const listed = await core.api.models.list();
    expect(listed.models.map((m) => [m.file, m.sha256])).toEqual([['tiny-llama.gguf', sha256(source.model)]]);
    expect(listed.adapters.map((m) => m.file)).toEqual(['tiny-lora.gguf']);
  });

  it('refuses duplicates, bad files and a taken name each with its reason, and imports the rest of the same job', async () => {
    const usb = tempDir('xinglin-usb2-');
    const copy = path.join(usb, 'copy-of-tiny.gguf');
    fs.copyFileSync(source.model, copy);
    const other = path.join(usb, 'tiny-llama.gguf');
    writeTinyLlama(other, { seed: 7 });
    const { imported, refused } = await core.api.models.import({ files: [handle(copy), handle(source.truncated), handle(source.notAModel), handle(other), handle(source.loraB), handle(path.join(modelsDir, 'tiny-llama.gguf'))] });
    expect(imported.map((e) => [e.file, e.kind])).toEqual([['tiny-lora-b.gguf', 'adapter']]);
    const reasons = refused.map((r) => [r.name, r.error.code]);
    expect(reasons).toEqual([
      ['copy-of-tiny.gguf', 'MODEL_DUPLICATE'],
      ['tiny-llama-truncated.gguf', 'MODEL_TRUNCATED'],
      ['not-a-model.gguf', 'MODEL_NOT_GGUF'],
      ['tiny-llama.gguf', 'MODEL_DUPLICATE'],
      ['tiny-llama.gguf', 'MODEL_DUPLICATE'],
    ]);
    expect(refused[0]!.error.message).toMatch(/copy-of-tiny\.gguf 与已登记的基础模型 tiny-llama\.gguf 内容完全相同/);
    expect(refused[1]!.error.message).toMatch(/tiny-llama-truncated\.gguf 不完整/);
    expect(refused[3]!.error.message).toMatch(/已有名为 tiny-llama\.gguf 的文件，未导入/);
    expect(refused[4]!.error.message).toMatch(/tiny-llama\.gguf 已在模型文件夹 .* 中，无需导入/);
    expect(fs.readdirSync(modelsDir).sort()).toEqual(['lora', 'manifest.json', 'tiny-llama.gguf']);
    expect(fs.readdirSync(loraDir()).sort()).toEqual(['tiny-lora-b.gguf', 'tiny-lora.gguf']);
    // The one that was taken kept its bytes.
    expect(sha256(path.join(modelsDir, 'tiny-llama.gguf'))).toBe(sha256(source.model));
  });

  it('an uploaded file (browser mode) is named by the name the user gave it, in the folder and in a refusal', async () => {
    const upload = (name: string, bytes: Buffer) => core.files.receive(name, (async function* () {
      yield bytes;
    })(), 64 * 1024 * 1024);
    const bad = await upload('门诊拍的模型.gguf', Buffer.from('这不是模型'));
    const good = await upload('qizhen-adapter', fs.readFileSync(source.loraMismatch));
    const { imported, refused } = await core.api.models.import({ files: [bad.file, good.file] });
    expect(refused).toEqual([{ name: '门诊拍的模型.gguf', error: { code: 'MODEL_NOT_GGUF', message: expect.stringContaining('门诊拍的模型.gguf 不是有效的 GGUF 文件') } }]);
    expect(refused[0]!.error.message).not.toMatch(/\.upload/);
    // The folder lists only *.gguf names, so one is added to a name without it.
    expect(imported.map((e) => [e.file, e.kind])).toEqual([['qizhen-adapter.gguf', 'adapter']]);
    expect(fs.existsSync(path.join(loraDir(), 'qizhen-adapter.gguf'))).toBe(true);
    await core.api.models.remove({ file: 'qizhen-adapter.gguf', kind: 'adapter' });
  });

  it('a cancelled import removes its partial copy and records nothing; files done earlier in the job stay', async () => {
    const usb = tempDir('xinglin-usb3-');
    const big = path.join(usb, 'big-lora.gguf');
    writeBigAdapter(big, 48);
    const small = path.join(usb, 'small-lora.gguf');
    writeLoraAdapter(small, { contextLength: 2048 }, { seed: 9 });
    const { result, jobs } = await watched(core, 'models.import', () => core.api.models.import({ files: [handle(small), handle(big)] }), (job) => {
      if (job.state === 'running' && job.phase === 'copy' && job.detail === 'big-lora.gguf') void core.api.jobs.cancel({ id: job.id });
    });
    expect(result).toMatchObject({ code: 'CANCELLED' });
    expect(jobs.at(-1)).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED' } });
    expect(Math.max(...jobs.filter((j) => j.detail === 'big-lora.gguf').map((j) => j.progress))).toBeLessThan(1);
    expect(leftovers(loraDir())).toEqual([]);
    expect(fs.existsSync(path.join(loraDir(), 'big-lora.gguf'))).toBe(false);
    expect(manifestOf(modelsDir).files.map((r) => r.file)).not.toContain('big-lora.gguf');
    expect((await core.api.models.list()).adapters.map((a) => a.file)).toEqual(['small-lora.gguf', 'tiny-lora-b.gguf', 'tiny-lora.gguf']);
    fs.rmSync(big);
  });

  it('verify re-reads every file: unchanged ones are ok, a changed byte and a deleted file are reported, a hand-placed one gets its first digest', async () => {
    fs.copyFileSync(source.loraB, path.join(loraDir(), 'by-hand.gguf'));
    expect((await core.api.models.list()).adapters.find((a) => a.file === 'by-hand.gguf')?.sha256).toBeNull();
    const first = await watched(core, 'models.verify', () => core.api.models.verify({}));
    expect(first.result).toEqual([
      { file: 'tiny-llama.gguf', kind: 'model', state: 'ok', expected: sha256(source.model), actual: sha256(source.model) },
      { file: 'by-hand.gguf', kind: 'adapter', state: 'new', expected: null, actual: sha256(source.loraB) },
      expect.objectContaining({ file: 'small-lora.gguf', state: 'ok' }),
      expect.objectContaining({ file: 'tiny-lora-b.gguf', state: 'ok' }),
      expect.objectContaining({ file: 'tiny-lora.gguf', state: 'ok' }),
    ]);
    expect(first.jobs.filter((j) => j.state === 'running' && j.phase === 'hash').map((j) => j.detail)).toEqual(expect.arrayContaining(['tiny-llama.gguf', 'by-hand.gguf']));
    expect(first.jobs.at(-1)).toMatchObject({ state: 'done', subject: '全部模型文件' });
    expect((await core.api.models.list()).adapters.find((a) => a.file === 'by-hand.gguf')).toMatchObject({ sha256: sha256(source.loraB), verifiedAt: expect.any(Number) });

    // One byte of tensor data changes (the header stays valid), another file is deleted by hand.
    const changed = path.join(loraDir(), 'tiny-lora.gguf');
    const fd = fs.openSync(changed, 'r+');
    fs.writeSync(fd, Buffer.from([0x7f]), 0, 1, fs.statSync(changed).size - 1);
    fs.closeSync(fd);
    fs.rmSync(path.join(loraDir(), 'small-lora.gguf'));
    const second = await core.api.models.verify({});
    expect(second.find((r) => r.file === 'tiny-lora.gguf')).toEqual({ file: 'tiny-lora.gguf', kind: 'adapter', state: 'changed', expected: sha256(source.lora), actual: sha256(changed) });
    expect(second.find((r) => r.file === 'small-lora.gguf')).toMatchObject({ state: 'missing', actual: null });
    // The recorded digest stays, so the change stays reported until the administrator decides.
    expect(await core.api.models.verify({ file: 'tiny-lora.gguf', kind: 'adapter' })).toEqual([expect.objectContaining({ state: 'changed', expected: sha256(source.lora) })]);
    expect(await core.call('models.verify', { file: 'nothing.gguf' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringContaining('没有登记名为 nothing.gguf') } });
  });

  it('remove deletes the file and its record; an unknown name or a path is refused in Chinese', async () => {
    await core.api.models.remove({ file: 'tiny-lora.gguf', kind: 'adapter' });
    expect(fs.existsSync(path.join(loraDir(), 'tiny-lora.gguf'))).toBe(false);
    expect(manifestOf(modelsDir).files.map((r) => r.file)).not.toContain('tiny-lora.gguf');
    expect((await core.api.models.list()).adapters.map((a) => a.file)).toEqual(['by-hand.gguf', 'tiny-lora-b.gguf']);
    // A record whose file is already gone is forgotten the same way.
    await core.api.models.remove({ file: 'small-lora.gguf', kind: 'adapter' });
    expect((await core.api.models.verify({})).map((r) => r.state)).not.toContain('missing');

    expect(await core.call('models.remove', { file: 'tiny-lora.gguf', kind: 'adapter' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringMatching(/没有名为 tiny-lora\.gguf 的适配器文件/) } });
    expect(await core.call('models.remove', { file: '../manifest.json', kind: 'adapter' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(fs.existsSync(path.join(modelsDir, 'manifest.json'))).toBe(true);
  });
});

describe('a load records the digest of a file placed by hand', () => {
  const { modelsDir, paths } = fixtureModels();
  let core: Core;
  beforeAll(async () => {
    core = await openTestCore({ modelsDir });
  });
  afterAll(() => core.close());

  it('lists it without a digest (listing never hashes), and with the digest the load computed', async () => {
    expect((await core.api.models.list()).models[0]).toMatchObject({ file: 'tiny-llama.gguf', sha256: null });
    await core.api.models.load({ model: 'tiny-llama.gguf', adapters: [{ file: 'tiny-lora.gguf', scale: 1 }] });
    const listed = await core.api.models.list();
    expect(listed.models[0]).toMatchObject({ file: 'tiny-llama.gguf', sha256: sha256(paths.model) });
    expect(listed.adapters.find((a) => a.file === 'tiny-lora.gguf')?.sha256).toBe(sha256(paths.lora));
    expect(listed.adapters.find((a) => a.file === 'tiny-lora-b.gguf')?.sha256).toBeNull();
  });
});
