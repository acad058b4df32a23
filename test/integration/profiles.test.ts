// @vitest-environment node
/**
 * Profiles through a real core: kept in the models folder's manifest, checked against the registry
 * and the contract's ranges when saved, used (the base loaded once, adapter sets switched without
 * reloading it), and the last one loaded again at the next start unless turned off.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelStatus, ProfileInput, Reply } from '../../src-main/contract/index.js';
import type { Core } from '../../src-main/core/core.js';
import { fixtureModels, openTestCore, recordingRuntime, tempDir } from '../helpers/env.js';

const BASE = 'tiny-llama.gguf';
const LORA = 'tiny-lora.gguf';
const LORA_B = 'tiny-lora-b.gguf';

function profile(id: string, overrides: Partial<ProfileInput> = {}): ProfileInput {
  return {
    id,
    name: `配置 ${id}`,
    backend: { kind: 'local', model: BASE, adapters: [] },
    template: { kind: 'alpaca' },
    systemPrompt: '',
    sampling: { temperature: 0, topK: 40, topP: 0.9, seed: 42, maxTokens: 16 },
    contextSize: 1024,
    ...overrides,
  };
}

function refusal(reply: Reply): { code: string; message: string } {
  if (reply.ok) throw new Error(`expected a refusal, got ${JSON.stringify(reply.value).slice(0, 200)}`);
  return reply.error;
}

async function loadJobs(core: Core) {
  return (await core.api.jobs.list()).filter((job) => job.kind === 'models.load');
}

/** Polls `models.status` (the autoload runs in the background) until `done`, or gives up after `ms`. */
async function statusWhen(core: Core, done: (status: ModelStatus) => boolean, ms = 90_000): Promise<ModelStatus> {
  const until = Date.now() + ms;
  for (;;) {
    const status = await core.api.models.status();
    if (done(status) || Date.now() > until) return status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('profiles: saved in the manifest, checked, used', () => {
  let core: Core;
  let modelsDir: string;
  const runtime = recordingRuntime();

  beforeAll(async () => {
    modelsDir = fixtureModels().modelsDir;
    core = await openTestCore({ modelsDir, spawnRuntime: runtime.spawn });
    // The registry records what the folder holds when it lists it.
    await core.api.models.list();
  });
  afterAll(() => core?.close());

  it('starts with no profile, autoload on, and QiZhen’s presets with their demos’ sampling', async () => {
    const state = await core.api.profiles.list();
    expect(state).toMatchObject({ profiles: [], lastProfileId: null, autoLoad: true });
    const presets = Object.fromEntries(state.presets.map((p) => [p.id, p]));
    for (const id of ['qizhen-cama', 'qizhen-chinese-llama']) {
      expect(presets[id]).toMatchObject({ template: { kind: 'alpaca' }, sampling: { temperature: 0.4, topP: 0.75, repeatPenalty: 1.3, maxTokens: 512 } });
    }
    expect(presets['qizhen-chatglm']).toMatchObject({ template: { kind: 'chatglm' }, sampling: { temperature: 0.95, topP: 0.7, maxTokens: 512 } });
  });

  it('saves, replaces by id, lists, deletes; the manifest on disk holds them', async () => {
    const saved = await core.api.profiles.save({ profile: profile('keep', { name: '初稿' }) });
    expect(saved).toMatchObject({ id: 'keep', name: '初稿', preset: null, template: { kind: 'alpaca' } });
    await core.api.profiles.save({ profile: profile('keep', { name: '定稿' }) });
    await core.api.profiles.save({ profile: profile('other') });
    expect((await core.api.profiles.list()).profiles.map((p) => [p.id, p.name])).toEqual([['keep', '定稿'], ['other', '配置 other']]);
    const onDisk = JSON.parse(fs.readFileSync(path.join(modelsDir, 'manifest.json'), 'utf8')) as { profiles: Array<{ id: string; name: string }> };
    expect(onDisk.profiles.map((p) => p.name)).toEqual(['定稿', '配置 other']);

    expect(await core.api.profiles.delete({ id: 'keep' })).toEqual({ deleted: true });
    expect((await core.api.profiles.list()).profiles.map((p) => p.id)).toEqual(['other']);
    expect(refusal(await core.call('profiles.delete', { id: 'keep' }))).toEqual({ code: 'NOT_FOUND', message: '没有标识为 keep 的配置', details: { id: 'keep' } });
    expect(refusal(await core.call('profiles.use', { id: 'keep' })).code).toBe('NOT_FOUND');
    await core.api.profiles.delete({ id: 'other' });
  });

  it('refuses a model or adapter the registry does not hold, naming it', async () => {
    const noModel = refusal(await core.call('profiles.save', { profile: profile('x', { backend: { kind: 'local', model: 'missing.gguf', adapters: [] } }) }));
    expect(noModel).toMatchObject({ code: 'MODEL_NOT_FOUND', message: '配置“配置 x”使用的基础模型 missing.gguf 不在模型库中，请先导入该模型' });
    // In the folder, but not a model: listed apart as invalid, not usable by a profile.
    expect(refusal(await core.call('profiles.save', { profile: profile('x', { backend: { kind: 'local', model: 'not-a-model.gguf', adapters: [] } }) })).code).toBe('MODEL_NOT_FOUND');
    const noAdapter = refusal(await core.call('profiles.save', { profile: profile('x', { backend: { kind: 'local', model: BASE, adapters: [{ file: LORA, scale: 1 }, { file: 'nope.gguf', scale: 1 }] } }) }));
    expect(noAdapter).toMatchObject({ code: 'ADAPTER_NOT_FOUND', message: expect.stringContaining('适配器 nope.gguf 不在模型库') });
    // A base model is not an adapter.
    expect(refusal(await core.call('profiles.save', { profile: profile('x', { backend: { kind: 'local', model: BASE, adapters: [{ file: BASE, scale: 1 }] } }) })).code).toBe('ADAPTER_NOT_FOUND');
    expect((await core.api.profiles.list()).profiles).toEqual([]);
  });

  it('refuses out-of-range values naming the field and the allowed range, never clamping', async () => {
    const cases: Array<[Partial<ProfileInput>, string]> = [
      [{ backend: { kind: 'local', model: BASE, adapters: [{ file: LORA, scale: -5 }] } }, 'profile.backend.adapters.0.scale 小于下限 -4（允许范围 -4 到 4）'],
      [{ sampling: { temperature: 3, topK: 40, topP: 0.9, seed: 42, maxTokens: 16 } }, 'profile.sampling.temperature 超过上限 2（允许范围 0 到 2）'],
      [{ sampling: { temperature: 0.4, topK: 40, topP: 1.5, seed: 42, maxTokens: 16 } }, 'profile.sampling.topP 超过上限 1（允许范围 0 到 1）'],
      [{ sampling: { temperature: 0.4, topK: 40, topP: 0.75, seed: 42, maxTokens: 16, repeatPenalty: 0.5 } }, 'profile.sampling.repeatPenalty 小于下限 1（允许范围 1 到 2）'],
      [{ contextSize: 100 }, 'profile.contextSize 小于下限 256（允许范围 256 到 131072）'],
    ];
    for (const [overrides, reason] of cases) {
      const error = refusal(await core.call('profiles.save', { profile: profile('range', overrides) }));
      expect(error).toMatchObject({ code: 'INVALID_INPUT', message: `请求参数无效（profiles.save）：${reason}` });
    }
    // The contract's own sentence for a bad id, not zod's English.
    const badId = refusal(await core.call('profiles.save', { profile: profile('Bad Id') }));
    expect(badId.message).toBe('请求参数无效（profiles.save）：profile.id：配置标识只能用小写字母、数字和 . _ -，以字母或数字开头，最多 64 个字符');
    expect((await core.api.profiles.list()).profiles).toEqual([]);
  });

  it('refuses a custom Jinja template that does not render, naming the Jinja error', async () => {
    const broken = refusal(await core.call('profiles.save', { profile: profile('jinja', { template: { kind: 'jinja', source: '{% for m in messages %}{{ m.content }' } }) }));
    expect(broken.code).toBe('INVALID_INPUT');
    expect(broken.message).toMatch(/^自定义 Jinja 模板无法使用（Jinja 报错：Parser Error: /);
    const empty = refusal(await core.call('profiles.save', { profile: profile('jinja', { template: { kind: 'jinja', source: '  ' } }) }));
    expect(empty.message).toContain('自定义 Jinja 模板不能为空');
    const good = "{% for m in messages %}<{{ m.role }}>{{ m.content }}\n{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}";
    expect(await core.api.profiles.save({ profile: profile('jinja', { template: { kind: 'jinja', source: good } }) })).toMatchObject({ template: { kind: 'jinja', source: good } });
    await core.api.profiles.delete({ id: 'jinja' });
  });

  it('uses a profile: its base loads (one models.load job) with its adapters, and it becomes the last one', async () => {
    await core.api.profiles.save({ profile: profile('one', { backend: { kind: 'local', model: BASE, adapters: [{ file: LORA, scale: 1 }] } }) });
    const status = await core.api.profiles.use({ id: 'one' });
    expect(status).toMatchObject({ state: 'ready', model: { file: BASE }, adapters: [{ file: LORA, scale: 1 }], profile: { id: 'one', name: '配置 one' } });
    expect(await loadJobs(core)).toEqual([expect.objectContaining({ state: 'done', subject: BASE })]);
    expect((await core.api.profiles.list()).lastProfileId).toBe('one');
  });

  it('switches to another adapter set on the same base without reloading it', async () => {
    const before = await core.api.models.status();
    const processes = runtime.spawned.length;
    await core.api.profiles.save({ profile: profile('two', { backend: { kind: 'local', model: BASE, adapters: [{ file: LORA_B, scale: 0.5 }] } }) });
    const status = await core.api.profiles.use({ id: 'two' });
    expect(status).toMatchObject({ state: 'ready', adapters: [{ file: LORA_B, scale: 0.5 }], profile: { id: 'two' } });
    // The same base in the same model process, and no second load.
    expect(status.model).toEqual(before.model);
    expect(runtime.spawned.length).toBe(processes);
    expect(await loadJobs(core)).toHaveLength(1);
    expect((await core.api.profiles.list()).lastProfileId).toBe('two');
  });

  it('keeps a file a profile names from being removed, naming the profile', async () => {
    const error = refusal(await core.call('models.remove', { file: LORA, kind: 'adapter' }));
    expect(error).toMatchObject({ code: 'MODEL_IN_USE', message: `配置“配置 one”使用了 ${LORA}，请先修改或删除这些配置` });
  });

  it('forgets the last profile when it is deleted', async () => {
    await core.api.profiles.delete({ id: 'two' });
    expect(await core.api.profiles.list()).toMatchObject({ lastProfileId: null, profiles: [{ id: 'one' }] });
  });
});

describe('profiles: the last one loads at start', () => {
  let modelsDir: string;
  let dataDir: string;

  beforeAll(async () => {
    modelsDir = fixtureModels().modelsDir;
    dataDir = tempDir('xinglin-data-');
    const core = await openTestCore({ modelsDir, dataDir });
    try {
      await core.api.models.list();
      await core.api.profiles.save({ profile: profile('daily', { backend: { kind: 'local', model: BASE, adapters: [{ file: LORA, scale: 0.75 }] } }) });
      await core.api.profiles.use({ id: 'daily' });
    } finally {
      await core.close();
    }
  });

  it('loads the last profile in the background when the host asks for it', async () => {
    const core = await openTestCore({ modelsDir, dataDir, autoLoadProfile: true });
    try {
      const status = await statusWhen(core, (s) => s.state === 'ready' || s.state === 'error');
      expect(status).toMatchObject({ state: 'ready', model: { file: BASE }, adapters: [{ file: LORA, scale: 0.75 }], profile: { id: 'daily' } });
    } finally {
      await core.close();
    }
  });

  it('loads nothing when the host does not ask, or when the administrator turned it off', async () => {
    const noLoadFor = async (core: Core) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await loadJobs(core)).toEqual([]);
      expect((await core.api.models.status()).state).toBe('none');
      expect((await core.api.profiles.list()).lastProfileId).toBe('daily');
    };
    const notAsked = await openTestCore({ modelsDir, dataDir, autoLoadProfile: false });
    try {
      await noLoadFor(notAsked);
      expect((await notAsked.api.profiles.setAutoLoad({ autoLoad: false })).autoLoad).toBe(false);
    } finally {
      await notAsked.close();
    }
    // The switch is in the manifest: the next start reads it, whatever the host asks.
    const off = await openTestCore({ modelsDir, dataDir, autoLoadProfile: true });
    try {
      await noLoadFor(off);
      expect((await off.api.profiles.list()).autoLoad).toBe(false);
    } finally {
      await off.close();
    }
  });
});

describe('profiles: a damaged manifest', () => {
  it('is set aside, kept, and the app opens with none', async () => {
    const { modelsDir } = fixtureModels();
    const damaged = '{"version": 1, "profiles": [ 这不是 JSON';
    fs.writeFileSync(path.join(modelsDir, 'manifest.json'), damaged);
    const core = await openTestCore({ modelsDir, autoLoadProfile: true });
    try {
      expect(await core.api.profiles.list()).toMatchObject({ profiles: [], lastProfileId: null, autoLoad: true });
      const copies = fs.readdirSync(modelsDir).filter((name) => name.startsWith('manifest.json.damaged-'));
      expect(copies).toHaveLength(1);
      expect(fs.readFileSync(path.join(modelsDir, copies[0] ?? ''), 'utf8')).toBe(damaged);
      // And the registry and profiles work on the fresh manifest.
      expect((await core.api.models.list()).models.map((m) => m.file)).toEqual([BASE]);
      expect(await core.api.profiles.save({ profile: profile('fresh') })).toMatchObject({ id: 'fresh' });
    } finally {
      await core.close();
    }
  });
});
