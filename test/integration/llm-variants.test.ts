// @vitest-environment node
/**
 * One base model, many variants: adapter sets, scales, templates and context sizes chosen per
 * request or made the default, without reloading the base; contexts kept within a memory budget;
 * a follow-up question reading only what changed; a model too large refused before the loaded one
 * is touched; the local provider of a profile. Real model process, real node-llama-cpp, the
 * generated fixture model and adapters, one thread.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelStatus, Profile, Sampling } from '../../src-main/contract/index.js';
import { defaultSampling, type CoreConfig } from '../../src-main/core/config.js';
import { planLoad, RuntimeClient, type AdapterChoice, type GenerateRequest, type LoadPlan } from '../../src-main/core/llm/index.js';
import { LocalProvider, planVariant } from '../../src-main/core/llm/providers/local.js';
import type { RuntimeVariant } from '../../src-main/core/llm/runtime/variant.js';
import { silentLog } from '../../src-main/core/log.js';
import type { FixturePaths } from '../fixtures/gguf/tiny-llama.js';
import { fixtureModels, spawnTestRuntime, tempDir } from '../helpers/env.js';
import { failure } from '../helpers/errors.js';

const greedy: Sampling = { temperature: 0, topK: 40, topP: 0.9, seed: 42, maxTokens: 16 };
const question = '患者头痛三天，伴发热，应该怎么处理？';
const signal = new AbortController().signal;

let modelsDir: string;
let paths: FixturePaths;
let host: RuntimeClient;
const statuses: ModelStatus[] = [];
/** The base model's greedy answer to `question`. */
let baseAnswer: string;

const plan = (adapters: AdapterChoice[] = []): Promise<LoadPlan> => planLoad(paths.model, adapters, { signal });

/** A variant as the app process makes one: its adapters inspected, checked and hashed. */
async function variant(adapters: AdapterChoice[], extra: Partial<Omit<RuntimeVariant, 'adapters'>> = {}): Promise<RuntimeVariant> {
  return { adapters: (await plan(adapters)).adapters, template: { kind: 'auto' }, contextSize: 2048, ...extra };
}

function ask(client: RuntimeClient, overrides: Partial<GenerateRequest> = {}) {
  return client.generate({ history: [], prompt: question, sampling: greedy, ...overrides });
}

function client(options: { memoryLimitBytes?: number } = {}): RuntimeClient {
  return new RuntimeClient({ spawn: spawnTestRuntime(), log: silentLog, gpu: false, threads: 1, ...options });
}

beforeAll(async () => {
  ({ modelsDir, paths } = fixtureModels());
  host = new RuntimeClient({ spawn: spawnTestRuntime(), log: silentLog, gpu: false, threads: 1, onStatus: (status) => statuses.push(status) });
  await host.load(await plan());
  baseAnswer = (await ask(host)).text;
});

afterAll(async () => {
  await host?.close();
  fs.rmSync(modelsDir, { recursive: true, force: true });
});

