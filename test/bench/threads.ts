import fs from 'node:fs';
import os from 'node:os';
import { getLlama, LlamaChatSession, LlamaLogLevel } from 'node-llama-cpp';
import { chooseThreads } from '../../src-main/core/llm/runtime/hardware.js';
import { benchFixtures } from './models.js';
import { median, round } from './stats.js';

/**
 * The threads default against a sweep (issue 11: the default must be the fastest setting,
 * measured). Decode tokens/s of bare node-llama-cpp for every thread count 1…2×cores, on the
 * fixture and on the 170 MB F32 model: greedy, the same prompt, a few hundred tokens, the settings
 * taken in a rotating order within each round so drift in machine load spreads over all of them.
 * Decode only: from the first generated token to the last (prompt evaluation excluded). A run
 * stops at MAX_TOKENS or after RUN_SECONDS, whichever comes first: an oversubscribed setting can
 * fall to a few tokens/s, and its rate is known well before a few hundred tokens.
 */

const ROUNDS = Number(process.env.XINGLIN_BENCH_ROUNDS ?? 5);
const MAX_TOKENS = Number(process.env.XINGLIN_BENCH_TOKENS ?? 256);
const RUN_SECONDS = Number(process.env.XINGLIN_BENCH_RUN_SECONDS ?? 20);
const PROMPT = 'Tell me a story about a doctor.';
const CONTEXT_SIZE = 1024;

async function sweep(modelPath: string, settings: number[]) {
  // maxThreads 0: each context gets exactly the threads it asks for.
  const llama = await getLlama({ build: 'never', gpu: false, maxThreads: 0, logLevel: LlamaLogLevel.error });
  try {
    const model = await llama.loadModel({ modelPath });
    const runners = new Map<number, () => Promise<{ tokens: number; tokensPerSecond: number }>>();
    for (const threads of settings) {
      const context = await model.createContext({ contextSize: CONTEXT_SIZE, threads });
      const session = new LlamaChatSession({ contextSequence: context.getSequence() });
      runners.set(threads, async () => {
        session.resetChatHistory();
        let tokens = 0;
        let first = 0;
        let firstTokens = 0;
        let last = 0;
        await session.prompt(PROMPT, {
          temperature: 0,
          seed: 1,
          maxTokens: MAX_TOKENS,
          signal: AbortSignal.timeout(RUN_SECONDS * 1000),
          stopOnAbortSignal: true,
          onToken: (chunk) => {
            last = performance.now();
            tokens += chunk.length;
            if (!first) {
              first = last;
              firstTokens = tokens;
            }
          },
        });
        return { tokens, tokensPerSecond: (tokens - firstTokens) / ((last - first) / 1000) };
      });
    }
    // Warm-up: first touch of the mapped weights, thread pools, JIT.
    for (const run of runners.values()) await run();
    const samples = new Map(settings.map((threads) => [threads, [] as number[]]));
    // The thread count changes llama.cpp's summation order, so greedy answers of different settings
    // part after a while; what is compared is decoding as many tokens at the same context positions.
    const tokens = new Map(settings.map((threads) => [threads, [] as number[]]));
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < settings.length; i++) {
        const threads = settings[(i + r) % settings.length]!;
        const result = await runners.get(threads)!();
        samples.get(threads)!.push(result.tokensPerSecond);
        tokens.get(threads)!.push(result.tokens);
        console.error(`threads: round ${r + 1}/${ROUNDS}, ${threads} threads: ${result.tokensPerSecond.toFixed(1)} tokens/s`);
      }
    }
    return { default: chooseThreads(llama), physicalCores: llama.cpuMathCores, samples, tokens };
  } finally {
    await llama.dispose();
  }
}

export async function benchThreads(workDir: string) {
  const logical = os.availableParallelism();
  const settings = Array.from({ length: 2 * logical }, (_, i) => i + 1);
  const loadBefore = os.loadavg().map((l) => round(l, 2));
  const results = [];
  for (const name of ['fixture', 'large'] as const) {
    const { paths } = benchFixtures(workDir, name);
    const run = await sweep(paths.model, settings);
    const medians = new Map(settings.map((threads) => [threads, median(run.samples.get(threads)!)]));
    const best = settings.reduce((a, b) => (medians.get(b)! > medians.get(a)! ? b : a));
    results.push({
      model: name,
      sizeMB: round(fs.statSync(paths.model).size / 2 ** 20, 1),
      tokensPerSecond: Object.fromEntries(settings.map((threads) => [threads, { median: round(medians.get(threads)!, 1), samples: run.samples.get(threads)!.map((s) => round(s, 1)), generated: run.tokens.get(threads) }])),
      best,
      default: run.default.threads,
      defaultReason: run.default.reason,
      defaultOverBest: round(medians.get(run.default.threads)! / medians.get(best)!),
      physicalCores: run.physicalCores,
    });
  }
  return { bench: 'threads', rounds: ROUNDS, maxTokens: MAX_TOKENS, runSeconds: RUN_SECONDS, loadAverage: { before: loadBefore, after: os.loadavg().map((l) => round(l, 2)) }, results };
}
