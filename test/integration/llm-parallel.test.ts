// @vitest-environment node
/**
 * Several answers at once under one grant of the model queue (evaluation answers many cases):
 * lanes of one variant, batched by llama.cpp in the real model process; the memory budget that
 * bounds their number; stopping one lane or all; and option likelihoods for multiple-choice
 * questions. Real node-llama-cpp, the generated fixture model, one thread.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sampling } from '../../src-main/contract/index.js';
import { ModelQueue, planLoad, RuntimeClient, type GenerateRequest, type GenerateResult } from '../../src-main/core/llm/index.js';
import { LocalProvider } from '../../src-main/core/llm/providers/local.js';
import { silentLog } from '../../src-main/core/log.js';
import type { FixturePaths } from '../fixtures/gguf/tiny-llama.js';
import { fixtureModels, spawnTestRuntime, tempDir } from '../helpers/env.js';
import { failure } from '../helpers/errors.js';

const greedy: Sampling = { temperature: 0, topK: 40, topP: 0.9, seed: 42, maxTokens: 24 };
const prompts = ['患者头痛三天，伴发热，应该怎么处理？', '尿酸高吃什么？', '糖尿病', '头痛'];
const signal = new AbortController().signal;

let modelsDir: string;
let paths: FixturePaths;
let host: RuntimeClient;
/** Each prompt's greedy answer, asked one at a time on the chat sequence. */
let alone: GenerateResult[];

function client(options: { memoryLimitBytes?: number } = {}): RuntimeClient {
  return new RuntimeClient({ spawn: spawnTestRuntime(), log: silentLog, gpu: false, threads: 1, ...options });
}

const load = async (target: RuntimeClient) => target.load(await planLoad(paths.model, [], { signal }));

function ask(target: RuntimeClient, overrides: Partial<GenerateRequest> = {}) {
  return target.generate({ history: [], prompt: prompts[0]!, sampling: greedy, ...overrides });
}

/** Asks every prompt at once, prompt i on lane i, noting which lane each piece of text came from. */
async function onLanes(target: RuntimeClient, count: number) {
  const order: number[] = [];
  const results = await Promise.all(prompts.slice(0, count).map((prompt, lane) => ask(target, { prompt, lane, onText: () => order.push(lane) })));
  return { results, order };
}

beforeAll(async () => {
  ({ modelsDir, paths } = fixtureModels());
  host = client();
  await load(host);
  alone = [];
  for (const prompt of prompts) alone.push(await ask(host, { prompt }));
});

afterAll(async () => {
  await host?.close();
  fs.rmSync(modelsDir, { recursive: true, force: true });
});