describe('variants on one loaded base', () => {
  it('reports memory, GPU layers and the profile, and tells every status change', async () => {
    const status = host.status();
    expect(status).toMatchObject({ state: 'ready', gpu: 'cpu', gpuLayers: 0, profile: null, model: { file: 'tiny-llama.gguf', contextSize: 2048 } });
    const memory = status.memory!;
    expect(memory.weightsRamBytes).toBeGreaterThan(0);
    // The weights as llama.cpp allocated them: about the file's size (the fixture is F32).
    expect(memory.weightsRamBytes).toBeLessThanOrEqual(fs.statSync(paths.model).size * 1.15);
    expect(memory.weightsVramBytes).toBe(0);
    expect(memory).toMatchObject({ contexts: 1, vramTotalBytes: null, vramFreeBytes: null });
    expect(memory.contextBytes).toBeGreaterThan(0);
    expect(memory.processRssBytes).toBeGreaterThan(memory.weightsRamBytes);
    expect(memory.ramTotalBytes).toBeGreaterThan(memory.ramFreeBytes);
    // onStatus saw the load begin and end, and the answer's speed.
    expect(statuses.map((s) => s.state)).toEqual(expect.arrayContaining(['loading', 'ready']));
    expect(statuses.at(-1)?.lastTokensPerSecond).toBeGreaterThan(0);
  });

  it('answers with another adapter set per request without reloading the base: scale 0 for every adapter is the base, exactly', async () => {
    const pid = host.processId;
    const withA = await ask(host, { variant: await variant([{ path: paths.lora, scale: 1 }]) });
    expect(withA.text).not.toBe(baseAnswer);
    const zero = await ask(host, { variant: await variant([{ path: paths.lora, scale: 0 }, { path: paths.loraB, scale: 0 }]) });
    expect(zero.text).toBe(baseAnswer);
    const half = await ask(host, { variant: await variant([{ path: paths.lora, scale: 0.5 }]) });
    expect(half.text).not.toBe(withA.text);
    // Unchanged default, same process, the base still loaded once; the variants' contexts beside it.
    expect((await ask(host)).text).toBe(baseAnswer);
    expect(host.processId).toBe(pid);
    expect(host.status()).toMatchObject({ state: 'ready', adapters: [] });
    expect(host.status().memory?.contexts).toBeGreaterThan(1);

    // The same answer as loading the base with that adapter.
    await host.load(await plan([{ path: paths.lora, scale: 1 }]));
    expect((await ask(host)).text).toBe(withA.text);
    await host.load(await plan());
  });

  it('makes a variant the default without reloading (status and provenance show it), with its template', async () => {
    const pid = host.processId;
    const chosen = await variant([{ path: paths.lora, scale: 1 }]);
    const viaRequest = (await ask(host, { variant: chosen })).text;
    const seen = statuses.length;
    const status = await host.useVariant(chosen, { id: 'qizhen-cama', name: '启真 CaMA' });
    expect(status).toMatchObject({ state: 'ready', profile: { id: 'qizhen-cama', name: '启真 CaMA' }, adapters: [{ file: 'tiny-lora.gguf', scale: 1, sha256: chosen.adapters[0]?.sha256 }] });
    expect(statuses.length).toBeGreaterThan(seen);
    expect((await ask(host)).text).toBe(viaRequest);
    expect(host.provenance()).toMatchObject({ adapters: [{ file: 'tiny-lora.gguf', scale: 1 }], template: 'ChatML' });
    expect(host.processId).toBe(pid);

    const alpaca = await ask(host, { variant: { ...chosen, template: { kind: 'alpaca' } } });
    expect(alpaca.template).toBe('alpaca');
    expect(alpaca.text).not.toBe(viaRequest);

    await host.useVariant(await variant([]), null);
    expect(host.status()).toMatchObject({ adapters: [], profile: null });
    expect((await ask(host)).text).toBe(baseAnswer);
  });

  it('ends the answer before a template stop trigger, which it never contains', async () => {
    // The grammar makes the model write the trigger; the answer must stop before it.
    const result = await ask(host, { variant: await variant([], { template: { kind: 'alpaca' } }), sampling: { ...greedy, maxTokens: 32 }, jsonSchema: { const: '头痛###发热' } });
    expect(result.text).not.toContain('###');
    expect(result.text.startsWith('"头痛')).toBe(true);
  });

  it('applies min-p and the repetition penalties; their neutral values change nothing', async () => {
    const long = { ...greedy, maxTokens: 64 };
    const plain = (await ask(host, { sampling: long })).text;
    expect((await ask(host, { sampling: { ...long, minP: 0, repeatPenalty: 1, presencePenalty: 0, frequencyPenalty: 0 } })).text).toBe(plain);
    expect((await ask(host, { sampling: { ...long, repeatPenalty: 2 } })).text).not.toBe(plain);
    expect((await ask(host, { sampling: { ...long, frequencyPenalty: 2 } })).text).not.toBe(plain);
    const sampled = { ...long, temperature: 1, topK: 0, topP: 1, seed: 7 };
    expect((await ask(host, { sampling: { ...sampled, minP: 0.99 } })).text).not.toBe((await ask(host, { sampling: sampled })).text);
  });

  it('refuses a per-request adapter made for another base (ADAPTER_MISMATCH naming the tensor), and answers on', async () => {
    const good = await variant([]);
    const mismatch: RuntimeVariant = { ...good, adapters: [{ file: 'mismatch-lora.gguf', path: paths.loraMismatch, sha256: 'x'.repeat(64), sizeBytes: fs.statSync(paths.loraMismatch).size, scale: 1 }] };
    const error = await failure(ask(host, { variant: mismatch }));
    expect(error.code).toBe('ADAPTER_MISMATCH');
    expect(error.message).toMatch(/mismatch-lora\.gguf 与基础模型 \S+ 不匹配：张量 \S+ 需要 64×\d+，适配器给出 96×\d+/);
    expect(host.status()).toMatchObject({ state: 'ready', error: null });
    expect((await ask(host)).text).toBe(baseAnswer);
  });
});

