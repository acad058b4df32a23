/**
 * Memory: what a model and its contexts need (node-llama-cpp's GGUF insights, which simulate
 * llama.cpp's own allocations), what the workstation has, the refusal of a load that would not
 * fit, and the budget the context pool keeps to.
 */
import os from 'node:os';
import { GgufInsights, readGgufFileInfo, type Llama, type LlamaModel } from 'node-llama-cpp';
import { CONTEXT_SIZE_MIN, XinglinError, type ModelMemory } from '../../../contract/index.js';
import { errorText, type LoadPlan } from './load.js';

export interface Bytes {
  ram: number;
  vram: number;
}

export const NO_BYTES: Bytes = { ram: 0, vram: 0 };

export const addBytes = (a: Bytes, b: Bytes): Bytes => ({ ram: a.ram + b.ram, vram: a.vram + b.vram });

/**
 * Contexts beyond the first may take this share of the RAM that is free (counting what idle
 * contexts already hold): the rest stays with the operating system, the app's own windows and
 * the database, so that switching adapters never pushes the workstation into swap.
 */
const CONTEXT_RAM_SHARE = 0.5;
/**
 * VRAM serves little besides this process, but a compute buffer grows with the prompt and the
 * display needs some: keep a fifth of it free.
 */
const CONTEXT_VRAM_SHARE = 0.8;

const GB = 1024 ** 3;
const MB = 1024 ** 2;

/** GB with one decimal; below 0.1 GB in MB, so that a small model's figures do not all read 0.0. */
export function formatBytes(bytes: number): string {
  return bytes >= 0.1 * GB ? `${(bytes / GB).toFixed(1)} GB` : `${Math.max(0.1, bytes / MB).toFixed(1)} MB`;
}

const onGpu = (llama: Llama): boolean => llama.gpu !== false;

/**
 * What a load may use: the configured limit, else the RAM free now plus what the loaded model
 * holds (it is released before the new one loads). On Linux `os.freemem()` is MemAvailable,
 * which counts reclaimable page cache; a mapped model's pages may be counted in both, which errs
 * towards loading rather than refusing.
 */
async function available(llama: Llama, limit: number | undefined, held: Bytes): Promise<Bytes> {
  const ram = limit ?? os.freemem() + held.ram;
  if (!onGpu(llama)) return { ram, vram: Number.POSITIVE_INFINITY };
  const vram = await llama.getVramState();
  return { ram, vram: vram.free + held.vram };
}

/** Context sizes to offer instead, largest first: powers of two below the one asked for. */
function smallerSizes(contextSize: number): number[] {
  const sizes: number[] = [];
  for (let size = 2 ** Math.floor(Math.log2(contextSize - 1)); size >= CONTEXT_SIZE_MIN; size /= 2) sizes.push(size);
  return sizes;
}

export interface FitCheck {
  signal: AbortSignal;
  /** The context the load creates (already capped by the model's trained context where known). */
  contextSize: number;
  useMmap: boolean;
  /** What the loaded model holds now: freed before the new one loads. */
  held: Bytes;
  limit: number | undefined;
}

/**
 * Refuses (MODEL_TOO_LARGE) a model whose weights and first context will not fit the RAM (or
 * VRAM) there is, saying how much each needs and, when a smaller context would fit, which.
 * Reads only the GGUF header; runs before the loaded model is released, so a refusal costs it nothing.
 */