describe('lanes', () => {
  it('answers on four lanes at once, in flight together, with the same greedy tokens as one at a time', async () => {
    expect(await host.maxParallel()).toBe(4);
    const { results, order } = await onLanes(host, 4);
    expect(results.map((r) => r.text)).toEqual(alone.map((r) => r.text));
    expect(results.map((r) => r.timings.generatedTokens)).toEqual(alone.map((r) => r.timings.generatedTokens));
    expect(results.every((r) => !r.stopped && r.text.length > 0)).toBe(true);
    // Batched, not queued: every other lane wrote before lane 0 wrote its last piece.
    for (const lane of [1, 2, 3]) expect(order.indexOf(lane)).toBeLessThan(order.lastIndexOf(0));
    // The lane context beside the chat context.
    expect(host.status().memory?.contexts).toBe(2);
    // The chat sequence answers as before.
    expect((await ask(host)).text).toBe(alone[0]!.text);
  });

  it('refuses a lane beyond maxParallel, and a second request on a busy lane, and answers on', async () => {
    const beyond = await failure(ask(host, { lane: 4 }));
    expect(beyond.code).toBe('INVALID_INPUT');
    expect(beyond.details).toMatchObject({ lane: 4, maxParallel: 4 });
    const first = ask(host, { lane: 1 });
    expect((await failure(ask(host, { lane: 1 }))).code).toBe('BUSY');
    expect((await first).text).toBe(alone[0]!.text);
  });

  it('stops only the lane whose signal aborts', async () => {
    const stop = new AbortController();
    const [stopped, finished] = await Promise.all([
      ask(host, { lane: 0, signal: stop.signal, sampling: { ...greedy, maxTokens: 200 }, onText: () => stop.abort() }),
      ask(host, { lane: 1, prompt: prompts[1]! }),
    ]);
    expect(stopped).toMatchObject({ stopped: true, stopReason: 'abort' });
    expect(stopped.timings.generatedTokens).toBeLessThan(200);
    expect(finished.stopped).toBe(false);
    expect(finished.text).toBe(alone[1]!.text);
  });

  const LONG_TOKENS = 400;

  /** Asks every prompt at once, each on its lane, long enough to be stopped; resolves `writing` once every lane wrote. */
  function longOnLanes(laneSignal?: AbortSignal) {
    const wrote = new Set<number>();
    let allWrote!: () => void;
    const writing = new Promise<void>((resolve) => (allWrote = resolve));
    const answers = Promise.all(prompts.map((prompt, lane) =>
      ask(host, {
        lane,
        prompt,
        sampling: { ...greedy, maxTokens: LONG_TOKENS },
        ...(laneSignal ? { signal: laneSignal } : {}),
        onText: () => {
          wrote.add(lane);
          if (wrote.size === prompts.length) allWrote();
        },
      }),
    ));
    return { writing, answers };
  }

  /**
   * Every lane still running when the model went was stopped, none ran on. On a busy machine a lane
   * may write its whole budget before the last lane writes its first token (seen once beside a busy
   * loop on each core): such a lane ended on its own, with every token it was allowed, not early.
   */
  function expectStoppedByUnload(results: Array<{ stopped: boolean; timings: { generatedTokens: number } }>) {
    for (const r of results) expect(r.stopped ? r.timings.generatedTokens < LONG_TOKENS : r.timings.generatedTokens === LONG_TOKENS).toBe(true);
    expect(results.some((r) => r.stopped)).toBe(true);
  }

  it('one grant answers on every lane; a load or unload through the queue stops them all, and so does the runtime’s own unload', async () => {
    const queue = new ModelQueue(() => undefined, silentLog);
    let run!: ReturnType<typeof longOnLanes>;
    const grant = queue.run('eval', null, (grantSignal) => {
      run = longOnLanes(grantSignal);
      return run.answers;
    });
    await run.writing;
    expect((await queue.exclusive(() => host.unload())).state).toBe('none');
    expectStoppedByUnload(await grant);

    await load(host);
    const direct = longOnLanes();
    await direct.writing;
    await host.unload();
    expectStoppedByUnload(await direct.answers);

    await load(host);
    expect((await ask(host)).text).toBe(alone[0]!.text);
  });

  it('gives as many lanes as the memory budget holds (one: the chat sequence), the lane context yielding to the chat context', async () => {
    // Sizes as llama.cpp allocated them: the chat context alone, then beside a four-lane context.
    await load(host);
    const { weightsRamBytes, contextBytes: chat } = host.status().memory!;
    await onLanes(host, 4);
    const perLane = (host.status().memory!.contextBytes - 2 * chat) / 3;
    expect(perLane).toBeGreaterThan(0);

    const one = client({ memoryLimitBytes: Math.round(weightsRamBytes + chat + perLane / 2) });
    try {
      await load(one);
      expect(await one.maxParallel()).toBe(1);
      expect((await LocalProvider.create(one, null, config())).maxParallel).toBe(1);
      // Lane 0 is the chat sequence: no second context.
      expect((await ask(one, { lane: 0 })).text).toBe(alone[0]!.text);
      expect(one.status().memory?.contexts).toBe(1);
      expect((await failure(ask(one, { lane: 1 }))).details).toMatchObject({ lane: 1, maxParallel: 1 });
    } finally {
      await one.close();
    }

    const two = client({ memoryLimitBytes: Math.round(weightsRamBytes + chat + perLane * 1.5) });
    try {
      await load(two);
      expect(await two.maxParallel()).toBe(2);
      const { results, order } = await onLanes(two, 2);
      expect(results.map((r) => r.text)).toEqual(alone.slice(0, 2).map((r) => r.text));
      expect(order.indexOf(1)).toBeLessThan(order.lastIndexOf(0));
      // The budget holds the lane context or the chat context, not both: the idle one is disposed.
      expect(two.status().memory?.contexts).toBe(1);
      expect((await ask(two)).text).toBe(alone[0]!.text);
      expect(two.status().memory?.contexts).toBe(1);
    } finally {
      await two.close();
    }
  });
});