describe('a session’s follow-up question', () => {
  const system = '你是杏林临床助手，只依据编号的知识库条目回答，每个陈述后标注出处。'.repeat(3);
  const sources1 = '知识库条目：\n[1] 对乙酰氨基酚用于发热和轻中度疼痛（适应症，来源：入门知识库）\n[2] 布洛芬用于发热（适应症，来源：入门知识库）';
  const sources2 = '知识库条目：\n[1] 阿莫西林对青霉素过敏者禁用（禁忌，来源：入门知识库）';

  it('renders the sources before the question, counts them in the budget, and refuses sources that cannot fit', async () => {
    const without = await ask(host, { system });
    const withSources = await ask(host, { system, sources: sources1 });
    expect(withSources.timings.promptTokens).toBeGreaterThan(without.timings.promptTokens + 20);
    expect(withSources.text).not.toBe(without.text);

    const fits = host.systemBudget(question, greedy.maxTokens, { system });
    expect(await fits(sources1)).toBe(true);
    const huge = sources1.repeat(60);
    expect(await fits(huge)).toBe(false);
    await expect(host.assertPromptFits(question, { system, sources: huge })).rejects.toThrow(/问题过长/);
    await expect(host.assertPromptFits(question, { system, sources: sources1 })).resolves.toBeUndefined();
  });

  it('reads only the new turn when the sequence already holds the system text and history, with the same answer as cold', async () => {
    await host.load(await plan()); // a fresh context: nothing evaluated
    const first = await ask(host, { system, sources: sources1 });
    expect(first.reusedTokens).toBe(0);

    const turn2 = { system, sources: sources2, prompt: '青霉素过敏能用阿莫西林吗？', history: [{ role: 'user' as const, text: question }, { role: 'assistant' as const, text: first.text }] };
    const warm = await ask(host, turn2);
    // At least the system text was not read again.
    expect(warm.reusedTokens).toBeGreaterThan(30);
    const turn3 = { system, sources: sources1, prompt: '发热可以用布洛芬吗？', history: [...turn2.history, { role: 'user' as const, text: turn2.prompt }, { role: 'assistant' as const, text: warm.text }] };
    const warm3 = await ask(host, turn3);
    // The earlier turns stay a prefix the model already read: the reuse grows with the session.
    expect(warm3.reusedTokens).toBeGreaterThan(warm.reusedTokens! + 20);
    expect(warm3.timings.promptTokens - warm3.reusedTokens!).toBeLessThan(warm3.timings.promptTokens / 2);

    await host.load(await plan());
    const cold = await ask(host, turn3);
    expect(cold.reusedTokens).toBe(0);
    expect(cold.timings.promptTokens).toBe(warm3.timings.promptTokens);
    expect(cold.text).toBe(warm3.text);
  });
});

