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
 * Measured (test/bench/threads.ts, decode tokens/s, greedy, 256 tokens): on this 2-core machine
 * 1 thread is the fastest on both the 1.4 MB fixture and a 170 MB F32 model, and 2 threads (the
 * physical-core count, llama.cpp's usual default) run at about half its speed; 3 and 4 are worse
 * still. The reason is that llama.cpp's worker threads spin at each barrier between operations:
 * when the Node main thread (streaming tokens out, the event loop, the chat wrapper's detokenising)
 * or the OS takes a core that a worker needs, every operation of every token waits for the
 * descheduled worker. Leaving one core to them removes that stall.
 *
 * On 8 cores this gives 7, on 16 cores 15: decode is bound by memory bandwidth, which a handful of
 * cores already saturate, so the core given up costs a few percent at most, while a stalled worker
 * costs up to half. Logical cores (hyper-threads) are never counted: two workers on one core's
 * siblings share its vector units and only add barrier waits. `--threads` / XINGLIN_THREADS override.
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
