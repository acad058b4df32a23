import { describe, expect, it } from 'vitest';
import type { MethodOutput, ModelEntry, ModelStatus, Profile, ProfilePreset, ProfilesState as ProfilesSnapshot } from '$contract';
import { DEFAULT_SAMPLING } from '$contract';
import { ModelsState } from './models.svelte.js';
import { freeId, ProfilesState } from './profiles.svelte.js';
import { fake, jobEvent } from './test-api.js';

const metadata = (architecture = 'llama'): ModelEntry['metadata'] => ({
  architecture,
  name: null,
  sizeLabel: null,
  parameterCount: 170_000_000,
  quantization: 'F32',
  contextLength: 2048,
  embeddingLength: 256,
  blockCount: 4,
  chatTemplate: null,
  loraAlpha: null,
  baseModel: null,
});
const entry = (file: string, kind: ModelEntry['kind']): ModelEntry => ({ file, kind, sizeBytes: 1000, sha256: 'a'.repeat(64), importedAt: 1, verifiedAt: 1, metadata: metadata() });
const listing: MethodOutput<'models.list'> = { modelsDir: '/m', models: [entry('tiny-llama.gguf', 'model')], adapters: [entry('tiny-lora.gguf', 'adapter'), entry('tiny-lora-b.gguf', 'adapter')], invalid: [] };
const cama: ProfilePreset = {
  id: 'qizhen-cama',
  name: '启真 CaMA',
  description: 'QiZhen CaMA-13B',
  template: { kind: 'alpaca' },
  sampling: { temperature: 0.4, topK: 40, topP: 0.75, seed: 42, maxTokens: 512, minP: 0, repeatPenalty: 1.3, presencePenalty: 0, frequencyPenalty: 0 },
  contextSize: 2048,
};
const status = (extra: Partial<ModelStatus> = {}): ModelStatus => ({ state: 'none', model: null, adapters: [], profile: null, gpu: 'cpu', gpuLayers: 0, threads: 1, lastTokensPerSecond: null, memory: null, error: null, reloadable: null, ...extra });

/** A host keeping profiles as the core does: save creates or replaces, delete removes. */
function host(handlers: Record<string, (input: any) => unknown> = {}) {
  const state: ProfilesSnapshot = { profiles: [], lastProfileId: null, autoLoad: true, presets: [cama] };
  const fakeApi = fake({
    'models.list': () => listing,
    'models.status': () => status(),
    'profiles.list': () => structuredClone(state),
    'profiles.save': ({ profile }: { profile: Profile }) => {
      state.profiles = [...state.profiles.filter((p) => p.id !== profile.id), profile];
      return profile;
    },
    'profiles.delete': ({ id }: { id: string }) => {
      state.profiles = state.profiles.filter((p) => p.id !== id);
      return { deleted: true };
    },
    'profiles.setAutoLoad': ({ autoLoad }: { autoLoad: boolean }) => {
      state.autoLoad = autoLoad;
      return structuredClone(state);
    },
    ...handlers,
  });
  return { ...fakeApi, state };
}

async function setUp(handlers: Record<string, (input: any) => unknown> = {}) {
  const h = host(handlers);
  const models = new ModelsState(h.api);
  models.attach();
  await models.refreshFiles();
  const profiles = new ProfilesState(h.api, models);
  await profiles.refresh();
  return { ...h, models, profiles };
}

