import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sectionText } from '../../src-main/contract/index.js';
import type { Core } from '../../src-main/core/core.js';
import { mulberry32 } from '../fixtures/gguf/tiny-llama.js';
import { answerOf } from '../helpers/env.js';
import { question, searchQueries, starterVocabulary } from './load-text.js';
import { round } from './stats.js';

/**
 * A compressed day: chat questions answered in knowledge mode (no model), record edits saved as
 * new versions, searches, in a loop for `seconds`. After a warm-up the process's RSS and heap are
 * sampled every few seconds (the heap after a full GC); the growth per hour is the least-squares slope of each.
 */

const SAMPLE_EVERY_MS = 5000;

/**
 * A full collection before each heap sample, so the slope measures what stays alive, not garbage
 * waiting for the next GC. `gc` is exposed at run time because the bench runs through tsx.
 */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

interface Sample {
  atS: number;
  rssMB: number;
  heapUsedMB: number;
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? Number.NaN : sxy / sxx;
}

const mb = (bytes: number): number => bytes / 1024 / 1024;

export async function soak(core: Core, data: { sessions: string[]; recordIds: string[] }, seconds: number): Promise<object> {
  const next = mulberry32(20261209);
  const vocabulary = starterVocabulary();
  const queries = searchQueries(vocabulary, next, 200);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const gc = exposeGc();
  const warmupMs = Math.min(30_000, seconds * 200);
  const started = performance.now();
  const samples: Sample[] = [];
  let nextSample = started + warmupMs;
  const done = { questions: 0, saves: 0, searches: 0 };
  while (performance.now() - started < seconds * 1000) {
    const sessionId = pick(data.sessions);
    const sent = await core.api.chat.send({ sessionId, text: question(vocabulary, next) });
    const answered = await answerOf(core, sent.assistantMessageId);
    if (answered.error) throw new Error(`knowledge-mode answer failed: ${answered.error.error.message}`);
    done.questions += 1;
    const record = await core.api.records.get({ id: pick(data.recordIds) });
    const sections = record.sections.map((s, k) => ({ key: s.key, text: k === 0 ? `${sectionText(s)}。` : sectionText(s) }));
    await core.api.records.save({ id: record.id, baseVersion: record.version, author: '王医生', sections });
    done.saves += 1;
    for (let i = 0; i < 3; i += 1) await core.api.sessions.search({ query: pick(queries), limit: 50 });
    done.searches += 3;
    await core.api.sessions.list();
    const now = performance.now();
    if (now >= nextSample) {
      gc();
      const memory = process.memoryUsage();
      samples.push({ atS: (now - started) / 1000, rssMB: mb(memory.rss), heapUsedMB: mb(memory.heapUsed) });
      nextSample = now + SAMPLE_EVERY_MS;
    }
  }
  const perHour = (key: 'rssMB' | 'heapUsedMB'): number => round(slope(samples.map((s) => [s.atS, s[key]])) * 3600, 1);
  return {
    seconds,
    warmupS: warmupMs / 1000,
    done,
    samples: samples.length,
    rssMB: { first: round(samples[0]?.rssMB ?? Number.NaN, 1), last: round(samples.at(-1)?.rssMB ?? Number.NaN, 1), growthPerHour: perHour('rssMB') },
    heapUsedMB: { first: round(samples[0]?.heapUsedMB ?? Number.NaN, 1), last: round(samples.at(-1)?.heapUsedMB ?? Number.NaN, 1), growthPerHour: perHour('heapUsedMB') },
    note: '每次采样前先完整 GC；斜率为最小二乘拟合 / full GC before each sample; least-squares slope',
  };
}
