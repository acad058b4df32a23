import fs from 'node:fs';
import path from 'node:path';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import { chooseThreads } from '../../src-main/core/llm/runtime/hardware.js';
import { fixturePaths, generateFixtures, type FixturePaths, type TinyLlamaOptions } from '../fixtures/gguf/tiny-llama.js';

/** The models the benchmarks share, generated once into the bench folder. */

export const BENCH_CONTEXT = 2048;

export const benchModels = {
  fixture: { contextLength: BENCH_CONTEXT },
  // ≥ 100 MB of F32 weights (170 MB): large enough that generation, not overhead, dominates.
  large: { nEmbd: 768, nLayer: 6, nHead: 12, nHeadKv: 12, nFf: 2048, contextLength: BENCH_CONTEXT },
  // The same weights with room for a long session (history + grounding ≈ 2,000 tokens and more).
  'large-4k': { nEmbd: 768, nLayer: 6, nHead: 12, nHeadKv: 12, nFf: 2048, contextLength: 4096 },
  // The same model stored as Q4_0 (24 MB), a type the CPU backend repacks at load.
  'large-q4': { nEmbd: 768, nLayer: 6, nHead: 12, nHeadKv: 12, nFf: 2048, contextLength: BENCH_CONTEXT, weights: 'Q4_0' },
  // A Q4_0 model as large as the F32 one (173 MB, 310 M weights), so a few MB of fixed load overhead do not dominate.
  'xl-q4': { nEmbd: 2048, nLayer: 6, nHead: 16, nHeadKv: 16, nFf: 5632, contextLength: BENCH_CONTEXT, weights: 'Q4_0' },
} satisfies Record<string, TinyLlamaOptions>;

export type BenchModel = keyof typeof benchModels;

/** The model (and its adapters, in lora/) in `<workDir>/models-<name>`, written unless already there. */
export function benchFixtures(workDir: string, name: BenchModel): { modelsDir: string; paths: FixturePaths } {
  const modelsDir = path.join(workDir, `models-${name}`);
  const paths = fixturePaths(modelsDir);
  // The last file generateFixtures writes: its presence means the set is complete.
  if (!fs.existsSync(paths.notAModel)) generateFixtures(modelsDir, benchModels[name]);
  return { modelsDir, paths };
}

/** Threads for the app-path benches: XINGLIN_BENCH_THREADS, else the app's own default rule. */
export async function appThreads(): Promise<number> {
  const fromEnv = Number(process.env.XINGLIN_BENCH_THREADS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  const llama = await getLlama({ build: 'never', gpu: false, logLevel: LlamaLogLevel.error });
  try {
    return chooseThreads(llama).threads;
  } finally {
    await llama.dispose();
  }
}
