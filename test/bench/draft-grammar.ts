/**
 * The model draft's grammar on the generated fixture model: in how many of 100 runs (100 seeds, a
 * sampling temperature that wanders) the answer is JSON of the draft schema, read by the same code the
 * app uses. A random model is the hard case for a grammar: it will write anything it is allowed to.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadTemplates } from '../../src-main/core/records/draft/templates.js';
import { extractFindings, loadVocabulary } from '../../src-main/core/records/findings/index.js';
import { parseDialogue } from '../../src-main/core/records/dialogue.js';
import { runModelDraft } from '../../src-main/core/records/model-draft/run.js';
import { planLoad, RuntimeClient } from '../../src-main/core/llm/index.js';
import { silentLog } from '../../src-main/core/log.js';
import { generateFixtures } from '../fixtures/gguf/tiny-llama.js';
import { spawnTestRuntime } from '../helpers/env.js';
import { median, percentile, round } from './stats.js';

const RUNS = 100;
const consultation = ['患者：胸闷气短两周，活动后加重。', '医生：有没有胸痛？发热吗？', '患者：没有胸痛，不发热。', '医生：先做心电图和心脏彩超。'].join('\n');

export async function benchDraftGrammar(workDir: string): Promise<object> {
  const dir = fs.mkdtempSync(path.join(workDir, 'draft-grammar-'));
  const paths = generateFixtures(dir, { contextLength: 8192 });
  const runtime = new RuntimeClient({ spawn: spawnTestRuntime(), log: silentLog, gpu: false, threads: 1 });
  const turns = parseDialogue(consultation);
  const findings = extractFindings(turns, loadVocabulary());
  const sections = loadTemplates().find((t) => t.id === 'general')!.sections['初诊'];
  try {
    await runtime.load(await planLoad(paths.model, [], { signal: new AbortController().signal }));
    let valid = 0;
    const failures: Record<string, number> = {};
    const ms: number[] = [];
    const tokens: number[] = [];
    for (let seed = 1; seed <= RUNS; seed++) {
      const started = performance.now();
      try {
        const { result } = await runModelDraft(runtime, {
          kind: '初诊', sections, turns, findings, facts: [],
          sampling: { temperature: 0.2 + (seed % 9) * 0.1, topK: 40, topP: 0.95, seed, maxTokens: 2048 },
          signal: new AbortController().signal,
          onSection: () => undefined,
        });
        valid++;
        tokens.push(result.timings.generatedTokens);
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'THROWN';
        failures[code] = (failures[code] ?? 0) + 1;
      }
      ms.push(performance.now() - started);
    }
    return { bench: 'draft-grammar', runs: RUNS, schemaValid: valid, failures, msMedian: round(median(ms), 1), msP95: round(percentile(ms, 95), 1), generatedTokensMedian: median(tokens) };
  } finally {
    await runtime.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
