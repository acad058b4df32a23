import fs from 'node:fs';
import type { Sampling } from '../../src-main/contract/index.js';
import { defaultSampling } from '../../src-main/core/config.js';
import { ModelQueue, planLoad, RuntimeClient, type GenerateResult } from '../../src-main/core/llm/index.js';
import { LocalProvider } from '../../src-main/core/llm/providers/local.js';
import { silentLog } from '../../src-main/core/log.js';
import { spawnTestRuntime, tempDir } from '../helpers/env.js';
import { appThreads, benchFixtures } from './models.js';
import { median, round } from './stats.js';

/**
 * Answering many questions under one grant of the model queue, as an evaluation run does: K
 * questions answered one at a time, against the same questions on the provider's lanes (each
 * lane taking the next question when it is done), in the real model process. Greedy, so both
 * must give the same answers; rounds alternate which goes first.
 */

const ROUNDS = Number(process.env.XINGLIN_BENCH_ROUNDS ?? 3);
const QUESTIONS = 16;
const MAX_TOKENS = Number(process.env.XINGLIN_BENCH_TOKENS ?? 64);
const GREEDY: Sampling = { ...defaultSampling, temperature: 0, maxTokens: MAX_TOKENS };
const signal = new AbortController().signal;
/** A small public model, when this machine has it (dev only: never in the repository). */
const STORIES = '/work/shared/models/stories260K.gguf';

const TOPICS = ['头痛', '发热', '咳嗽', '腹泻', '高血压', '糖尿病', '痛风', '失眠', 'a sore throat', 'back pain', 'a rash', 'dizziness', 'nausea', 'a cough at night', 'tired eyes', 'a sprained ankle'];
const questions = TOPICS.slice(0, QUESTIONS).map((topic) => `Once upon a time a doctor met a patient with ${topic}. What did the doctor say?`);

async function benchModel(name: string, modelPath: string, threads: number) {
  const client = new RuntimeClient({ spawn: spawnTestRuntime(), log: silentLog, gpu: false, threads });
  const queue = new ModelQueue(() => undefined, silentLog);
  try {
    await client.load(await planLoad(modelPath, [], { signal }));
    const provider = await LocalProvider.create(client, null, { dataDir: tempDir('xinglin-bench-'), modelsDir: tempDir('xinglin-bench-'), host: 'cli', starterDir: '', appVersion: 'bench', spawnRuntime: spawnTestRuntime() });
    const lanes = provider.maxParallel;
    const answer = (prompt: string, lane?: number) => provider.generate({ history: [], prompt, sampling: GREEDY, ...(lane === undefined ? {} : { lane }) });

    const oneAtATime = () =>
      queue.run('eval', null, async () => {
        const results: GenerateResult[] = [];
        for (const prompt of questions) results.push(await answer(prompt));
        return results;
      });
    const onLanes = () =>
      queue.run('eval', null, async () => {
        const results: GenerateResult[] = [];
        let next = 0;
        await Promise.all(Array.from({ length: lanes }, async (_, lane) => {
          for (let i = next++; i < questions.length; i = next++) results[i] = await answer(questions[i]!, lane);
        }));
        return results;
      });
    const timed = async (run: () => Promise<GenerateResult[]>) => {
      const started = performance.now();
      const results = await run();
      return { seconds: (performance.now() - started) / 1000, results };
    };

    // Warm-up: the page cache, both contexts created.
    await oneAtATime();
    await onLanes();
    const samples = { oneAtATime: [] as number[], lanes: [] as number[] };
    let sameAnswers = true;
    let generatedTokens = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? (['oneAtATime', 'lanes'] as const) : (['lanes', 'oneAtATime'] as const);
      const texts: Record<string, string[]> = {};
      for (const which of order) {
        const { seconds, results } = await timed(which === 'lanes' ? onLanes : oneAtATime);
        samples[which].push(seconds);
        texts[which] = results.map((result) => result.text);
        generatedTokens = results.reduce((sum, result) => sum + result.timings.generatedTokens, 0);
      }
      sameAnswers &&= JSON.stringify(texts.lanes) === JSON.stringify(texts.oneAtATime);
    }
    const s = (values: number[]) => ({ median: round(median(values), 2), samples: values.map((v) => round(v, 2)) });
    return {
      model: name,
      sizeMB: round(fs.statSync(modelPath).size / 2 ** 20, 1),
      lanes,
      generatedTokens,
      oneAtATimeSeconds: s(samples.oneAtATime),
      lanesSeconds: s(samples.lanes),
      speedup: round(median(samples.oneAtATime) / median(samples.lanes), 2),
      // Batching must not change a greedy answer for the speed-up to mean anything.
      sameAnswers,
    };
  } finally {
    await client.close();
  }
}

export async function benchParallel(workDir: string) {
  const threads = await appThreads();
  const models: Array<[string, string]> = [['fixture', benchFixtures(workDir, 'fixture').paths.model]];
  if (fs.existsSync(STORIES)) models.push(['stories260K', STORIES]);
  const results = [];
  for (const [name, modelPath] of models) results.push(await benchModel(name, modelPath, threads));
  return { bench: 'parallel', threads, rounds: ROUNDS, questions: QUESTIONS, maxTokens: MAX_TOKENS, results };
}
