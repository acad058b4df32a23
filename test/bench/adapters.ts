import { Profile, type Sampling } from '../../src-main/contract/index.js';
import { defaultSampling } from '../../src-main/core/config.js';
import { planLoad, RuntimeClient, type AdapterChoice } from '../../src-main/core/llm/index.js';
import { planVariant } from '../../src-main/core/llm/providers/local.js';
import { silentLog } from '../../src-main/core/log.js';
import { spawnTestRuntime } from '../helpers/env.js';
import { appThreads, benchFixtures, BENCH_CONTEXT } from './models.js';
import { median, round } from './stats.js';

/**
 * Changing the adapter set on the loaded 170 MB base (issue 11: adapters without reloading the
 * base) against a full reload with that set, each until the first token of an answer with it, in
 * the real model process as the app drives it:
 * - switch (new): a profile's variant planned (adapters inspected, checked against the base,
 *   hashed) and made the default with `useVariant`; its context (adapters applied) is new;
 * - switch (back): to a variant whose context is still in the pool;
 * - reload: `planLoad` and `load` with that adapter set (weights read again, a new context).
 * Each round uses a scale not used before, so a "new" context is really new.
 */

const ROUNDS = Number(process.env.XINGLIN_BENCH_ROUNDS ?? 5);
const QUESTION = '患者头痛三天，伴发热，应该怎么处理？';
const FIRST_TOKEN: Sampling = { ...defaultSampling, temperature: 0, maxTokens: 1 };
const signal = new AbortController().signal;

export async function benchAdapters(workDir: string) {
  const { modelsDir, paths } = benchFixtures(workDir, 'large');
  const threads = await appThreads();
  const client = new RuntimeClient({ spawn: spawnTestRuntime(), log: silentLog, gpu: false, threads, contextSize: BENCH_CONTEXT });
  const firstToken = () => client.generate({ history: [], prompt: QUESTION, sampling: FIRST_TOKEN });
  const profile = (file: string, scale: number) =>
    Profile.parse({ id: 'bench', name: 'bench', backend: { kind: 'local', model: 'tiny-llama.gguf', adapters: [{ file, scale }] }, sampling: FIRST_TOKEN, contextSize: BENCH_CONTEXT });

  const timed = async (work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    await firstToken();
    return performance.now() - started;
  };
  const reload = (adapters: AdapterChoice[]) => timed(async () => client.load(await planLoad(paths.model, adapters, { signal }), { contextSize: BENCH_CONTEXT }));
  const useProfile = (file: string, scale: number) => timed(async () => client.useVariant(await planVariant(profile(file, scale), client, modelsDir), null));

  const samples = { switchNew: [] as number[], switchBack: [] as number[], reload: [] as number[] };
  try {
    // Warm-up: the process, the page cache, the hashes the app remembers.
    await reload([{ path: paths.lora, scale: 1 }]);
    await useProfile('tiny-lora-b.gguf', 1);
    for (let r = 0; r < ROUNDS; r++) {
      const scale = round(0.5 + r / 100, 2);
      samples.reload.push(await reload([{ path: paths.lora, scale: 1 }]));
      samples.switchNew.push(await useProfile('tiny-lora-b.gguf', scale));
      samples.switchBack.push(await useProfile('tiny-lora.gguf', 1));
    }
  } finally {
    await client.close();
  }
  const ms = (values: number[]) => ({ median: round(median(values), 0), samples: values.map((v) => round(v, 0)) });
  return {
    bench: 'adapters',
    model: 'large',
    threads,
    rounds: ROUNDS,
    // Each: from the request to the first token of an answer with the new adapter set.
    switchNewMs: ms(samples.switchNew),
    switchBackMs: ms(samples.switchBack),
    reloadMs: ms(samples.reload),
    reloadOverSwitchNew: round(median(samples.reload) / median(samples.switchNew), 2),
  };
}
