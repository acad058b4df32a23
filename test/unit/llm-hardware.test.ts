/**
 * The hardware report and the threads rule, on this machine's real llama.cpp (no GPU forced, and
 * with whatever backend `auto` finds).
 */
import os from 'node:os';
import { getLlama, LlamaLogLevel, type Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HardwareReport } from '../../src-main/contract/index.js';
import { chooseThreads, hardwareReport } from '../../src-main/core/llm/runtime/hardware.js';

let llama: Llama;
beforeAll(async () => {
  llama = await getLlama({ build: 'never', gpu: false, logLevel: LlamaLogLevel.error });
});
afterAll(async () => {
  await llama?.dispose();
});

describe('the threads rule', () => {
  it('leaves one physical core to the app: physical cores − 1, at least 1, and says why', () => {
    const physical = llama.cpuMathCores;
    const chosen = chooseThreads(llama);
    expect(chosen.threads).toBe(Math.max(1, physical - 1));
    expect(chosen.reason).toContain(`物理核心 ${physical} 个`);
    expect(chosen.reason).toContain(`${chosen.threads} 个线程`);
  });

  it('takes --threads / XINGLIN_THREADS as given, and ignores a value that is not a positive integer', () => {
    expect(chooseThreads(llama, 3)).toEqual({ threads: 3, reason: expect.stringContaining('--threads') });
    expect(chooseThreads(llama, 0).threads).toBe(chooseThreads(llama).threads);
    expect(chooseThreads(llama, 1.5).threads).toBe(chooseThreads(llama).threads);
  });
});

describe('the hardware report', () => {
  it('describes the CPU, RAM, backends and the choice on the CPU, and fits the contract', async () => {
    const report = await hardwareReport(llama, { threadsFromUser: false, gpu: false });
    expect(HardwareReport.parse(report)).toEqual(report);
    expect(report.platform).toBe(`${process.platform}-${process.arch}`);
    expect(report.cpu).toEqual({ model: os.cpus()[0]!.model.trim(), physicalCores: llama.cpuMathCores, logicalCores: os.availableParallelism() });
    expect(report.ramTotalBytes).toBe(os.totalmem());
    expect(report.ramFreeBytes).toBeGreaterThan(0);
    expect(report.ramFreeBytes).toBeLessThanOrEqual(report.ramTotalBytes);
    // The CPU is always a usable backend; here it is the one in use.
    expect(report.backends).toContainEqual({ name: 'cpu', usable: true, note: '正在使用' });
    for (const backend of report.backends.filter((b) => b.name !== 'cpu')) {
      expect(backend.note).toMatch(backend.usable ? /已按设置只用 CPU/ : /未找到/);
    }
    expect(report.gpu).toBeNull();
    expect(report.choice).toMatchObject({ gpu: 'cpu', threads: chooseThreads(llama).threads, threadsReason: chooseThreads(llama).reason, gpuLayers: expect.stringContaining('只用 CPU') });
    expect(report.choice.mmap).toMatch(/Q4_0/);
  });

  it('reports threads the user chose, with that reason', async () => {
    const report = await hardwareReport(llama, { threads: 2, threadsFromUser: true, gpu: false });
    expect(report.choice.threads).toBe(2);
    expect(report.choice.threadsReason).toMatch(/--threads/);
  });
});
