import { describe, expect, it } from 'vitest';
import type { ModelStatus } from '$contract';
import { ModelsState, overallProgress } from './models.svelte.js';
import { fake } from './test-api.js';

describe('ModelsState', () => {
  const status = (state: ModelStatus['state']): ModelStatus => ({ state, model: null, adapters: [], gpu: 'cpu', threads: 4, lastTokensPerSecond: null, error: null });

  it('reports a monotone overall progress while loading and clears it after', async () => {
    let finish: (value: ModelStatus) => void = () => {};
    const { api, emit } = fake({
      'models.load': () => new Promise<ModelStatus>((resolve) => (finish = resolve)),
      'models.status': () => status('none'),
      'models.list': () => ({ modelsDir: '/m', models: [], adapters: [] }),
      'app.info': () => ({ name: 'xinglin', version: '0', host: 'web', dataDir: '/d', modelsDir: '/m', platform: 'linux' }),
    });
    const models = new ModelsState(api);
    models.attach();
    await models.init();
    expect(models.noModelInstalled).toBe(true);
    const loading = models.load('m.gguf', [{ file: 'a.gguf', scale: 0.5 }]);
    expect(models.loading).toBe(true);
    emit('models.progress', { phase: 'hash', file: 'm.gguf', progress: 1 });
    const afterHash = models.progress!.overall;
    emit('models.progress', { phase: 'model', file: 'm.gguf', progress: 0.5 });
    expect(models.progress!.overall).toBeGreaterThan(afterHash);
    emit('models.progress', { phase: 'hash', file: 'a.gguf', progress: 0 });
    expect(models.progress!.overall).toBeGreaterThan(afterHash);
    finish({ ...status('ready'), model: { file: 'm.gguf', sha256: 'x', sizeBytes: 1, architecture: 'llama', contextSize: 4096, template: 'chatml' } });
    expect(await loading).toBe(true);
    expect(models.progress).toBeNull();
    expect(models.ready).toBe(true);
    expect(models.noModelInstalled).toBe(false);
    expect(overallProgress('context', 1)).toBeCloseTo(1);
  });
});
