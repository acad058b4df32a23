/**
 * Loading a base model: every file inspected and every adapter checked against the base before
 * llama.cpp sees any of them, digests for provenance (`planLoad`, in the app process), then the
 * weights (`loadWeights`, in the model process). Contexts with adapters come on top (slot.ts).
 */
import path from 'node:path';
import { InsufficientMemoryError, type Llama, type LlamaModel } from 'node-llama-cpp';
import { XinglinError, type AdapterRef, type FileRef } from '../../../contract/index.js';
import { sha256File } from '../file-hash.js';
import { isCpuRepackedType } from '../gguf/ggml-types.js';
import { checkAdapterFits, inspectAdapter, inspectModel, type GgufInspection } from '../gguf/inspect.js';

export type LoadPhase = 'hash' | 'model' | 'adapters' | 'context';

export interface LoadProgress {
  phase: LoadPhase;
  file: string;
  /** 0…1 */
  progress: number;
}

export interface AdapterChoice {
  path: string;
  scale: number;
}

export interface LoadOptions {
  signal: AbortSignal;
  onProgress?: ((progress: LoadProgress) => void) | undefined;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Progress of one phase for one file, as the UI wants it: starts at 0, only moves forward, and
 * reaches 1 exactly once, when the step is really done. (node-llama-cpp relays llama.cpp's load
 * percentages asynchronously, so for a small file they can arrive after the load resolved; its
 * LoRA callback reports only 1.)
 */
export function track(onProgress: LoadOptions['onProgress'], phase: LoadPhase, file: string): { report(progress: number): void; done(): void } {
  const emit = (progress: number) => onProgress?.({ phase, file, progress });
  let last = 0;
  let finished = false;
  emit(0);
  return {
    report: (progress) => {
      if (finished || !(progress > last) || progress >= 1) return;
      last = progress;
      emit(progress);
    },
    done: () => {
      if (finished) return;
      finished = true;
      emit(1);
    },
  };
}

/**
 * What a load needs to know, found before any process touches llama.cpp: every file inspected and
 * every adapter checked against the base (llama.cpp's own errors are vague or fatal), and their
 * digests for provenance. Runs in the app process; the model process only loads a plan.
 */
export interface LoadPlan {
  model: FileRef & { path: string; architecture: string; chatTemplate: string | null; hasRepackedTensors: boolean };
  adapters: Array<AdapterRef & { path: string }>;
}

export async function planLoad(modelPath: string, choices: readonly AdapterChoice[], options: { signal: AbortSignal; onProgress?: LoadOptions['onProgress'] }): Promise<LoadPlan> {
  const { signal, onProgress } = options;
  const base = await inspectModel(modelPath);
  const adapters: Array<{ info: GgufInspection; scale: number }> = [];
  for (const choice of choices) {
    if (!Number.isFinite(choice.scale)) {
      throw new XinglinError('INVALID_INPUT', `适配器 ${path.basename(choice.path)} 的权重系数无效：${choice.scale}`, { file: path.basename(choice.path) });
    }
    const info = await inspectAdapter(choice.path);
    checkAdapterFits(base, info);
    adapters.push({ info, scale: choice.scale });
  }
  signal.throwIfAborted();

  // Digests are remembered, so a reload (or a restarted model process) does not rehash.
  const hashOf = async (info: GgufInspection) => {
    const progress = track(onProgress, 'hash', info.file);
    const digest = await sha256File(info.path, { signal, onProgress: (p) => progress.report(p) });
    progress.done();
    return digest;
  };
  const digest = await hashOf(base);
  const adapterRefs: LoadPlan['adapters'] = [];
  for (const { info, scale } of adapters) {
    const d = await hashOf(info);
    adapterRefs.push({ file: info.file, path: info.path, sha256: d.sha256, sizeBytes: d.sizeBytes, scale });
  }
  signal.throwIfAborted();
  return {
    model: { file: base.file, path: base.path, sha256: digest.sha256, sizeBytes: digest.sizeBytes, architecture: base.architecture, chatTemplate: base.chatTemplate, hasRepackedTensors: base.tensors.some((tensor) => isCpuRepackedType(tensor.ggmlType)) },
    adapters: adapterRefs,
  };
}

/** The adapters of a plan as provenance records them (without their paths). */
export function adapterRefsOf(plan: LoadPlan): AdapterRef[] {
  return plan.adapters.map(({ file, sha256, sizeBytes, scale }) => ({ file, sha256, sizeBytes, scale }));
}

/**
 * The weights, read once: a variant's context (adapters, size) and its template are added on top
 * of them by `openSlot` (slot.ts), the first one right after.
 */
export async function loadWeights(llama: Llama, plan: LoadPlan, options: LoadOptions): Promise<LlamaModel> {
  const { signal, onProgress } = options;
  const base = plan.model;
  const cpuOnly = llama.gpu === false;
  const useMmap = usesMmap(llama, plan);
  const modelProgress = track(onProgress, 'model', base.file);
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath: base.path, useMmap, gpuLayers: cpuOnly ? 0 : 'auto', loadSignal: signal, onLoadProgress: (p) => modelProgress.report(p) });
  } catch (error) {
    signal.throwIfAborted();
    const cause = error instanceof InsufficientMemoryError ? '内存不足' : errorText(error);
    throw new XinglinError('MODEL_LOAD_FAILED', `llama.cpp 无法加载模型 ${base.file}：${cause}`, { file: base.file });
  }
  modelProgress.done();
  return model;
}

/**
 * Whether the weights are mapped from the file. On the CPU, quantised weights are repacked into a
 * second buffer; with mmap the mapped file pages stay resident too, i.e. the model is held twice.
 * Such files are read instead of mapped.
 */
export function usesMmap(llama: Llama, plan: LoadPlan): boolean {
  return llama.supportsMmap && !(llama.gpu === false && plan.model.hasRepackedTensors);
}
