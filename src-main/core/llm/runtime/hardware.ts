/**
 * What this workstation has (CPU, RAM, GPU backends) and what the model process will choose on it
 * and why: the threads rule, GPU layers, mmap. Runs in the model process, beside the one Llama.
 */
import os from 'node:os';
import { getLlamaGpuTypes, type Llama, type LlamaGpuType } from 'node-llama-cpp';
import type { HardwareReport } from '../../../contract/index.js';

/**
 * The default thread count: one fewer than the physical cores, at least one.
 *
 * Measured here (test/bench/threads.ts: bare node-llama-cpp decode, greedy, 256 tokens, median of
 * 5 rounds, settings alternated; 2-core Xeon): tokens/s with 1 / 2 / 3 / 4 threads were
 * 1122 / 77 / 4.6 / 4.0 on the 1 MB fixture and 47.6 / 46.6 / 1.6 / 1.5 on a 170 MB F32 model, so
 * 1 thread is the fastest on both and the physical-core count (2, llama.cpp's usual default) is
 * never better. Why: llama.cpp's workers meet at a barrier after every operation of every token
 * and spin there; the Node main thread (streaming tokens, detokenising, the event loop) also needs
 * a core while an answer streams. With every core given to workers, one of them is descheduled at
 * many barriers and all the others wait for it: the small model, whose operations are short, then
 * runs 14 times slower; beyond the core count (3, 4) both models collapse.
 *
 * On 8 cores this gives 7, on 16 cores 15 (not measured here: this machine has 2). Decoding, what
 * the doctor watches, is bound by memory bandwidth, which a few cores saturate, so the core left
 * to the app costs little there; reading a long prompt is compute-bound and loses at most 1/8 or
 * 1/16 of its speed; a stalled worker costs far more. Hyper-threads are never counted (llama.cpp's
 * math cores are physical cores): two workers on one core's siblings share its vector units and
 * only add waits. `--threads` / XINGLIN_THREADS override the rule.
 */
export function chooseThreads(llama: Llama, override?: number): { threads: number; reason: string } {
  if (override !== undefined && Number.isInteger(override) && override > 0) {
    return { threads: override, reason: `由 --threads 或 XINGLIN_THREADS 指定为 ${override}` };
  }
  const physical = physicalCores(llama);
  const threads = Math.max(1, physical - 1);
  return {
    threads,
    reason: `物理核心 ${physical} 个：留 1 个给应用本身（传送生成的文字），推理用 ${threads} 个线程`,
  };
}

/** Cores that do math: llama.cpp's count (physical cores, without Intel's efficiency cores). */
function physicalCores(llama: Llama): number {
  return Math.max(1, llama.cpuMathCores || os.availableParallelism());
}

const DISPLAY_NAMES = { cuda: 'CUDA', vulkan: 'Vulkan', metal: 'Metal', cpu: 'CPU' } as const;

function backendName(type: LlamaGpuType): HardwareReport['backends'][number]['name'] {
  return type === false ? 'cpu' : type;
}

/** Each backend node-llama-cpp offers on this platform, whether its drivers are here, and which one runs. */
async function backendsOf(llama: Llama, gpu: 'auto' | false): Promise<HardwareReport['backends']> {
  const [valid, supported] = await Promise.all([getLlamaGpuTypes('allValid'), getLlamaGpuTypes('supported')]);
  const inUse = backendName(llama.gpu);
  return valid.map((type) => {
    const name = backendName(type);
    const usable = name === 'cpu' || supported.includes(type);
    let note: string;
    if (name === inUse) note = '正在使用';
    else if (name === 'cpu') note = '可用（无可用 GPU 时使用）';
    else if (!usable) note = `未找到 ${DISPLAY_NAMES[name]} 驱动或运行库`;
    else if (gpu === false) note = '可用，但已按设置只用 CPU';
    else note = '检测到驱动，但未能启动，已改用其他后端';
    return { name, usable, note };
  });
}

async function gpuOf(llama: Llama): Promise<HardwareReport['gpu']> {
  if (llama.gpu === false) return null;
  const [devices, vram] = await Promise.all([llama.getGpuDeviceNames(), llama.getVramState()]);
  return { backend: llama.gpu, devices, vramTotalBytes: vram.total, vramFreeBytes: vram.free };
}

/** The hardware report of `xinglin doctor` and the models pane, for the Llama this process started. */
export async function hardwareReport(llama: Llama, options: { threads?: number; threadsFromUser: boolean; gpu: 'auto' | false }): Promise<HardwareReport> {
  const cpus = os.cpus();
  const chosen = options.threadsFromUser ? chooseThreads(llama, options.threads) : chooseThreads(llama);
  const onGpu = llama.gpu !== false;
  return {
    platform: `${process.platform}-${process.arch}`,
    cpu: { model: cpus[0]?.model.trim() || '未知', physicalCores: physicalCores(llama), logicalCores: os.availableParallelism() },
    ramTotalBytes: os.totalmem(),
    ramFreeBytes: os.freemem(),
    backends: await backendsOf(llama, options.gpu),
    gpu: await gpuOf(llama),
    choice: {
      gpu: onGpu ? String(llama.gpu) : 'cpu',
      threads: chosen.threads,
      threadsReason: chosen.reason,
      gpuLayers: onGpu ? '自动：按显存能容纳的层数卸载到 GPU，其余留在 CPU' : '0：只用 CPU',
      mmap: onGpu || !llama.supportsMmap
        ? (llama.supportsMmap ? '映射（mmap）模型文件' : '本平台不支持 mmap，读入内存')
        : '映射（mmap）模型文件；CPU 会重排的量化类型（如 Q4_0、Q8_0、Q4_K）改为读入内存，避免同一模型在内存中存两份',
    },
  };
}
