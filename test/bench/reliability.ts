import fs from 'node:fs';
import path from 'node:path';
import { bigImport } from '../helpers/env.js';
import { generateFixtures } from '../fixtures/gguf/tiny-llama.js';
import { runKills } from '../reliability/kill-harness.js';

/**
 * The kill harness at full size: 200 SIGKILLs by default, half of the app process (during
 * answers and imports) and half of the model process (during answers), each followed by the
 * checks of test/reliability/kill-harness.ts. XINGLIN_BENCH_KILLS sets the total; the seed is
 * printed so a failure can be replayed with XINGLIN_KILL_SEED.
 */
export async function benchReliability(workDir: string) {
  const total = Number(process.env.XINGLIN_BENCH_KILLS ?? 200);
  const seed = Number(process.env.XINGLIN_KILL_SEED ?? Date.now() % 1_000_000);
  const modelsDir = path.join(workDir, 'models-fixture-kills-2048');
  // The context the tests use: room for the grounded sources and a long answer.
  if (!fs.existsSync(path.join(modelsDir, 'tiny-llama.gguf'))) generateFixtures(modelsDir, { contextLength: 2048 });
  const dataDir = fs.mkdtempSync(path.join(workDir, 'kills-'));
  const started = performance.now();
  const report = await runKills({ dataDir, modelsDir, model: 'tiny-llama.gguf', importFile: bigImport(4), appKills: Math.ceil(total / 2), runtimeKills: Math.floor(total / 2), seed });
  return { bench: 'reliability', ...report, failures: report.failures.slice(0, 50), failureCount: report.failures.length, minutes: Math.round((performance.now() - started) / 600) / 100 };
}