describe('memory', () => {
  it('keeps contexts within the budget: the least recently used idle one is disposed, and recreated when asked for again', async () => {
    const { weightsRamBytes, contextBytes } = host.status().memory!;
    // Room for the weights and one and a half contexts.
    const small = client({ memoryLimitBytes: Math.round(weightsRamBytes + contextBytes * 1.5) });
    try {
      await small.load(await plan());
      expect(small.status().memory?.contexts).toBe(1);
      const withA = await ask(small, { variant: await variant([{ path: paths.lora, scale: 1 }]) });
      expect(small.status().memory?.contexts).toBe(1);
      expect((await ask(small)).text).toBe(baseAnswer);
      expect(small.status().memory?.contexts).toBe(1);
      expect((await ask(small, { variant: await variant([{ path: paths.lora, scale: 1 }]) })).text).toBe(withA.text);
    } finally {
      await small.close();
    }
  });

  it('refuses a model larger than the memory there is, saying how much it needs and has, offering a smaller context that then loads; the loaded model answers on', async () => {
    const tiny = client({ memoryLimitBytes: 1024 });
    let needed: number;
    try {
      const error = await failure(tiny.load(await plan()));
      expect(error.code).toBe('MODEL_TOO_LARGE');
      expect(error.message).toMatch(/^模型 tiny-llama\.gguf 需要约 [\d.]+ MB 内存（权重 [\d.]+ MB，2048 词元的上下文 [\d.]+ MB），本机可用 0\.1 MB：即使缩小上下文也放不下/);
      expect(error.details).toMatchObject({ resource: 'ram', availableBytes: 1024, contextSize: 2048 });
      expect(error.details?.suggestedContextSize).toBeUndefined();
      needed = Number(error.details?.neededBytes);
      expect(needed).toBe(Number(error.details?.modelBytes) + Number(error.details?.contextBytes));
      expect(tiny.status()).toMatchObject({ state: 'error', model: null, error: { code: 'MODEL_TOO_LARGE' } });
    } finally {
      await tiny.close();
    }

    // Just short of the weights and a 2048-token context.
    const short = client({ memoryLimitBytes: needed - 1 });
    try {
      const refused = await failure(short.load(await plan()));
      expect(refused.code).toBe('MODEL_TOO_LARGE');
      const suggested = Number(refused.details?.suggestedContextSize);
      expect(suggested).toBeLessThan(2048);
      expect(refused.message).toContain(`把上下文缩小到 ${suggested} 词元即可加载`);

      const loaded = await short.load(await plan(), { contextSize: suggested });
      expect(loaded).toMatchObject({ state: 'ready', model: { contextSize: suggested } });
      const before = (await ask(short)).text;
      const pid = short.processId;

      const again = await failure(short.load(await plan([{ path: paths.lora, scale: 1 }])));
      expect(again.code).toBe('MODEL_TOO_LARGE');
      expect(short.status()).toMatchObject({ state: 'ready', model: { file: 'tiny-llama.gguf', contextSize: suggested }, adapters: [], error: null });
      expect((await ask(short)).text).toBe(before);
      expect(short.processId).toBe(pid);
    } finally {
      await short.close();
    }
  });

  it('reports the hardware and the choice made on it', async () => {
    const report = await host.hardware();
    expect(report.choice).toMatchObject({ gpu: 'cpu', threads: 1 });
    expect(report.ramTotalBytes).toBeGreaterThan(0);
    expect(report.backends.some((b) => b.name === 'cpu' && b.usable)).toBe(true);
  });
});

