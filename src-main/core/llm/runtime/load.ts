/**
 * Loading a base model with its LoRA adapters: every file inspected and every adapter checked
 * against the base before llama.cpp sees any of them, digests for provenance, then the weights,
 * a context with the adapters applied and a chat session on the model's own template.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { InsufficientMemoryError, LlamaChatSession, resolveChatWrapper, type ChatWrapper, type Llama, type LlamaContext, type LlamaModel } from 'node-llama-cpp';
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

export interface LoadedModel {
  model: LlamaModel;
  context: LlamaContext;
  session: LlamaChatSession;
  modelRef: FileRef & { architecture: string; contextSize: number; template: string };
  adapters: AdapterRef[];
  template: string;
  gpu: string;
}

export interface LoadOptions {
  signal: AbortSignal;
  contextSize: number;
  threads: number | null;
  onProgress?: ((progress: LoadProgress) => void) | undefined;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The name recorded in provenance: the wrapper, plus which Jinja template when it is a raw one. */
function templateName(wrapper: ChatWrapper, jinja: string | null): string {
  if (wrapper.wrapperName === 'JinjaTemplate' && jinja) {
    return `JinjaTemplate(sha256:${createHash('sha256').update(jinja).digest('hex').slice(0, 12)})`;
  }
  return wrapper.wrapperName;
}

/**
 * Progress of one phase for one file, as the UI wants it: starts at 0, only moves forward, and
 * reaches 1 exactly once, when the step is really done. (node-llama-cpp relays llama.cpp's load
 * percentages asynchronously, so for a small file they can arrive after the load resolved; its
 * LoRA callback reports only 1.)
 */
function track(onProgress: LoadOptions['onProgress'], phase: LoadPhase, file: string): { report(progress: number): void; done(): void } {
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

/** The weights, a context with the adapters applied and a chat session on the model's own template. */
export async function loadModel(llama: Llama, plan: LoadPlan, options: LoadOptions): Promise<LoadedModel> {
  const { signal, onProgress } = options;
  const base = plan.model;
  const adapters = plan.adapters;
  const adapterRefs = adapterRefsOf(plan);
  const cpuOnly = llama.gpu === false;
  // On the CPU, quantised weights are repacked into a second buffer; with mmap the mapped file
  // pages stay resident too, i.e. the model is held twice. Read such files instead of mapping.
  const repacked = cpuOnly && base.hasRepackedTensors;
  const useMmap = llama.supportsMmap && !repacked;
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

  try {
    signal.throwIfAborted();
    const contextSize = Math.min(options.contextSize, model.trainContextSize);
    const adapterNames = adapterRefs.map((ref) => ref.file).join('、');
    const adapterProgress = adapters.length > 0 ? track(onProgress, 'adapters', adapterNames) : null;
    const contextProgress = track(onProgress, 'context', base.file);
    let context: LlamaContext;
    try {
      context = await model.createContext({
        contextSize,
        sequences: 1,
        threads: options.threads ?? undefined,
        createSignal: signal,
        failedCreationRemedy: false,
        ...(adapters.length > 0
          ? {
              lora: {
                adapters: adapters.map((adapter) => ({ filePath: adapter.path, scale: adapter.scale })),
                onLoadProgress: (p: number) => (p >= 1 ? adapterProgress?.done() : adapterProgress?.report(p)),
              },
            }
          : {}),
      });
    } catch (error) {
      signal.throwIfAborted();
      const cause = error instanceof InsufficientMemoryError ? '内存不足' : errorText(error);
      if (adapters.length > 0 && /lora|adapter/i.test(cause)) {
        throw new XinglinError('ADAPTER_MISMATCH', `llama.cpp 无法应用适配器 ${adapterNames}：${cause}`, { file: adapterNames });
      }
      throw new XinglinError('MODEL_LOAD_FAILED', `无法为模型 ${base.file} 创建上下文（${contextSize} 词元）：${cause}`, { file: base.file, contextSize });
    }
    adapterProgress?.done();
    contextProgress.done();

    const chatWrapper = resolveChatWrapper(model);
    const template = templateName(chatWrapper, base.chatTemplate);
    const session = new LlamaChatSession({ contextSequence: context.getSequence(), chatWrapper });
    return {
      model,
      context,
      session,
      modelRef: { file: base.file, sha256: base.sha256, sizeBytes: base.sizeBytes, architecture: base.architecture, contextSize: context.contextSize, template },
      adapters: adapterRefs,
      template,
      gpu: !cpuOnly && model.gpuLayers > 0 ? String(llama.gpu) : 'cpu',
    };
  } catch (error) {
    await model.dispose();
    throw error;
  }
}

/** Frees a model with its context, adapters and session. */
export async function disposeModel(loaded: LoadedModel): Promise<void> {
  loaded.session.dispose();
  await loaded.model.dispose();
}
