// @vitest-environment node
/**
 * The kill harness at a size for every `npm test` (the benchmark runs 200 kills): the built app
 * and its model process are SIGKILLed at random moments and everything acknowledged must survive.
 * Needs `npm run build` (npm test builds first).
 */
import { expect, it } from 'vitest';
import { bigImport, fixtureModels, tempDir } from '../helpers/env.js';
import { runKills } from './kill-harness.js';

it('survives SIGKILLs of the app and of the model process with nothing acknowledged lost', async () => {
  const { modelsDir } = fixtureModels();
  const seed = Number(process.env.XINGLIN_KILL_SEED ?? Date.now() % 1_000_000);
  const report = await runKills({ dataDir: tempDir('xinglin-kills-'), modelsDir, model: 'tiny-llama.gguf', importFile: bigImport(4), appKills: 4, runtimeKills: 3, seed });
  // The seed replays a failing run: XINGLIN_KILL_SEED=<seed> npx vitest run test/reliability
  expect(report.failures, `seed ${seed}`).toEqual([]);
  expect(report.app).toMatchObject({ kills: 4, survived: 4 });
  expect(report.runtime).toEqual({ kills: 3, survived: 3 });
  expect(report.acknowledgedMessages).toBeGreaterThan(4);
  expect(report.interruptedRows).toBeGreaterThanOrEqual(3);
}, 600_000);
