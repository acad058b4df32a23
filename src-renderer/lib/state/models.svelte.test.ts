import { describe, expect, it } from 'vitest';
import type { Job, ModelStatus } from '$contract';
import { ModelsState, overallProgress } from './models.svelte.js';
import { fake, jobEvent, tick } from './test-api.js';

const job = (extra: Partial<Job> = {}): Job => jobEvent({ id: 'load1', kind: 'models.load', subject: 'm.gguf', phase: 'start', ...extra });

describe('ModelsState', () => {
  const status = (state: ModelStatus['state']): ModelStatus => ({ state, model: null, adapters: [], profile: null, gpu: 'cpu', gpuLayers: 0, threads: 4, lastTokensPerSecond: null, memory: null, error: null, reloadable: null });
  const info = () => ({ name: 'xinglin', version: '0', host: 'web', dataDir: '/d', modelsDir: '/m', platform: 'linux' });

  it('reports a monotone overall progress from its job while loading and clears it after', async () => {
    let finish: (value: ModelStatus) => void = () => {};
    const { api, emit } = fake({
      'models.load': () => new Promise<ModelStatus>((resolve) => (finish = resolve)),
      'models.status': () => status('none'),
      'models.list': () => ({ modelsDir: '/m', models: [], adapters: [], invalid: [] }),
      'app.info': info,
    });
    const models = new ModelsState(api);
    models.attach();
    await models.init();
    expect(models.noModelInstalled).toBe(true);
    emit('job.progress', job({ phase: 'model', progress: 0.5 })); // before any load: ignored
    expect(models.progress).toBeNull();
    const loading = models.load('m.gguf', [{ file: 'a.gguf', scale: 0.5 }]);
    expect(models.loading).toBe(true);
    expect(models.progress).toMatchObject({ phase: 'start', overall: 0 });
    emit('job.progress', job({ phase: 'hash', progress: 1, detail: 'm.gguf' }));
    const afterHash = models.progress!.overall;
    expect(afterHash).toBeGreaterThan(0);
    emit('job.progress', job({ phase: 'hash', progress: 0, detail: 'a.gguf' })); // the adapter's hash: never backwards
    expect(models.progress).toMatchObject({ phase: 'hash', file: 'a.gguf', overall: afterHash });
    emit('job.progress', job({ phase: 'model', progress: 0.5, detail: 'm.gguf' }));
    expect(models.progress!.overall).toBeGreaterThan(afterHash);
    const mid = models.progress!.overall;
    emit('job.progress', job({ id: 'import', kind: 'kb.import', subject: 'm.gguf', phase: 'index', progress: 1 })); // not a load
    emit('job.progress', job({ id: 'elsewhere', subject: 'other.gguf', phase: 'context', progress: 1 })); // another window's load
    expect(models.progress!.overall).toBe(mid);
    emit('job.progress', job({ state: 'done', phase: 'context', progress: 1 }));
    finish({ ...status('ready'), model: { file: 'm.gguf', sha256: 'x', sizeBytes: 1, architecture: 'llama', contextSize: 4096, template: 'chatml' } });
    expect(await loading).toBe(true);
    expect(models.progress).toBeNull();
    expect(models.ready).toBe(true);
    expect(models.cancelled).toBe(false);
    expect(models.noModelInstalled).toBe(false);
    emit('job.progress', job({ phase: 'context', progress: 0.5 })); // stray
    expect(models.progress).toBeNull();
    expect(overallProgress('context', 1)).toBeCloseTo(1);
    expect(overallProgress('start', 0.7)).toBe(0);
  });

  it('cancels a load through its job: a calm note, not an error, and no model', async () => {
    let reject: (error: unknown) => void = () => {};
    const { api, emit, calls } = fake({
      'models.load': () => new Promise<ModelStatus>((_, fail) => (reject = fail)),
      'models.status': () => status('none'),
      'jobs.cancel': () => ({ cancelled: true }),
    });
    const models = new ModelsState(api);
    models.attach();
    const loading = models.load('sub/m.gguf', []);
    await models.cancelLoad(); // before the job is known: sent once it is
    expect(models.cancelling).toBe(true);
    expect(calls.filter(([name]) => name === 'jobs.cancel')).toEqual([]);
    emit('job.progress', job({ phase: 'hash', progress: 0.2 }));
    await Promise.resolve();
    expect(calls.filter(([name]) => name === 'jobs.cancel')).toEqual([['jobs.cancel', { id: 'load1' }]]);
    await models.cancelLoad(); // once is enough
    expect(calls.filter(([name]) => name === 'jobs.cancel')).toHaveLength(1);
    reject({ code: 'CANCELLED', message: '已取消：m.gguf' });
    expect(await loading).toBe(false);
    expect(models.cancelled).toBe(true);
    expect(models.error).toBeNull();
    expect(models.cancelling).toBe(false);
    expect(models.working).toBe(false);
    expect(models.status?.state).toBe('none');
  });

  it('offers the model a crashed process ran for reloading, and reloads it as a load job', async () => {
    const crashError = { code: 'RUNTIME_CRASHED', message: '模型进程意外退出：被系统强制结束（SIGKILL）。应用仍在运行；请重新加载模型。' } as const;
    const reloadable = { model: 'sub/m.gguf', adapters: [{ file: 'lora/a.gguf', scale: 0.5 }] };
    const crashed: ModelStatus = { ...status('error'), error: crashError, reloadable };
    const ready: ModelStatus = { ...status('ready'), model: { file: 'sub/m.gguf', sha256: 'x', sizeBytes: 1, architecture: 'llama', contextSize: 4096, template: 'chatml' } };
    let current = status('ready');
    const { api, emit, calls } = fake({ 'models.status': () => current, 'models.load': () => (current = ready) });
    const models = new ModelsState(api);
    models.attach();
    await models.refreshStatus();
    expect(models.crash).toBeNull();
    expect(await models.reload()).toBe(false); // nothing crashed: nothing to reload
    // The process dies under an answer: the answer's chat.error brings the new status.
    current = crashed;
    emit('chat.error', { sessionId: 's1', messageId: 'a1', error: crashError });
    await tick();
    expect(models.crash).toEqual({ error: crashError, reloadable });
    expect(models.ready).toBe(false);
    expect(models.loading).toBe(false);
    expect(calls.filter(([name]) => name === 'models.load')).toEqual([]); // never reloaded by itself
    expect(await models.reload()).toBe(true);
    expect(calls.filter(([name]) => name === 'models.load')).toEqual([['models.load', reloadable]]);
    expect(models.crash).toBeNull();
    expect(models.ready).toBe(true);
  });

  it('shows a crash while loading as the status’s crash, not as a second error', async () => {
    const crashError = { code: 'RUNTIME_CRASHED', message: '模型进程意外退出：llama.cpp 中止' };
    const { api } = fake({
      'models.load': () => Promise.reject(crashError),
      'models.status': () => ({ ...status('error'), error: crashError, reloadable: { model: 'm.gguf', adapters: [] } }),
    });
    const models = new ModelsState(api);
    expect(await models.load('m.gguf', [])).toBe(false);
    expect(models.error).toBeNull();
    expect(models.crash).toEqual({ error: crashError, reloadable: { model: 'm.gguf', adapters: [] } });
  });

  it('follows the host’s models.status events (memory, speed, the profile in use)', async () => {
    const { api, emit } = fake({ 'models.status': () => status('none') });
    const models = new ModelsState(api);
    const detach = models.attach();
    await models.refreshStatus();
    const ready: ModelStatus = { ...status('ready'), profile: { id: 'qizhen', name: '启真' }, lastTokensPerSecond: 12.5 };
    emit('models.status', ready);
    expect(models.status).toEqual(ready);
    detach();
    emit('models.status', status('none'));
    expect(models.status).toEqual(ready);
  });

  it('runs a call that loads nothing (a remote profile) without a progress bar, and keeps its failure', async () => {
    const { api } = fake({ 'models.status': () => status('none') });
    const models = new ModelsState(api);
    let seen: unknown = 'unset';
    expect(await models.runLoad(null, async () => ((seen = models.progress), status('none')))).toBe(true);
    expect(seen).toBeNull();
    expect(models.working).toBe(false);
    expect(await models.runLoad(null, () => Promise.reject({ code: 'REMOTE_UNAVAILABLE', message: '无法连接远程模型服务器 http://10.0.0.5:8000/v1' }))).toBe(false);
    expect(models.error).toMatchObject({ code: 'REMOTE_UNAVAILABLE' });
  });

  it('keeps a real failure as an error', async () => {
    const { api } = fake({
      'models.load': () => Promise.reject({ code: 'MODEL_LOAD_FAILED', message: '无法载入' }),
      'models.status': () => status('error'),
    });
    const models = new ModelsState(api);
    expect(await models.load('m.gguf', [])).toBe(false);
    expect(models.error).toMatchObject({ code: 'MODEL_LOAD_FAILED' });
    expect(models.cancelled).toBe(false);
  });
});
