import { fileURLToPath } from 'node:url';
import type { CriteriaCase, EvalRunSummary } from '../../src-main/contract/index.js';
import { defaultSampling } from '../../src-main/core/config.js';
import type { Core } from '../../src-main/core/core.js';
import { scoreCriteria } from '../../src-main/core/eval/scoring/criteria.js';
import { KnowledgeService } from '../../src-main/core/knowledge/index.js';
import { openTestCore, STARTER_DIR, tempDir } from '../helpers/env.js';
import { appThreads, benchFixtures, BENCH_CONTEXT, type BenchModel } from './models.js';
import { median, round } from './stats.js';

/**
 * Issue 12's figures: how fast answers are scored (cases/s, the starter base's knowledge-mode
 * answers to a set made from it), and eval throughput on the fixture model answering one case at
 * a time against the lanes of one context (parallel sequences), through the whole run path
 * (model queue, grounding, scoring, saving).
 */

const ROUNDS = Number(process.env.XINGLIN_BENCH_ROUNDS ?? 3);
const CASES = Number(process.env.XINGLIN_BENCH_CASES ?? 16);
const SAMPLING = { ...defaultSampling, temperature: 0, seed: 1, maxTokens: Number(process.env.XINGLIN_BENCH_TOKENS ?? 48) };

async function scoringSpeed() {
  const dir = tempDir('xinglin-bench-eval-');
  const knowledge = KnowledgeService.open({ file: `${dir}/knowledge.db`, starterDir: STARTER_DIR });
  try {
    const core = await openTestCore({ dataDir: dir });
    let cases: CriteriaCase[];
    try {
      const set = await core.api.eval.makeSet({ kinds: ['drug-indication', 'drug-contraindication', 'disease-symptom', 'disease-exam', 'disease-drug'], sample: 200, seed: 1 });
      cases = (await core.api.eval.set({ id: set.id })).cases as CriteriaCase[];
    } finally {
      await core.close();
    }
    const answered = cases.map((c) => ({ c, answer: knowledge.ask(c.instruction).answer }));
    const samples: number[] = [];
    for (let r = 0; r < ROUNDS + 1; r++) {
      const started = performance.now();
      for (const { c, answer } of answered) scoreCriteria(answer, c.gold, c.kind, knowledge);
      if (r > 0) samples.push(answered.length / ((performance.now() - started) / 1000));
    }
    return { cases: answered.length, casesPerSecond: round(median(samples), 0) };
  } finally {
    knowledge.close();
  }
}

function runToEnd(core: Core, setId: string, parallel: boolean): Promise<EvalRunSummary> {
  return new Promise((resolve, reject) => {
    const off = core.api.on('eval.run', ({ run }) => {
      if (run.setId !== setId || run.state === 'running') return;
      off();
      resolve(run);
    });
    core.api.eval.start({ setId, targets: [{ kind: 'profile', profileId: 'base' }], parallel }).catch(reject);
  });
}

/** The hand-written 100-question exam on the fixture model: the figure means nothing for random weights; the path running end to end does. */
async function exam(workDir: string) {
  const { modelsDir } = benchFixtures(workDir, 'fixture');
  const core = await openTestCore({ modelsDir, threads: await appThreads(), contextSize: BENCH_CONTEXT });
  try {
    await core.api.models.list();
    await core.api.profiles.save({ profile: { id: 'base', name: '基础', backend: { kind: 'local', model: 'tiny-llama.gguf', adapters: [] }, sampling: SAMPLING, contextSize: BENCH_CONTEXT } });
    await core.api.profiles.use({ id: 'base' });
    const set = await core.api.eval.importSet({ file: core.files.register(fileURLToPath(new URL('../fixtures/eval/choice-100.jsonl', import.meta.url))).file });
    const started = performance.now();
    const run = await runToEnd(core, set.id, true);
    const seconds = (performance.now() - started) / 1000;
    const detail = await core.api.eval.run({ id: run.id });
    const via = (how: string | null) => detail.cases.filter((c) => (c.results[0]?.choice?.via ?? null) === how).length;
    const correct = run.targets[0]!.auto.correct!;
    return { cases: correct.n, correct: correct.count, accuracy: round(correct.rate), ci95: [round(correct.low), round(correct.high)], byLikelihood: via('likelihood'), parsed: via('parsed'), unparsed: via(null), seconds: round(seconds, 1) };
  } finally {
    await core.close();
  }
}

async function throughput(workDir: string, model: BenchModel, cases: number) {
  const { modelsDir } = benchFixtures(workDir, model);
  const core = await openTestCore({ modelsDir, threads: await appThreads(), contextSize: BENCH_CONTEXT });
  try {
    await core.api.models.list();
    await core.api.profiles.save({ profile: { id: 'base', name: '基础', backend: { kind: 'local', model: 'tiny-llama.gguf', adapters: [] }, sampling: SAMPLING, contextSize: BENCH_CONTEXT } });
    await core.api.profiles.use({ id: 'base' });
    const set = await core.api.eval.makeSet({ kinds: ['drug-indication'], sample: cases, seed: 1 });
    const seconds = { sequential: [] as number[], parallel: [] as number[] };
    let lanes = 1;
    await runToEnd(core, set.id, true); // warm: the lanes' context exists before timing
    for (let r = 0; r < ROUNDS; r++) {
      for (const mode of r % 2 === 0 ? (['sequential', 'parallel'] as const) : (['parallel', 'sequential'] as const)) {
        const started = performance.now();
        const run = await runToEnd(core, set.id, mode === 'parallel');
        seconds[mode].push((performance.now() - started) / 1000);
        if (mode === 'parallel') lanes = run.targets[0]!.provenance!.parallel;
      }
    }
    const [sequential, parallel] = [median(seconds.sequential), median(seconds.parallel)];
    return { model, cases, maxTokens: SAMPLING.maxTokens, lanes, sequentialSeconds: round(sequential), parallelSeconds: round(parallel), casesPerSecond: { sequential: round(cases / sequential, 2), parallel: round(cases / parallel, 2) }, speedup: round(sequential / parallel, 2) };
  } finally {
    await core.close();
  }
}

export async function benchEval(workDir: string) {
  // The fixture as the issue asks; the 170 MB model, where a token costs enough for batching to show.
  return { bench: 'eval', rounds: ROUNDS, scoring: await scoringSpeed(), exam: await exam(workDir), throughput: [await throughput(workDir, 'fixture', CASES), await throughput(workDir, 'large', CASES / 2)] };
}