describe('the local provider', () => {
  const config = (): CoreConfig => ({ dataDir: tempDir(), modelsDir, host: 'cli', starterDir: '', appVersion: 'test', spawnRuntime: spawnTestRuntime(), sampling: { maxTokens: 16, temperature: 0 } });
  const profile = (overrides: Partial<Profile> = {}): Profile => ({
    id: 'qizhen-cama',
    name: '启真 CaMA',
    backend: { kind: 'local', model: 'tiny-llama.gguf', adapters: [{ file: 'tiny-lora.gguf', scale: 1 }] },
    template: { kind: 'auto' },
    systemPrompt: '请用中文回答。',
    sampling: greedy,
    contextSize: 2048,
    preset: null,
    ...overrides,
  });

  it('without a profile answers with the loaded default and the app’s sampling', async () => {
    await host.load(await plan());
    const provider = await LocalProvider.create(host, null, config());
    expect(provider.sampling).toEqual({ ...defaultSampling, maxTokens: 16, temperature: 0 });
    const answer = await provider.generate({ history: [], prompt: question, sampling: greedy });
    expect(answer.text).toBe(baseAnswer);
    expect(provider.provenance()).toMatchObject({ model: { file: 'tiny-llama.gguf' }, adapters: [], template: 'ChatML', backend: { kind: 'local' } });
    expect(provider.provenance().profile).toBeUndefined();
  });

  it('with a local profile answers with its adapters, system prompt and sampling, and records them', async () => {
    const chosen = profile({ sampling: { ...greedy, maxTokens: 12 } });
    const provider = await LocalProvider.create(host, chosen, config());
    expect(provider.sampling.maxTokens).toBe(12);
    const answer = await provider.generate({ history: [], prompt: question, system: '只依据知识库回答。', sampling: provider.sampling });
    const direct = await ask(host, { system: '请用中文回答。\n\n只依据知识库回答。', sampling: provider.sampling, variant: await variant([{ path: paths.lora, scale: 1 }]) });
    expect(answer.text).toBe(direct.text);
    expect(answer.timings.promptTokens).toBe(direct.timings.promptTokens);
    expect(provider.provenance()).toMatchObject({
      model: { file: 'tiny-llama.gguf' },
      adapters: [{ file: 'tiny-lora.gguf', scale: 1 }],
      template: 'ChatML',
      profile: { id: 'qizhen-cama', name: '启真 CaMA' },
      backend: { kind: 'local', model: 'tiny-llama.gguf' },
    });
    // The profile's system prompt counts in the budget.
    const withPrompt = provider.systemBudget(question, 16, '规则');
    expect(await withPrompt('[1] 条目')).toBe(true);
    // The loaded default is untouched.
    expect(host.status().adapters).toEqual([]);
  });

  it('refuses a profile for another base, a missing adapter and an adapter for another base, each by name', async () => {
    const other = await LocalProvider.create(host, profile({ backend: { kind: 'local', model: 'other.gguf', adapters: [] } }), config());
    const error = await failure(() => other.assertReady());
    expect(error.code).toBe('NO_MODEL');
    expect(error.message).toBe('配置“启真 CaMA”使用模型 other.gguf，当前加载的是 tiny-llama.gguf：请先在“模型”页使用该配置');
    expect((await failure(other.generate({ history: [], prompt: question, sampling: greedy }))).code).toBe('NO_MODEL');

    const missing = await failure(planVariant(profile({ backend: { kind: 'local', model: 'tiny-llama.gguf', adapters: [{ file: 'gone.gguf', scale: 1 }] } }), host, modelsDir));
    expect(missing.code).toBe('ADAPTER_NOT_FOUND');
    expect(missing.message).toContain('gone.gguf');

    const mismatch = await failure(planVariant(profile({ backend: { kind: 'local', model: 'tiny-llama.gguf', adapters: [{ file: 'mismatch-lora.gguf', scale: 1 }] } }), host, modelsDir));
    expect(mismatch.code).toBe('ADAPTER_MISMATCH');
    expect(mismatch.message).toMatch(/mismatch-lora\.gguf 与基础模型 \S+ 不匹配：张量 \S+ 需要 64×\d+/);
    expect(mismatch.details?.model).toBe('tiny-llama.gguf');

    const outside = await failure(planVariant(profile({ backend: { kind: 'local', model: 'tiny-llama.gguf', adapters: [{ file: path.join('..', 'tiny-llama.gguf'), scale: 1 }] } }), host, modelsDir));
    expect(outside.code).toBe('INVALID_INPUT');
    expect((await ask(host)).text).toBe(baseAnswer);
  });
});