export async function checkLoadFits(llama: Llama, plan: LoadPlan, check: FitCheck): Promise<void> {
  let insights: GgufInsights;
  try {
    insights = await GgufInsights.from(await readGgufFileInfo(plan.model.path, { signal: check.signal, logWarnings: false }), llama);
  } catch (error) {
    check.signal.throwIfAborted();
    throw new XinglinError('MODEL_LOAD_FAILED', `无法读取模型 ${plan.model.file} 的结构以估算内存：${errorText(error)}`, { file: plan.model.file });
  }
  const contextSize = Math.min(check.contextSize, insights.trainContextSize ?? check.contextSize);
  const gpuLayers = onGpu(llama) ? await autoGpuLayers(llama, insights, check) : 0;
  const weights = await insights.estimateModelResourceRequirementsV2({ gpuLayers, useMmap: check.useMmap });
  const contextNeed = async (size: number): Promise<Bytes> => {
    const need = await insights.estimateContextResourceRequirementsV2({ contextSize: size, modelGpuLayers: gpuLayers, sequences: 1, useMmap: check.useMmap });
    return { ram: need.cpuRam, vram: need.gpuVram };
  };
  const model: Bytes = { ram: weights.cpuRam, vram: weights.gpuVram };
  const have = await available(llama, check.limit, check.held);
  const fits = (need: Bytes) => need.ram <= have.ram && need.vram <= have.vram;
  const context = await contextNeed(contextSize);
  const need = addBytes(model, context);
  if (fits(need)) return;

  let suggested: number | null = null;
  for (const size of smallerSizes(contextSize)) {
    check.signal.throwIfAborted();
    if (fits(addBytes(model, await contextNeed(size)))) {
      suggested = size;
      break;
    }
  }
  const resource = need.ram > have.ram ? 'ram' : 'vram';
  const word = resource === 'ram' ? '内存' : '显存';
  const advice = suggested !== null
    ? `把上下文缩小到 ${suggested} 词元即可加载`
    : `即使缩小上下文也放不下，请关闭其他程序释放${word}，或换用更小（量化程度更高）的模型`;
  throw new XinglinError(
    'MODEL_TOO_LARGE',
    `模型 ${plan.model.file} 需要约 ${formatBytes(need[resource])} ${word}（权重 ${formatBytes(model[resource])}，${contextSize} 词元的上下文 ${formatBytes(context[resource])}），本机可用 ${formatBytes(have[resource])}：${advice}`,
    {
      file: plan.model.file,
      resource,
      neededBytes: need[resource],
      availableBytes: have[resource],
      modelBytes: model[resource],
      contextBytes: context[resource],
      contextSize,
      ...(suggested !== null ? { suggestedContextSize: suggested } : {}),
    },
  );
}

/** The layers llama.cpp's 'auto' would offload, as if the loaded model's VRAM were already free. */
async function autoGpuLayers(llama: Llama, insights: GgufInsights, check: FitCheck): Promise<number> {
  try {
    const resolved = await insights.configurationResolver.resolveModelGpuLayersV2('auto', {
      useMmap: check.useMmap,
      signal: check.signal,
      getVramState: async () => {
        const vram = await llama.getVramState();
        return { total: vram.total, free: vram.free + check.held.vram };
      },
    });
    return resolved.gpuLayers;
  } catch {
    check.signal.throwIfAborted();
    return 0;
  }
}

/** What a context of this size (per sequence) on the loaded model will take, estimated before it is created. */
export async function contextNeed(model: LlamaModel, contextSize: number, sequences = 1): Promise<Bytes> {
  const need = await model.fileInsights.estimateContextResourceRequirementsV2({
    contextSize,
    modelGpuLayers: model.gpuLayers,
    sequences,
    flashAttention: model.defaultContextFlashAttention,
    swaFullCache: model.defaultContextSwaFullCache,
    kvCacheKeyType: model.defaultContextKvCacheKeyType,
    kvCacheValueType: model.defaultContextKvCacheValueType,
    useMmap: model.useMmap,
  });
  return { ram: need.cpuRam, vram: need.gpuVram };
}

/**
 * How much the context pool may hold in all: under a configured limit, what the weights leave of
 * it; otherwise a share of what is free now plus what the pool already holds.
 */
export async function contextBudget(model: LlamaModel, limit: number | undefined, pooled: Bytes): Promise<Bytes> {
  const llama = model.llama;
  const ram = limit !== undefined ? limit - model.memoryUsage.ram : CONTEXT_RAM_SHARE * (os.freemem() + pooled.ram);
  if (!onGpu(llama)) return { ram, vram: Number.POSITIVE_INFINITY };
  const vram = await llama.getVramState();
  return { ram, vram: CONTEXT_VRAM_SHARE * (vram.free + pooled.vram) };
}

/** VRAM as llama.cpp sees it now (null on the CPU), for the status. */
export async function vramState(llama: Llama): Promise<{ total: number; free: number } | null> {
  if (!onGpu(llama)) return null;
  const { total, free } = await llama.getVramState();
  return { total, free };
}

/** The status's memory figures: weights and contexts as llama.cpp allocated them, the process and the machine. */
export function modelMemory(model: LlamaModel, contexts: { bytes: Bytes; count: number }, vram: { total: number; free: number } | null): ModelMemory {
  return {
    weightsRamBytes: Math.round(model.memoryUsage.ram),
    weightsVramBytes: Math.round(model.memoryUsage.vram),
    contextBytes: Math.round(contexts.bytes.ram + contexts.bytes.vram),
    contexts: contexts.count,
    processRssBytes: process.memoryUsage().rss,
    ramTotalBytes: os.totalmem(),
    ramFreeBytes: os.freemem(),
    vramTotalBytes: vram ? Math.round(vram.total) : null,
    vramFreeBytes: vram ? Math.round(vram.free) : null,
  };
}