const config = () => ({ dataDir: tempDir(), modelsDir, host: 'cli' as const, starterDir: '', appVersion: 'test', spawnRuntime: spawnTestRuntime(), sampling: greedy });

describe('option likelihoods', () => {
  const question = '糖尿病';

  it('scores single-token options by the next-token distribution: the greedy first token is the highest, the same every time, on any lane', async () => {
    const provider = await LocalProvider.create(host, null, config());
    expect(provider.maxParallel).toBe(4);
    const first = (await ask(host, { prompt: question, sampling: { ...greedy, maxTokens: 1 } })).text;
    // A single Han character (one token here, with no leading-space variant to tell apart).
    expect(first).toMatch(/^\p{Script=Han}$/u);
    const candidates = [first, ...['谢', '病', '发', 'A', 'B'].filter((c) => c !== first)].slice(0, 5);
    const scores = await provider.scoreOptions({ prompt: question, prefix: '', candidates, signal });
    expect(scores).toHaveLength(candidates.length);
    expect(scores.every(Number.isFinite)).toBe(true);
    expect(scores.indexOf(Math.max(...scores))).toBe(0);
    // Log-probabilities of distinct next tokens: each below 0, together at most 1.
    expect(scores.every((s) => s < 0)).toBe(true);
    expect(scores.reduce((sum, s) => sum + Math.exp(s), 0)).toBeLessThanOrEqual(1);

    expect(await provider.scoreOptions({ prompt: question, prefix: '', candidates, signal })).toEqual(scores);
    expect(await provider.scoreOptions({ prompt: question, prefix: '', candidates, signal, lane: 2 })).toEqual(scores);
    // Scoring on the chat sequence leaves the next answer as it was.
    expect((await ask(host)).text).toBe(alone[0]!.text);
  });

  it('scores a multi-token option as the sum of its tokens’ log-probabilities after the prefix', async () => {
    const provider = await LocalProvider.create(host, null, config());
    const system = '请选择一个答案。';
    const score = async (prefix: string, candidates: string[]) => provider.scoreOptions({ system, prompt: question, prefix, candidates, signal });
    const [xy, q] = await score('答案：', ['xy', 'q']);
    const [x] = await score('答案：', ['x']);
    const [y] = await score('答案：x', ['y']);
    expect(q).toBeGreaterThan(Number.NEGATIVE_INFINITY);
    expect(xy!).toBeCloseTo(x! + y!, 3);
    expect(xy!).toBeLessThan(x!);
  });

  it('scores on four lanes at once as one at a time (to the rounding of batched evaluation); refuses empty options; stops when cancelled', async () => {
    const provider = await LocalProvider.create(host, null, config());
    const ask4 = prompts.map((prompt) => ({ prompt, prefix: '答案：', candidates: ['A', 'B', 'C', 'D', 'E'], signal }));
    const oneByOne: number[][] = [];
    for (const request of ask4) oneByOne.push(await provider.scoreOptions(request));
    const together = await Promise.all(ask4.map((request, lane) => provider.scoreOptions({ ...request, lane })));
    // Batched with other lanes, llama.cpp's sums run in another order: equal to about 1e-6, not bit for bit.
    together.forEach((scores, i) => scores.forEach((score, j) => expect(score).toBeCloseTo(oneByOne[i]![j]!, 4)));
    const choice = (scores: number[]) => scores.indexOf(Math.max(...scores));
    expect(together.map(choice)).toEqual(oneByOne.map(choice));
    expect((await failure(provider.scoreOptions({ prompt: question, prefix: '', candidates: ['A', ''], signal }))).code).toBe('INVALID_INPUT');
    expect((await failure(provider.scoreOptions({ prompt: question, prefix: '', candidates: ['A'], signal: AbortSignal.abort(), lane: 1 }))).code).toBe('CANCELLED');
  });
});
