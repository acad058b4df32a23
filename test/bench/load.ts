import fs from 'node:fs';
import type { Core } from '../../src-main/core/core.js';
import { mulberry32 } from '../fixtures/gguf/tiny-llama.js';
import { openTestCore } from '../helpers/env.js';
import { backupAndEncryption } from './load-backup.js';
import { loadData, SIZES } from './load-data.js';
import { firstPaint } from './load-paint.js';
import { soak } from './load-soak.js';
import { searchQueries, starterVocabulary } from './load-text.js';
import { median, percentile, round } from './stats.js';

/**
 * Numbers under load (issue 13): on 1,000 sessions / 100,000 messages / 10,000 records of 3
 * versions, the p50/p95/max of the reads the UI makes, through the core's API (schema checks
 * included), against their targets; app start to first paint in browser mode; a compressed
 * soak reporting memory growth per hour (XINGLIN_SOAK_SECONDS, default 120); then backup and
 * restore times, encrypting the folder in place, and the same reads again encrypted (SQLCipher),
 * with their ratio to the plain ones.
 */

const SAMPLES = Number(process.env.XINGLIN_BENCH_SAMPLES ?? 300);
const WARMUP = 20;
const SOAK_SECONDS = Number(process.env.XINGLIN_SOAK_SECONDS ?? 120);
const PAINT_RUNS = Number(process.env.XINGLIN_BENCH_PAINT_RUNS ?? 3);

/** p50/p95/max of `samples` runs of `op` (after a warm-up), beside the p95 target when there is one. */
async function timeOp(op: (i: number) => Promise<unknown>, targetP95Ms: number | null): Promise<object> {
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES + WARMUP; i += 1) {
    const started = performance.now();
    await op(i);
    if (i >= WARMUP) samples.push(performance.now() - started);
  }
  const p95 = percentile(samples, 95);
  return {
    samples: samples.length,
    p50: round(median(samples)),
    p95: round(p95),
    max: round(Math.max(...samples)),
    ...(targetP95Ms === null ? {} : { targetP95: targetP95Ms, pass: p95 <= targetP95Ms }),
  };
}

async function latencies(core: Core, data: { longSessions: string[]; recordIds: string[] }): Promise<Record<string, object>> {
  const next = mulberry32(20261210);
  const queries = searchQueries(starterVocabulary(), next, SAMPLES + WARMUP);
  const messages = await core.api.sessions.messages({ id: data.longSessions[0]! });
  const hits = await core.api.sessions.search({ query: queries[0]!, limit: 50 });
  return {
    'sessions.list': await timeOp(() => core.api.sessions.list(), 20),
    'sessions.search': { ...(await timeOp((i) => core.api.sessions.search({ query: queries[i]!, limit: 50 }), 30)), limit: 50, exampleQuery: queries[0], exampleHits: hits.length },
    'sessions.messages': { ...(await timeOp((i) => core.api.sessions.messages({ id: data.longSessions[i % data.longSessions.length]! }), 50)), messagesInFirst: messages.length },
    'records.list': { ...(await timeOp(() => core.api.records.list({ limit: 200 }), null)), limit: 200 },
    'records.get': await timeOp(() => core.api.records.get({ id: data.recordIds[Math.floor(next() * data.recordIds.length)]! }), null),
  };
}

function p50Of(figures: object | undefined): number {
  return (figures as { p50: number }).p50;
}

export async function benchLoad(workDir: string): Promise<object> {
  const data = await loadData(workDir);
  try {
    const core = await openTestCore({ dataDir: data.dataDir });
    let measured: Record<string, object>;
    let soaked: object;
    try {
      measured = await latencies(core, data);
      const sessions = (await core.api.sessions.list()).map((s) => s.id);
      soaked = await soak(core, { sessions, recordIds: data.recordIds }, SOAK_SECONDS);
    } finally {
      await core.close();
    }
    const paint = await firstPaint(data.dataDir, PAINT_RUNS);
    const { key, figures: backups } = await backupAndEncryption(data.dataDir);
    const encryptedCore = await openTestCore({ dataDir: data.dataDir, databaseKey: key });
    let encrypted: Record<string, object>;
    try {
      encrypted = await latencies(encryptedCore, data);
    } finally {
      await encryptedCore.close();
    }
    return {
      bench: 'load',
      sizes: SIZES,
      generation: { ...data.generation, thisRunMs: data.generatedMs, cached: data.generatedMs === null },
      latencyMs: measured,
      firstPaint: Array.isArray(paint)
        ? {
            runs: paint,
            medianMs: {
              serverReady: median(paint.map((r) => r.serverReadyMs)),
              firstContentfulPaint: median(paint.map((r) => r.firstContentfulPaintMs)),
              sessionList: median(paint.flatMap((r) => (r.sessionListMs === null ? [] : [r.sessionListMs]))),
            },
          }
        : paint,
      soak: soaked,
      backupAndRestore: backups,
      encryptedLatencyMs: encrypted,
      encryptedOverPlainP50: Object.fromEntries(Object.keys(measured).map((op) => [op, round(p50Of(encrypted[op]) / p50Of(measured[op]))])),
    };
  } finally {
    fs.rmSync(data.dataDir, { recursive: true, force: true });
  }
}