describe('ProfilesState', () => {
  it('makes a profile from a preset with an adapter: a scale of −5 is refused with the range, kept as typed, and nothing is saved until it is fixed', async () => {
    const { profiles, calls, state } = await setUp();
    expect(profiles.presets).toEqual([cama]);
    profiles.create('qizhen-cama');
    const draft = profiles.draft!;
    expect(draft).toMatchObject({ isNew: true, id: 'qizhen-cama', name: '启真 CaMA', model: 'tiny-llama.gguf', template: 'alpaca', contextSize: '2048', preset: 'qizhen-cama' });
    expect(draft.sampling).toMatchObject({ temperature: '0.4', topP: '0.75', repeatPenalty: '1.3', maxTokens: '512' });
    expect(draft.adapters.map((a) => a.file)).toEqual(['tiny-lora.gguf', 'tiny-lora-b.gguf']);
    expect(draft.valid).toBe(true);

    const lora = draft.adapters[0]!;
    lora.on = true;
    lora.scale = '-5';
    expect(draft.problems['adapter.tiny-lora.gguf']).toEqual({ kind: 'range', min: -4, max: 4 });
    expect(lora.scale).toBe('-5'); // never clamped to −4
    expect(draft.valid).toBe(false);
    expect(draft.toProfile()).toBeNull();
    expect(await profiles.save()).toBe(false);
    expect(calls.filter(([name]) => name === 'profiles.save')).toEqual([]);

    // An adapter turned off is not checked (its scale is not used).
    lora.on = false;
    expect(draft.valid).toBe(true);
    lora.on = true;
    lora.scale = '0.8';
    expect(await profiles.save()).toBe(true);
    expect(profiles.draft).toBeNull();
    expect(state.profiles).toEqual([
      expect.objectContaining({ id: 'qizhen-cama', preset: 'qizhen-cama', backend: { kind: 'local', model: 'tiny-llama.gguf', adapters: [{ file: 'tiny-lora.gguf', scale: 0.8 }] }, template: { kind: 'alpaca' }, sampling: cama.sampling, contextSize: 2048 }),
    ]);
    expect(profiles.profiles.map((p) => p.id)).toEqual(['qizhen-cama']);
  });

  it('checks every sampling field against the contract’s range, integers included, and resets to the preset’s values or the app’s', async () => {
    const { profiles } = await setUp();
    profiles.create('qizhen-cama');
    const draft = profiles.draft!;
    draft.sampling.temperature = '2.5';
    draft.sampling.topK = '1.5';
    draft.sampling.maxTokens = '0';
    draft.sampling.repeatPenalty = 'abc';
    draft.sampling.seed = '';
    draft.contextSize = '100';
    expect(draft.problems).toEqual({
      'sampling.temperature': { kind: 'range', min: 0, max: 2 },
      'sampling.topK': { kind: 'integer' },
      'sampling.maxTokens': { kind: 'range', min: 1, max: 8192 },
      'sampling.repeatPenalty': { kind: 'number' },
      'sampling.seed': { kind: 'required' },
      contextSize: { kind: 'range', min: 256, max: 131072 },
    });
    draft.resetSampling();
    expect(draft.valid).toBe(true);
    expect(draft.sampling).toMatchObject({ temperature: '0.4', repeatPenalty: '1.3', maxTokens: '512' });
    expect(draft.contextSize).toBe('2048');

    profiles.closeEditor();
    profiles.create(null);
    const blank = profiles.draft!;
    expect(blank.preset).toBeNull();
    blank.sampling.temperature = '1.9';
    blank.resetSampling();
    expect(blank.sampling.temperature).toBe(String(DEFAULT_SAMPLING.temperature));
    expect(blank.name).toBe('tiny-llama');
  });

  it('refuses a new profile with an id taken (saving would replace that one), and an edit keeps its own id', async () => {
    const { profiles } = await setUp();
    profiles.create('qizhen-cama');
    await profiles.save();
    profiles.create('qizhen-cama');
    expect(profiles.draft!.id).toBe('qizhen-cama-2');
    profiles.draft!.id = 'qizhen-cama';
    expect(profiles.draft!.problems.id).toEqual({ kind: 'idTaken' });
    profiles.draft!.id = 'Bad Id';
    expect(profiles.draft!.problems.id).toEqual({ kind: 'idFormat' });
    profiles.edit('qizhen-cama');
    expect(profiles.draft).toMatchObject({ isNew: false, id: 'qizhen-cama' });
    expect(profiles.draft!.valid).toBe(true);
  });

  it('checks a remote server’s address, model and timeout', async () => {
    const { profiles } = await setUp();
    profiles.create(null);
    const draft = profiles.draft!;
    draft.backend = 'remote';
    expect(draft.problems).toMatchObject({ baseUrl: { kind: 'required' }, remoteModel: { kind: 'required' } });
    draft.baseUrl = 'ftp://10.0.0.5/v1';
    draft.remoteModel = 'qizhen-lora';
    draft.timeout = '0';
    expect(draft.problems).toEqual({ baseUrl: { kind: 'url' }, timeout: { kind: 'range', min: 1, max: 600 } });
    draft.baseUrl = 'http://10.0.0.5:8000/v1';
    draft.timeout = '30';
    draft.apiKey = 'sk-test';
    expect(draft.toProfile()?.backend).toEqual({ kind: 'remote', baseUrl: 'http://10.0.0.5:8000/v1', model: 'qizhen-lora', apiKey: 'sk-test', timeoutMs: 30_000 });
  });

  it('keeps the form open with the host’s reason when the host refuses the save', async () => {
    const refusal = { code: 'INVALID_INPUT', message: '适配器 tiny-lora.gguf 与基础模型 tiny-llama.gguf 不匹配' };
    const { profiles } = await setUp({ 'profiles.save': () => Promise.reject(refusal) });
    profiles.create(null);
    expect(await profiles.save()).toBe(false);
    expect(profiles.draft).not.toBeNull();
    expect(profiles.saveError).toEqual(refusal);
    expect(profiles.saving).toBe(false);
  });

  it('puts a local profile to use as a load job with its progress, and knows it is current from the status', async () => {
    let finish: (value: ModelStatus) => void = () => {};
    const { profiles, models, emit } = await setUp({ 'profiles.use': () => new Promise<ModelStatus>((resolve) => (finish = resolve)) });
    profiles.create('qizhen-cama');
    await profiles.save();
    const using = profiles.use('qizhen-cama');
    expect(profiles.using).toBe('qizhen-cama');
    expect(models.progress).toMatchObject({ file: 'tiny-llama.gguf', overall: 0 });
    emit('job.progress', jobEvent({ id: 'load', kind: 'models.load', subject: 'tiny-llama.gguf', phase: 'model', progress: 0.5 }));
    expect(models.progress!.overall).toBeGreaterThan(0);
    expect(await profiles.use('qizhen-cama')).toBe(false); // one at a time
    finish(status({ state: 'ready', model: { file: 'tiny-llama.gguf', sha256: 'a', sizeBytes: 1, architecture: 'llama', contextSize: 2048, template: 'alpaca' }, profile: { id: 'qizhen-cama', name: '启真 CaMA' } }));
    expect(await using).toBe(true);
    expect(profiles.using).toBeNull();
    expect(profiles.lastProfileId).toBe('qizhen-cama');
    expect(profiles.current).toBe('qizhen-cama');
    expect(models.progress).toBeNull();
  });

  it('puts a remote profile to use without a load, and counts it current as the last one used', async () => {
    const { profiles, models } = await setUp({ 'profiles.use': () => status() });
    profiles.create(null);
    const draft = profiles.draft!;
    draft.id = 'clinic';
    draft.backend = 'remote';
    draft.baseUrl = 'http://10.0.0.5:8000/v1';
    draft.remoteModel = 'qizhen';
    await profiles.save();
    expect(profiles.current).toBeNull();
    expect(await profiles.use('clinic')).toBe(true);
    expect(models.progress).toBeNull();
    expect(profiles.current).toBe('clinic');
  });

  it('deletes only after the confirmation, and turns the start-up load off and on', async () => {
    const { profiles, calls } = await setUp({ 'profiles.setAutoLoad': ({ autoLoad }: { autoLoad: boolean }) => (autoLoad ? { profiles: [], presets: [cama], lastProfileId: null, autoLoad } : Promise.reject({ code: 'FOLDER_UNUSABLE', message: '模型文件夹只读' })) });
    profiles.create(null);
    await profiles.save();
    profiles.askDelete('tiny-llama');
    expect(profiles.deleting?.id).toBe('tiny-llama');
    profiles.cancelDelete();
    expect(calls.filter(([name]) => name === 'profiles.delete')).toEqual([]);
    profiles.askDelete('tiny-llama');
    expect(await profiles.confirmDelete()).toBe(true);
    expect(profiles.profiles).toEqual([]);

    expect(profiles.autoLoad).toBe(true);
    await profiles.setAutoLoad(false);
    expect(profiles.autoLoad).toBe(true); // refused: the switch shows what the host keeps
    expect(profiles.error).toMatchObject({ code: 'FOLDER_UNUSABLE' });
    await profiles.setAutoLoad(true);
    expect(calls.filter(([name]) => name === 'profiles.setAutoLoad')).toEqual([['profiles.setAutoLoad', { autoLoad: false }], ['profiles.setAutoLoad', { autoLoad: true }]]);
  });
});

describe('freeId', () => {
  it('makes a profile id from a file or preset name that no other profile has', () => {
    expect(freeId('Tiny-Llama.Q4_0.gguf', new Set())).toBe('tiny-llama.q4_0');
    expect(freeId('启真 CaMA', new Set())).toBe('cama');
    expect(freeId('启真', new Set())).toBe('profile');
    expect(freeId('qizhen', new Set(['qizhen', 'qizhen-2']))).toBe('qizhen-3');
  });
});
