// @vitest-environment node
/**
 * The runtime as the app uses it: llama.cpp in its own process (the real model process, started
 * from source), on the real node-llama-cpp (prebuilt CPU binary) and the generated tiny GGUF model
 * and LoRA adapters. No mocks: what is asserted is what the doctor would see.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XinglinError, type Sampling } from '../../src-main/contract/index.js';
import { LocalRuntime, planLoad, RuntimeClient, type AdapterChoice, type GenerateRequest, type LoadProgress } from '../../src-main/core/llm/index.js';
import { silentLog } from '../../src-main/core/log.js';
import { generateFixtures, type FixturePaths } from '../fixtures/gguf/tiny-llama.js';
import { spawnTestRuntime } from '../helpers/env.js';
import { failure } from '../helpers/errors.js';

const greedy: Sampling = { temperature: 0, topK: 40, topP: 0.9, seed: 42, maxTokens: 16 };
const question = '患者头痛三天，伴发热，应该怎么处理？';

let dir: string;
let paths: FixturePaths;
let host: RuntimeClient;
const progress: LoadProgress[] = [];
/** The base model's greedy answer to `question`, the reference the adapter tests compare with. */
let baseAnswer: string;

/** Physical cores as Linux reports them (unique package/core pairs); elsewhere, llama.cpp's count. */
function physicalCores(): number | null {
  if (process.platform !== 'linux') return null;
  const root = '/sys/devices/system/cpu';
  const cores = new Set<string>();
  for (const entry of fs.readdirSync(root)) {
    if (!/^cpu\d+$/.test(entry)) continue;
    const topology = path.join(root, entry, 'topology');
    if (!fs.existsSync(path.join(topology, 'core_id'))) continue;
    const online = path.join(root, entry, 'online');
    if (fs.existsSync(online) && fs.readFileSync(online, 'utf8').trim() === '0') continue;
    cores.add(`${fs.readFileSync(path.join(topology, 'physical_package_id'), 'utf8').trim()}:${fs.readFileSync(path.join(topology, 'core_id'), 'utf8').trim()}`);
  }
  return cores.size || null;
}

function ask(overrides: Partial<GenerateRequest> = {}) {
  return host.generate({ history: [], prompt: question, sampling: greedy, ...overrides });
}

/** As the app loads: the files are planned (inspected, checked, hashed) here, then loaded in the model process. */
async function load(model: string, adapters: AdapterChoice[] = [], options: { onProgress?: (p: LoadProgress) => void } = {}) {
  return host.load(await planLoad(model, adapters, { signal: new AbortController().signal, ...options }), options);
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-llm-'));
  paths = generateFixtures(dir);
  // One thread: the suite must pass beside other CPU work (the default is checked on its own host below).
  host = new RuntimeClient({ spawn: spawnTestRuntime(), log: silentLog, gpu: false, threads: 1 });
});

