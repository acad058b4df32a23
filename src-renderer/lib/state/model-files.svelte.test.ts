import { describe, expect, it } from 'vitest';
import type { ChosenFile, MethodOutput, ModelEntry, VerifyResult, WireError } from '$contract';
import { MAX_UPLOAD_BYTES } from '$contract';
import type { FilePicker, UploadOptions } from '../api/files.js';
import { ModelFilesState } from './model-files.svelte.js';
import { ModelsState } from './models.svelte.js';
import { dialogFiles, fake, jobEvent, tick } from './test-api.js';

const handle = (name: string, sizeBytes = 10): ChosenFile => ({ file: name.replace(/\W/g, '').padEnd(32, 'x').slice(0, 32), name, sizeBytes });
const entry = (file: string, kind: ModelEntry['kind']): ModelEntry => ({
  file,
  kind,
  sizeBytes: 10,
  sha256: 'b'.repeat(64),
  importedAt: 1,
  verifiedAt: null,
  metadata: { architecture: 'llama', name: null, sizeLabel: null, parameterCount: null, quantization: null, contextLength: null, embeddingLength: null, blockCount: null, chatTemplate: null, loraAlpha: null, baseModel: null },
});
const listing = (models: ModelEntry[] = [], adapters: ModelEntry[] = []): MethodOutput<'models.list'> => ({ modelsDir: '/m', models, adapters, invalid: [] });
/** A browser file as the picker sees it (a size past the upload limit needs no bytes here). */
const file = (name: string, size = 10) => ({ name, size }) as File;

/** A browser's upload played by the test: each upload waits until `finish` answers it. */
function uploads() {
  const pending: Array<{ file: File; options: UploadOptions; resolve: (chosen: ChosenFile) => void; reject: (error: unknown) => void }> = [];
  const picker: FilePicker = {
    kind: 'upload',
    upload: (file, options) =>
      new Promise<ChosenFile>((resolve, reject) => {
        pending.push({ file, options, resolve, reject });
        options.signal.addEventListener('abort', () => reject({ code: 'CANCELLED', message: `已取消上传：${file.name}` }));
      }),
  };
  const finish = async () => {
    await tick();
    const next = pending.shift()!;
    next.options.onProgress(next.file.size, next.file.size);
    next.resolve(handle(next.file.name, next.file.size));
    await tick();
  };
  return { picker, pending, finish };
}

