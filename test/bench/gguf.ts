import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { XinglinError } from '../../src-main/contract/index.js';
import { inspectModel } from '../../src-main/core/llm/index.js';
import { GGUF_LIMITS } from '../../src-main/core/llm/gguf/reader.js';
import { ggufString, preamble, stringArrayHeader, u32, u64, writeSparse } from '../fixtures/gguf/crafted.js';
import { writeTinyLlama } from '../fixtures/gguf/tiny-llama.js';
import { median, percentile, round } from './stats.js';

/**
 * How long inspecting a GGUF file blocks the event loop (issue 9: a 600 MB sparse file declaring
 * 2^32 strings froze the API for 11 s; goal: no stall over 50 ms on any file). Cases: that file;
 * the most a header may declare within the reader's caps (2^24 empty strings, walked to the end;
 * 16,384 metadata entries; 16,384 tensors); a model with a 150,000-token vocabulary; and
 * ../shared/models/stories260K.gguf when present.
 * Stall = a gap between ticks of a 1 ms timer while the inspections run (wall time, and the
 * process CPU time within the gap: on a loaded machine the wall time includes other processes).
 */

const RUNS = Number(process.env.XINGLIN_BENCH_GGUF_RUNS ?? 5);
const SPARSE_BYTES = 600 * 1024 * 1024;
const REAL_MODEL = path.resolve('..', 'shared', 'models', 'stories260K.gguf');

/** The most metadata entries the reader accepts, each as small as can be. */
function manyEntries(file: string): string {
  const entries = Array.from({ length: GGUF_LIMITS.kvCount }, (_, i) => Buffer.concat([ggufString(`k${i}`), u32(0), Buffer.alloc(1)]));
  const header = Buffer.concat([preamble(0, entries.length), ...entries]);
  fs.writeFileSync(file, Buffer.concat([header, Buffer.alloc(Math.ceil(header.length / 32) * 32 - header.length)]));
  return file;
}

/** The most tensors the reader accepts, in one layer of a llama header (so every check runs). */
function manyTensors(file: string): string {
  const count = GGUF_LIMITS.tensorCount;
  const keys: Array<[string, number]> = [['llama.context_length', 16], ['llama.embedding_length', 8], ['llama.block_count', 1]];
  const header = Buffer.concat([
    preamble(count, keys.length + 1),
    ggufString('general.architecture'), u32(8), ggufString('llama'),
    ...keys.map(([key, value]) => Buffer.concat([ggufString(key), u32(4), u32(value)])),
    ...Array.from({ length: count }, (_, i) => Buffer.concat([ggufString(`blk.0.t${i}`), u32(1), u64(8), u32(0), u64(i * 32)])),
  ]);
  writeSparse(file, header, Math.ceil(header.length / 32) * 32 + count * 32);
  return file;
}

/**
 * Runs `work` under a 1 ms interval timer and returns every gap between its ticks: the wall time,
 * and the CPU time the process spent in that gap. Wall time beyond the CPU time is the OS running
 * other processes (on a busy machine); the CPU time bounds what the reader itself blocked.
 */
async function eventLoopGaps(work: () => Promise<void>): Promise<Array<{ wallMs: number; cpuMs: number }>> {
  const gaps: Array<{ wallMs: number; cpuMs: number }> = [];
  let wall = performance.now();
  let cpu = process.cpuUsage();
  const timer = setInterval(() => {
    const spent = process.cpuUsage(cpu);
    const now = performance.now();
    gaps.push({ wallMs: now - wall, cpuMs: (spent.user + spent.system) / 1000 });
    wall = now;
    cpu = process.cpuUsage();
  }, 1);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return gaps;
}

async function measure(file: string) {
  const outcome = await inspectModel(file).then(
    () => 'accepted',
    (error: unknown) => (error instanceof XinglinError ? error.code : String(error)),
  );
  const times: number[] = [];
  const gaps = await eventLoopGaps(async () => {
    for (let run = 0; run < RUNS; run++) {
      const start = performance.now();
      await inspectModel(file).catch(() => undefined);
      times.push(performance.now() - start);
    }
  });
  const walls = gaps.map((gap) => gap.wallMs);
  return {
    file: path.basename(file),
    sizeBytes: fs.statSync(file).size,
    outcome,
    maxStallMs: round(Math.max(...walls), 1),
    p50StallMs: round(percentile(walls, 50), 1),
    maxStallCpuMs: round(Math.max(...gaps.map((gap) => gap.cpuMs)), 1),
    msPerInspection: round(median(times), 1),
  };
}

export async function benchGguf(workDir: string): Promise<object> {
  const dir = fs.mkdtempSync(path.join(workDir, 'gguf-'));
  try {
    const sparse = (name: string, count: bigint) => {
      const file = path.join(dir, name);
      writeSparse(file, stringArrayHeader(count), SPARSE_BYTES);
      return file;
    };
    const vocab = path.join(dir, 'vocab-150k.gguf');
    writeTinyLlama(vocab, { nEmbd: 8, nHead: 2, nHeadKv: 2, nFf: 16, vocabExtra: 150_000 });
    const files = [
      sparse('sparse-2^32-strings.gguf', 2n ** 32n),
      sparse('sparse-2^24-strings.gguf', BigInt(GGUF_LIMITS.arrayLength)),
      manyEntries(path.join(dir, `${GGUF_LIMITS.kvCount}-entries.gguf`)),
      manyTensors(path.join(dir, `${GGUF_LIMITS.tensorCount}-tensors.gguf`)),
      vocab,
    ];
    if (fs.existsSync(REAL_MODEL)) files.push(REAL_MODEL);
    const cases = [];
    for (const file of files) cases.push(await measure(file));
    return {
      bench: 'gguf',
      runs: RUNS,
      goalMaxStallMs: 50,
      worstStallMs: Math.max(...cases.map((c) => c.maxStallMs)),
      worstStallCpuMs: Math.max(...cases.map((c) => c.maxStallCpuMs)),
      loadAverage: os.loadavg()[0],
      cases,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