afterAll(async () => {
  await host?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the runtime in its model process', () => {
  it('has no model until one is loaded', async () => {
    expect(host.status()).toMatchObject({ state: 'none', model: null, adapters: [], error: null });
    expect((await failure(ask())).code).toBe('NO_MODEL');
    expect(() => host.provenance()).toThrow(XinglinError);
  });

  it('defaults threads to the measured rule — one fewer than the physical cores, at least one — not node-llama-cpp’s minimum of 4 (LocalRuntime, as the model process runs it)', async () => {
    const defaults = new LocalRuntime({ gpu: false });
    try {
      const llama = await defaults.init();
      const physical = physicalCores() ?? llama.cpuMathCores;
      expect(llama.cpuMathCores).toBe(physical);
      expect(defaults.status().threads).toBe(Math.max(1, physical - 1));
      expect(llama.maxThreads).toBe(Math.max(1, physical - 1));
    } finally {
      await defaults.close();
    }
  });

  it('loads with determinate progress reaching 1 in every phase, and records provenance', async () => {
    progress.length = 0;
    const status = await load(paths.model, [], { onProgress: (p) => progress.push(p) });
    expect(status.state).toBe('ready');
    expect(status.model).toMatchObject({ file: 'tiny-llama.gguf', sha256: sha256(paths.model), sizeBytes: fs.statSync(paths.model).size, architecture: 'llama', contextSize: 512, template: 'ChatML' });
    expect(status.gpu).toBe('cpu');

    const phases = [...new Set(progress.map((p) => p.phase))];
    expect(phases).toEqual(['hash', 'model', 'context']);
    for (const phase of phases) expect(progress.filter((p) => p.phase === phase).at(-1)?.progress).toBe(1);
    // Each phase goes 0 → … → 1, never backwards. (node-llama-cpp delivers llama.cpp's load
    // percentages asynchronously; for a 1 MB model they may all arrive after the load is done,
    // so the intermediate values are not guaranteed here, only order and the final 1.)
    for (const phase of phases) {
      const values = progress.filter((p) => p.phase === phase).map((p) => p.progress);
      expect(values[0], phase).toBe(0);
      expect(values.filter((v) => v === 1), phase).toHaveLength(1);
      expect([...values].sort((a, b) => a - b), phase).toEqual(values);
    }

    expect(host.provenance()).toEqual({
      model: { file: 'tiny-llama.gguf', sha256: sha256(paths.model), sizeBytes: fs.statSync(paths.model).size },
      adapters: [],
      template: 'ChatML',
      gpu: 'cpu',
      threads: host.status().threads,
    });
  });

  it('streams several chunks whose concatenation is the answer, with timings', async () => {
    const chunks: string[] = [];
    const result = await ask({ onText: (chunk) => chunks.push(chunk) });
    baseAnswer = result.text;
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(result.text);
    expect(result.text.length).toBeGreaterThan(0);
    expect(result).toMatchObject({ stopped: false, stopReason: 'maxTokens', template: 'ChatML', droppedTurns: 0 });
    expect(result.timings.generatedTokens).toBe(greedy.maxTokens);
    expect(result.timings.promptTokens).toBeGreaterThan(5);
    expect(result.timings.tokensPerSecond).toBeGreaterThan(0);
    expect(result.timings.durationMs).toBeGreaterThan(0);
    expect(host.status().lastTokensPerSecond).toBe(result.timings.tokensPerSecond);
  });

  it('reproduces the same text with the same settings (greedy, and sampled with a fixed seed)', async () => {
    expect((await ask()).text).toBe(baseAnswer);
    const sampled = { ...greedy, temperature: 0.9, topK: 0, topP: 1, seed: 1234 };
    const a = await ask({ sampling: sampled });
    const b = await ask({ sampling: sampled });
    expect(b.text).toBe(a.text);
  });

  it('stops through the AbortSignal, keeping the partial answer', async () => {
    const controller = new AbortController();
    const chunks: string[] = [];
    const result = await ask({
      sampling: { ...greedy, maxTokens: 200 },
      signal: controller.signal,
      onText: (chunk) => {
        chunks.push(chunk);
        if (chunks.length === 3) controller.abort();
      },
    });
    expect(result.stopped).toBe(true);
    expect(result.stopReason).toBe('abort');
    expect(result.text).toBe(chunks.join(''));
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.timings.generatedTokens).toBeLessThan(200);
    // Stopped before it started: an empty, stopped answer rather than an error.
    const early = await ask({ signal: AbortSignal.abort() });
    expect(early).toMatchObject({ text: '', stopped: true });
  });

  it('answers differently when the session history is restored', async () => {
    const withHistory = await ask({
      history: [
        { role: 'user', text: '我是儿科医生，患者是一名五岁儿童。' },
        { role: 'assistant', text: '好的，请描述症状。' },
      ],
    });
    expect(withHistory.text).not.toBe(baseAnswer);
    expect(withHistory.droppedTurns).toBe(0);
    // And the host does not remember it: the next bare question gives the bare answer.
    expect((await ask()).text).toBe(baseAnswer);
  });

  it('drops the oldest turns of a history too long for the context instead of failing', async () => {
    const long = '发热咳嗽三天，体温三十九度，咽痛，食欲差。'.repeat(6);
    const history = Array.from({ length: 16 }, (_, i) => ({ role: i % 2 === 0 ? ('user' as const) : ('assistant' as const), text: long }));
    const result = await ask({ history });
    expect(result.droppedTurns).toBeGreaterThan(0);
    expect(result.droppedTurns % 2).toBe(0);
    expect(result.timings.promptTokens + result.timings.generatedTokens).toBeLessThanOrEqual(512);
  });

  it('refuses a question longer than the context with PROMPT_TOO_LONG naming both numbers', async () => {
    const huge = '患者自述反复头痛伴恶心呕吐，夜间加重，既往有高血压病史。'.repeat(40);
    const error = await failure(ask({ prompt: huge }));
    expect(error.code).toBe('PROMPT_TOO_LONG');
    expect(error.message).toContain('512 个词元');
    expect(Number(error.details?.promptTokens)).toBeGreaterThan(512);
    expect(error.message).toContain(`${error.details?.promptTokens} 个词元`);
    await expect(host.assertPromptFits(huge)).rejects.toThrow(/问题过长/);
    await expect(host.assertPromptFits(question)).resolves.toBeUndefined();
    expect((await ask()).text).toBe(baseAnswer);
  });

  it('refuses a second generation while one runs (BUSY)', async () => {
    const first = ask({ sampling: { ...greedy, maxTokens: 48 } });
    expect((await failure(ask())).code).toBe('BUSY');
    expect((await first).stopped).toBe(false);
  });

  it('applies LoRA adapters: they change the output, scale 0 equals the base, two stack', async () => {
    progress.length = 0;
    const status = await load(paths.model, [{ path: paths.lora, scale: 1 }], { onProgress: (p) => progress.push(p) });
    expect(status.adapters).toEqual([{ file: 'tiny-lora.gguf', sha256: sha256(paths.lora), sizeBytes: fs.statSync(paths.lora).size, scale: 1 }]);
    expect(progress.filter((p) => p.phase === 'adapters').at(-1)).toEqual({ phase: 'adapters', file: 'tiny-lora.gguf', progress: 1 });
    const withA = (await ask()).text;
    expect(withA).not.toBe(baseAnswer);
    expect((await ask()).text).toBe(withA);

    await load(paths.model, [{ path: paths.lora, scale: 0 }]);
    expect((await ask()).text).toBe(baseAnswer);

    await load(paths.model, [{ path: paths.loraB, scale: 1 }]);
    const withB = (await ask()).text;
    expect(withB).not.toBe(baseAnswer);

    await load(paths.model, [{ path: paths.lora, scale: 1 }, { path: paths.loraB, scale: 1 }]);
    const both = (await ask()).text;
    expect(both).not.toBe(withA);
    expect(both).not.toBe(withB);
    expect(both).not.toBe(baseAnswer);
    expect(host.provenance().adapters.map((a) => [a.file, a.scale])).toEqual([['tiny-lora.gguf', 1], ['tiny-lora-b.gguf', 1]]);
  });

  it('gives each bad file its own typed error before the model process sees it, keeping the loaded model', async () => {
    await load(paths.model);
    const pid = host.processId;
    const cases: Array<[name: string, load: () => Promise<unknown>, code: string, message: RegExp]> = [
      ['missing', () => load(path.join(dir, 'missing.gguf')), 'MODEL_NOT_FOUND', /找不到模型文件 missing\.gguf/],
      ['not GGUF', () => load(paths.notAModel), 'MODEL_NOT_GGUF', /not-a-model\.gguf 不是有效的 GGUF 文件/],
      ['truncated', () => load(paths.truncated), 'MODEL_TRUNCATED', /tiny-llama-truncated\.gguf 不完整/],
      ['missing adapter', () => load(paths.model, [{ path: path.join(dir, 'lora', 'gone.gguf'), scale: 1 }]), 'ADAPTER_NOT_FOUND', /gone\.gguf/],
      // Caught by checkAdapterFits: llama.cpp itself only says "Failed to initialize LoRA adapter".
      ['mismatching adapter', () => load(paths.model, [{ path: paths.loraMismatch, scale: 1 }]), 'ADAPTER_MISMATCH', /mismatch-lora\.gguf 与基础模型 \S+ 不匹配：张量 \S+ 需要 64×\d+，适配器给出 96×\d+/],
    ];
    for (const [name, attempt, code, message] of cases) {
      const error = await failure(attempt());
      expect(error.code, name).toBe(code);
      expect(error.message, name).toMatch(message);
      expect(host.status(), name).toMatchObject({ state: 'ready', model: { file: 'tiny-llama.gguf' }, error: null });
      expect((await ask()).text, name).toBe(baseAnswer);
    }
    expect(host.processId).toBe(pid);
  });

  it('a load started while another runs replaces it cleanly', async () => {
    const signal = new AbortController().signal;
    const plans = await Promise.all([planLoad(paths.model, [{ path: paths.lora, scale: 1 }], { signal }), planLoad(paths.model, [{ path: paths.loraB, scale: 0.5 }], { signal })]);
    const first = host.load(plans[0]);
    const second = host.load(plans[1]);
    const superseded = await failure(first);
    expect(superseded.code).toBe('CANCELLED');
    expect(superseded.details?.superseded).toBe(true);
    const status = await second;
    expect(status.state).toBe('ready');
    expect(status.adapters.map((a) => [a.file, a.scale])).toEqual([['tiny-lora-b.gguf', 0.5]]);
  });

  it('unloading stops a running answer (kept as stopped) and frees the model', async () => {
    await load(paths.model);
    const chunks: string[] = [];
    let unloading: Promise<unknown> | null = null;
    const answer = ask({
      sampling: { ...greedy, maxTokens: 200 },
      onText: (chunk) => {
        chunks.push(chunk);
        if (chunks.length === 2) unloading ??= host.unload();
      },
    });
    const result = await answer;
    await unloading;
    expect(result.stopped).toBe(true);
    expect(result.text).toBe(chunks.join(''));
    expect(host.status()).toMatchObject({ state: 'none', model: null, adapters: [] });
    expect((await failure(ask())).code).toBe('NO_MODEL');
  });
});