describe('ModelFilesState', () => {
  it('uploads a browser’s GGUF files, imports them in one job with its byte progress, and lists what was imported and what was refused, and why', async () => {
    let answer: (value: MethodOutput<'models.import'>) => void = () => {};
    let listed = listing();
    const { api, emit, calls } = fake({ 'models.import': () => new Promise((resolve) => (answer = resolve)), 'models.list': () => listed });
    const { picker, pending, finish } = uploads();
    const models = new ModelsState(api);
    const files = new ModelFilesState(api, picker, models);
    files.attach();

    const running = files.importFiles([file('tiny-llama.gguf', 600), file('说明.txt'), file('huge.gguf', MAX_UPLOAD_BYTES + 1), file('tiny-lora.gguf', 400)]);
    expect(files.importing).toBe(true);
    expect(files.importProgress).toMatchObject({ phase: 'upload', overall: 0 });
    await finish();
    expect(files.importProgress).toMatchObject({ phase: 'upload', file: 'tiny-llama.gguf', done: 600, total: 1000 });
    const uploaded = files.importProgress!.overall;
    expect(uploaded).toBeCloseTo(0.3);
    await finish();
    expect(pending).toEqual([]); // the text file and the oversized one were never sent
    expect(calls.filter(([name]) => name === 'models.import')).toEqual([['models.import', { files: [handle('tiny-llama.gguf', 600).file, handle('tiny-lora.gguf', 400).file] }]]);

    // The job (named for its two files) moves the bar on, never back; another import is not ours until ours is known.
    emit('job.progress', jobEvent({ id: 'imp', kind: 'models.import', subject: '2 个文件', phase: 'copy', progress: 0.5, detail: 'tiny-llama.gguf', done: 500, total: 1000 }));
    const copying = files.importProgress!;
    expect(copying).toMatchObject({ phase: 'copy', file: 'tiny-llama.gguf', done: 500, total: 1000 });
    expect(copying.overall).toBeGreaterThan(0.5);
    emit('job.progress', jobEvent({ id: 'imp', kind: 'models.import', subject: '2 个文件', phase: 'inspect', progress: 0, detail: 'tiny-lora.gguf' }));
    expect(files.importProgress!.overall).toBe(copying.overall);
    emit('job.progress', jobEvent({ id: 'other', kind: 'models.import', subject: 'x.gguf', phase: 'copy', progress: 1 }));
    expect(files.importProgress!.overall).toBe(copying.overall);

    const refusal = { code: 'MODEL_DUPLICATE', message: 'tiny-lora.gguf 已在注册表中（sha256 相同）' };
    listed = listing([entry('tiny-llama.gguf', 'model')]);
    answer({ imported: [entry('tiny-llama.gguf', 'model')], refused: [{ name: 'tiny-lora.gguf', error: refusal }] });
    await running;
    expect(files.importing).toBe(false);
    expect(files.importProgress).toBeNull();
    expect(files.importOutcome!.imported.map((e) => e.file)).toEqual(['tiny-llama.gguf']);
    expect(files.importOutcome!.refused).toEqual([
      { name: '说明.txt', error: expect.objectContaining({ code: 'MODEL_NOT_GGUF', message: expect.stringContaining('说明.txt') }) },
      { name: 'huge.gguf', error: expect.objectContaining({ code: 'FILE_TOO_LARGE', message: expect.stringContaining('512 MB') }) },
      { name: 'tiny-lora.gguf', error: refusal },
    ]);
    expect(models.files?.models.map((m) => m.file)).toEqual(['tiny-llama.gguf']); // the registry shown again
  });

  it('refuses files that are no GGUF without asking the host at all', async () => {
    const { api, calls } = fake({ 'models.list': () => listing() });
    const files = new ModelFilesState(api, uploads().picker, new ModelsState(api));
    await files.importFiles([file('notes.txt')]);
    expect(files.importOutcome?.refused.map((r) => r.name)).toEqual(['notes.txt']);
    expect(calls).toEqual([]);
  });

  it('cancels during the upload: nothing is imported, and a calm note instead of an error', async () => {
    const { api, calls } = fake({ 'models.list': () => listing() });
    const { picker } = uploads();
    const files = new ModelFilesState(api, picker, new ModelsState(api));
    const running = files.importFiles([file('tiny-llama.gguf')]);
    await tick();
    await files.cancelImport();
    await running;
    expect(files.importCancelled).toBe(true);
    expect(files.importError).toBeNull();
    expect(calls.filter(([name]) => name === 'models.import')).toEqual([]);
  });

  it('chooses several files in Electron’s dialog, and cancels the job through its id (even before it is known)', async () => {
    let reject: (error: unknown) => void = () => {};
    const { api, emit, calls } = fake({ 'models.import': () => new Promise((_, fail) => (reject = fail)), 'models.list': () => listing(), 'jobs.cancel': () => ({ cancelled: true }) });
    const files = new ModelFilesState(api, dialogFiles(null, [handle('base.gguf'), handle('lora.gguf')]), new ModelsState(api));
    files.attach();
    const running = files.choose();
    await tick();
    expect(calls.filter(([name]) => name === 'models.import')).toEqual([['models.import', { files: [handle('base.gguf').file, handle('lora.gguf').file] }]]);
    await files.cancelImport();
    expect(files.importCancelling).toBe(true);
    emit('job.progress', jobEvent({ id: 'imp2', kind: 'models.import', subject: '2 个文件', phase: 'copy', progress: 0.1 }));
    await tick();
    expect(calls.filter(([name]) => name === 'jobs.cancel')).toEqual([['jobs.cancel', { id: 'imp2' }]]);
    reject({ code: 'CANCELLED', message: '已取消：模型导入' });
    await running;
    expect(files.importCancelled).toBe(true);
    expect(files.importOutcome).toBeNull();
  });

  it('imports files dropped in Electron once the main process has checked them, each refusal beside what was imported', async () => {
    const { api, calls, count } = fake({ 'models.import': () => ({ imported: [entry('base.gguf', 'model')], refused: [] }), 'models.list': () => listing() });
    const asked: string[][] = [];
    const notGguf: WireError = { code: 'MODEL_NOT_GGUF', message: '说明书.gguf 不是 GGUF 模型文件（文件头不符），未导入', details: { file: '说明书.gguf' } };
    const picker = dialogFiles(null, [], async (dropped) => {
      asked.push(dropped.map((f) => f.name));
      return dropped.map((f) => (f.name === 'base.gguf' ? { ok: true as const, value: handle('base.gguf') } : { ok: false as const, error: notGguf }));
    });
    const files = new ModelFilesState(api, picker, new ModelsState(api));
    await files.importFiles([file('base.gguf'), file('说明书.gguf'), file('notes.txt')]);
    expect(asked).toEqual([['base.gguf', '说明书.gguf']]); // a file not named .gguf never leaves the page
    expect(calls.filter(([name]) => name === 'models.import')).toEqual([['models.import', { files: [handle('base.gguf').file] }]]);
    expect(files.importOutcome).toEqual({
      imported: [entry('base.gguf', 'model')],
      refused: [
        { name: 'notes.txt', error: expect.objectContaining({ code: 'MODEL_NOT_GGUF' }) },
        { name: '说明书.gguf', error: notGguf },
      ],
    });
    expect(files.choosing).toBe(false);

    // Every file refused: no job, only the reasons.
    await files.importFiles([file('说明书.gguf')]);
    expect(count('models.import')).toBe(1);
    expect(files.importOutcome).toEqual({ imported: [], refused: [{ name: '说明书.gguf', error: notGguf }] });

    // The main process could not be asked: why, and nothing imported.
    const refusing = new ModelFilesState(api, dialogFiles(null, [], () => Promise.reject({ name: 'XinglinError', code: 'UNAUTHORIZED', message: '拒绝访问：请求不是来自杏林的主窗口。' })), new ModelsState(api));
    await refusing.importFiles([file('base.gguf')]);
    expect(refusing.importError).toEqual({ code: 'UNAUTHORIZED', message: '拒绝访问：请求不是来自杏林的主窗口。' });
    expect(refusing.importOutcome).toBeNull();
    expect(count('models.import')).toBe(1);
  });

  it('verifies every file as a job with its progress, lists each file’s state, and can be cancelled', async () => {
    let answer: (value: VerifyResult[]) => void = () => {};
    const { api, emit } = fake({ 'models.verify': () => new Promise((resolve) => (answer = resolve)), 'models.list': () => listing() });
    const files = new ModelFilesState(api, uploads().picker, new ModelsState(api));
    files.attach();
    const running = files.verify();
    expect(files.verifyProgress).toEqual({ file: null, overall: 0 });
    emit('job.progress', jobEvent({ id: 'v', kind: 'models.verify', subject: '全部模型文件', phase: 'hash', progress: 0.4, detail: 'tiny-llama.gguf' }));
    expect(files.verifyProgress).toEqual({ file: 'tiny-llama.gguf', overall: 0.4 });
    emit('job.progress', jobEvent({ id: 'v', kind: 'models.verify', subject: '全部模型文件', phase: 'hash', progress: 0.2, detail: 'tiny-lora.gguf' }));
    expect(files.verifyProgress!.overall).toBe(0.4);
    const results: VerifyResult[] = [
      { file: 'tiny-llama.gguf', kind: 'model', state: 'changed', expected: 'a'.repeat(64), actual: 'c'.repeat(64) },
      { file: 'tiny-lora.gguf', kind: 'adapter', state: 'ok', expected: 'b'.repeat(64), actual: 'b'.repeat(64) },
    ];
    answer(results);
    await running;
    expect(files.verifyResults).toEqual(results);
    expect(files.verifyProgress).toBeNull();

    let fail: (error: unknown) => void = () => {};
    const { api: api2, emit: emit2, calls } = fake({ 'models.verify': () => new Promise((_, reject) => (fail = reject)), 'models.list': () => listing(), 'jobs.cancel': () => ({ cancelled: true }) });
    const second = new ModelFilesState(api2, uploads().picker, new ModelsState(api2));
    second.attach();
    const cancelled = second.verify();
    emit2('job.progress', jobEvent({ id: 'v2', kind: 'models.verify', subject: '全部模型文件', phase: 'hash', progress: 0.1 }));
    await second.cancelVerify();
    expect(calls.filter(([name]) => name === 'jobs.cancel')).toEqual([['jobs.cancel', { id: 'v2' }]]);
    fail({ code: 'CANCELLED', message: '已取消：模型校验' });
    await cancelled;
    expect(second.verifyCancelled).toBe(true);
    expect(second.verifyError).toBeNull();
  });

  it('removes a file only once confirmed, and shows the host’s refusal of a file in use', async () => {
    const inUse = { code: 'MODEL_IN_USE', message: 'tiny-llama.gguf 正在使用中，请先卸载模型再删除' };
    let refuse = true;
    const { api, calls } = fake({
      'models.list': () => listing([entry('tiny-llama.gguf', 'model')], [entry('tiny-lora.gguf', 'adapter')]),
      'models.remove': () => (refuse ? Promise.reject(inUse) : { removed: true }),
    });
    const models = new ModelsState(api);
    await models.refreshFiles();
    const files = new ModelFilesState(api, uploads().picker, models);
    files.askRemove('tiny-llama.gguf', 'model');
    expect(files.removal?.file).toBe('tiny-llama.gguf');
    files.cancelRemove();
    expect(await files.confirmRemove()).toBe(false);
    expect(calls.filter(([name]) => name === 'models.remove')).toEqual([]);
    files.askRemove('tiny-llama.gguf', 'model');
    expect(await files.confirmRemove()).toBe(false);
    expect(files.removeError).toEqual(inUse);
    refuse = false;
    files.askRemove('tiny-lora.gguf', 'adapter');
    expect(files.removeError).toBeNull();
    expect(await files.confirmRemove()).toBe(true);
    expect(calls.filter(([name]) => name === 'models.remove')).toEqual([
      ['models.remove', { file: 'tiny-llama.gguf', kind: 'model' }],
      ['models.remove', { file: 'tiny-lora.gguf', kind: 'adapter' }],
    ]);
  });
});
