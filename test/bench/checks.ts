import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KnowledgeService } from '../../src-main/core/knowledge/index.js';
import { drugCheckTable, readDrugCheckCases, runDrugCheckCase } from '../fixtures/records/drug-check-cases.js';
import { STARTER_DIR } from '../helpers/env.js';
import { percentile, round } from './stats.js';

/**
 * Pharmacy review before signing: our own cases (test/fixtures/records/drug-checks.json, written
 * from the starter base's entries), caught / total per check kind, and false alarms on the safe
 * prescriptions; with the time one record's checks take.
 */
export async function benchChecks(): Promise<object> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-bench-checks-'));
  const kb = KnowledgeService.open({ file: path.join(dir, 'knowledge.db'), starterDir: STARTER_DIR });
  try {
    const cases = readDrugCheckCases();
    const samples: number[] = [];
    const results = cases.map((c) => {
      const started = performance.now();
      const result = runDrugCheckCase(c, kb);
      samples.push(performance.now() - started);
      return result;
    });
    const table = drugCheckTable(results);
    return {
      bench: 'checks',
      cases: cases.length,
      kinds: table.kinds,
      safe: table.safe,
      missed: table.missed,
      checkMs: { p50: round(percentile(samples, 50)), p95: round(percentile(samples, 95)) },
    };
  } finally {
    kb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
