/**
 * Reads a GGUF file's header, metadata and tensor table WITHOUT loading weights, and turns every
 * way a file can be wrong into a typed XinglinError with a Chinese message naming the file and
 * the cause. llama.cpp's own reaction to a bad file ranges from a terse English log line to a
 * generic "failed to load model" to an abort of the whole process (a GGML_ASSERT on a zero head
 * count), so the host checks here first and hands llama.cpp only files that should load.
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import * as nodeLlamaCpp from 'node-llama-cpp';
import { XinglinError } from '../../../contract/index.js';
import { findImplausibleHyperparameter } from './hparams.js';
import { GgufReadError, readGgufHeader, type GgufHeader, type GgufValue } from './reader.js';
import { layOutTensors, type GgufTensor } from './tensors.js';

export type { GgufTensor } from './tensors.js';
export type GgufRole = 'model' | 'adapter';

export interface GgufInspection {
  readonly path: string;
  /** The file name, as shown to the user and recorded in provenance. */
  readonly file: string;
  readonly role: GgufRole;
  readonly sizeBytes: number;
  readonly mtimeMs: number;
  readonly version: number;
  /** `general.type`: 'model' when absent (older files), 'adapter' for LoRA files. */
  readonly type: string;
  readonly architecture: string;
  readonly name: string | null;
  /** `adapter.type` ('lora') for adapters. */
  readonly adapterType: string | null;
  readonly contextLength: number | null;
  readonly chatTemplate: string | null;
  /** Where tensor data starts (after the header, aligned). */
  readonly dataOffset: number;
  readonly tensors: readonly GgufTensor[];
  /** Scalar metadata by key; arrays (the vocabulary) only by type and length. */
  readonly metadata: ReadonlyMap<string, GgufValue>;
}

/**
 * Architectures that can answer a chat: node-llama-cpp's list (it tracks llama.cpp's) minus the
 * encoder-only, embedding, vision-projector and audio ones, which load but cannot generate text.
 */
const notChatArchitectures = new Set([
  'bert', 'modern-bert', 'nomic-bert', 'nomic-bert-moe', 'neo-bert', 'jina-bert-v2', 'jina-bert-v3', 'eurobert',
  't5', 't5encoder', 'wavtokenizer-dec', 'clip', 'gemma-embedding', 'llama-embed', 'qwen3tts', '(unknown)',
]);

// GgufArchitectureType is declared as a const enum, which isolatedModules cannot read; the
// package exports it as a real object at runtime, so read it from the module namespace.
const knownArchitectures = new Set(
  Object.values((nodeLlamaCpp as unknown as { GgufArchitectureType: Record<string, string> }).GgufArchitectureType),
);

export function isSupportedArchitecture(architecture: string): boolean {
  return knownArchitectures.has(architecture) && !notChatArchitectures.has(architecture);
}

const roleLabel: Record<GgufRole, string> = { model: '模型文件', adapter: '适配器文件' };

function notFound(role: GgufRole, filePath: string, cause: string): XinglinError {
  const code = role === 'model' ? 'MODEL_NOT_FOUND' : 'ADAPTER_NOT_FOUND';
  return new XinglinError(code, `找不到${roleLabel[role]} ${path.basename(filePath)}：${cause}`, { file: path.basename(filePath), path: filePath, role });
}

function notGguf(role: GgufRole, filePath: string, cause: string): XinglinError {
  return new XinglinError('MODEL_NOT_GGUF', `${roleLabel[role]} ${path.basename(filePath)} 不是有效的 GGUF 文件：${cause}`, {
    file: path.basename(filePath), path: filePath, role,
  });
}

/** A GGUF whose header cannot be right: a count the file cannot hold, a zero head count. */
function corrupt(role: GgufRole, filePath: string, cause: string, field: string | undefined): XinglinError {
  return new XinglinError('MODEL_CORRUPT', `${roleLabel[role]} ${path.basename(filePath)} 已损坏，无法加载：${cause}`, {
    file: path.basename(filePath), path: filePath, role, ...(field ? { field } : {}),
  });
}

function unreadable(role: GgufRole, filePath: string, error: unknown): XinglinError {
  const code = (error as NodeJS.ErrnoException).code;
  return new XinglinError('MODEL_LOAD_FAILED', `无法读取${roleLabel[role]} ${path.basename(filePath)}：${code ?? String(error)}`, {
    file: path.basename(filePath), path: filePath, role,
  });
}

function unsupported(role: GgufRole, filePath: string, cause: string, details: Record<string, string | number> = {}): XinglinError {
  return new XinglinError('MODEL_UNSUPPORTED', `${roleLabel[role]} ${path.basename(filePath)} 无法使用：${cause}`, {
    file: path.basename(filePath), path: filePath, role, ...details,
  });
}

function metadataString(source: { metadata: ReadonlyMap<string, GgufValue> }, key: string): string | null {
  const value = source.metadata.get(key);
  return typeof value === 'string' ? value : null;
}

function metadataNumber(source: { metadata: ReadonlyMap<string, GgufValue> }, key: string): number | null {
  const value = source.metadata.get(key);
  return typeof value === 'number' || typeof value === 'bigint' ? Number(value) : null;
}

async function statFile(filePath: string, role: GgufRole): Promise<{ size: number; mtimeMs: number }> {
  try {
    const info = await stat(filePath);
    if (!info.isFile()) throw notFound(role, filePath, '该路径不是文件');
    return { size: info.size, mtimeMs: info.mtimeMs };
  } catch (error) {
    if (error instanceof XinglinError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw notFound(role, filePath, '文件不存在');
    throw unreadable(role, filePath, error);
  }
}

/** The header through the bounded reader, then the tensor table laid out over the data section. */
async function readHeader(filePath: string, size: number, role: GgufRole): Promise<{ header: GgufHeader; tensors: GgufTensor[] }> {
  try {
    const handle = await open(filePath, 'r');
    try {
      const header = await readGgufHeader(handle, size);
      return { header, tensors: layOutTensors(header) };
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (!(error instanceof GgufReadError)) throw unreadable(role, filePath, error);
    if (error.kind === 'not-gguf') throw notGguf(role, filePath, error.message);
    if (error.kind === 'unsupported') throw unsupported(role, filePath, error.message);
    if (error.kind === 'corrupt') throw corrupt(role, filePath, error.message, error.field);
    throw truncated(role, filePath, error.message, { actualBytes: size, ...(error.field ? { field: error.field } : {}) });
  }
}

function truncated(role: GgufRole, filePath: string, cause: string, details: Record<string, string | number>): XinglinError {
  return new XinglinError('MODEL_TRUNCATED', `${roleLabel[role]} ${path.basename(filePath)} 不完整：${cause}，可能是下载或复制中断，请重新获取该文件`, {
    file: path.basename(filePath), path: filePath, role, ...details,
  });
}

/** Tensor data past the end of the file: the download or copy was cut short. */
function checkComplete(role: GgufRole, filePath: string, size: number, dataOffset: number, tensors: readonly GgufTensor[]): void {
  let needed = dataOffset;
  let firstMissing: GgufTensor | null = null;
  for (const tensor of tensors) {
    const end = tensor.fileOffset + tensor.byteLength;
    if (end > needed) needed = end;
    if (end > size && (!firstMissing || tensor.fileOffset < firstMissing.fileOffset)) firstMissing = tensor;
  }
  if (needed <= size) return;
  const where = firstMissing ? `，从张量 ${firstMissing.name} 起数据缺失` : '';
  throw truncated(role, filePath, `张量数据应到第 ${needed} 字节，文件只有 ${size} 字节${where}`, {
    expectedBytes: needed, actualBytes: size, ...(firstMissing ? { tensor: firstMissing.name } : {}),
  });
}

/**
 * Reads and checks one GGUF file: exists, is GGUF, has a consistent header, is complete. Says
 * nothing yet about whether it is the right kind of file; `inspectModel` and `checkAdapterFits`
 * decide that.
 */
export async function inspectGguf(filePath: string, role: GgufRole = 'model'): Promise<GgufInspection> {
  const absolute = path.resolve(filePath);
  const { size, mtimeMs } = await statFile(absolute, role);

  const { header, tensors } = await readHeader(absolute, size, role);
  checkComplete(role, absolute, size, header.dataOffset, tensors);
  const architecture = metadataString(header, 'general.architecture') ?? '';

  return {
    path: absolute,
    file: path.basename(absolute),
    role,
    sizeBytes: size,
    mtimeMs,
    version: header.version,
    type: metadataString(header, 'general.type') ?? 'model',
    architecture,
    name: metadataString(header, 'general.name'),
    adapterType: metadataString(header, 'adapter.type'),
    contextLength: architecture ? metadataNumber(header, `${architecture}.context_length`) : null,
    chatTemplate: metadataString(header, 'tokenizer.chat_template'),
    dataOffset: header.dataOffset,
    tensors,
    metadata: header.metadata,
  };
}

/** A base model llama.cpp can load and chat with. */
export async function inspectModel(filePath: string): Promise<GgufInspection> {
  const model = await inspectGguf(filePath, 'model');
  if (model.type === 'adapter') throw unsupported('model', model.path, '这是 LoRA 适配器，不是基础模型；请把它放在 lora/ 目录并作为适配器加载');
  if (model.type !== 'model') throw unsupported('model', model.path, `文件类型为 ${model.type}，不是可对话的基础模型`, { type: model.type });
  if (!model.architecture) throw unsupported('model', model.path, '缺少 general.architecture，无法确定模型架构');
  if (!isSupportedArchitecture(model.architecture)) {
    throw unsupported('model', model.path, `模型架构 ${model.architecture} 不受支持（不是本机 llama.cpp 可用于对话生成的架构）`, { architecture: model.architecture });
  }
  // A split model's other parts hold tensors (and bytes) this inspection cannot vouch for, and its
  // provenance would need every part's digest: ask for the merged file instead.
  const splitCount = metadataNumber(model, 'split.count');
  if (splitCount !== null && splitCount > 1) {
    throw unsupported('model', model.path, `这是分成 ${splitCount} 个文件的分片模型，请先用 llama-gguf-split --merge 合并为单个文件`, { splitCount });
  }
  if (model.tensors.length === 0) throw unsupported('model', model.path, '文件中没有任何权重张量');
  const implausible = findImplausibleHyperparameter(model);
  if (implausible) throw corrupt('model', model.path, implausible.cause, implausible.field);
  return model;
}

/** A file that is at least a readable, complete GGUF; `checkAdapterFits` says whether it fits a base. */
export function inspectAdapter(filePath: string): Promise<GgufInspection> {
  return inspectGguf(filePath, 'adapter');
}

const shapeText = (shape: readonly number[]): string => shape.join('×');

/**
 * The checks llama.cpp makes when it applies a LoRA (llama-adapter.cpp), done up front so a wrong
 * adapter is refused with a message a doctor can act on instead of a failed context creation.
 * Shapes are in ggml order: for a base weight [n_in, n_out], lora_a is [n_in, r] and lora_b [r, n_out].
 */
export function checkAdapterFits(base: GgufInspection, adapter: GgufInspection): void {
  const file = adapter.file;
  const mismatch = (cause: string, details: Record<string, string | number> = {}): XinglinError =>
    new XinglinError('ADAPTER_MISMATCH', `适配器 ${file} 与基础模型 ${base.file} 不匹配：${cause}`, { file, path: adapter.path, model: base.file, ...details });

  if (adapter.type !== 'adapter') {
    throw new XinglinError('ADAPTER_MISMATCH', `文件 ${file} 不是 LoRA 适配器（general.type 为 ${adapter.type}）`, { file, path: adapter.path, model: base.file, type: adapter.type });
  }
  if (adapter.adapterType !== 'lora') {
    throw new XinglinError('ADAPTER_MISMATCH', `适配器 ${file} 的类型为 ${adapter.adapterType ?? '（未标注）'}，仅支持 LoRA`, { file, path: adapter.path, model: base.file });
  }
  if (adapter.architecture !== base.architecture) {
    throw mismatch(`适配器为 ${adapter.architecture || '（未标注）'} 架构，基础模型 ${base.file} 为 ${base.architecture} 架构`, {
      expected: base.architecture, actual: adapter.architecture,
    });
  }

  const baseTensors = new Map(base.tensors.map((tensor) => [tensor.name, tensor]));
  const pairs = new Map<string, { a?: GgufTensor; b?: GgufTensor }>();
  for (const tensor of adapter.tensors) {
    const match = /^(.*)\.lora_([ab])$/.exec(tensor.name);
    if (!match) continue;
    const [, target = '', side] = match;
    const pair = pairs.get(target) ?? {};
    if (side === 'a') pair.a = tensor;
    else pair.b = tensor;
    pairs.set(target, pair);
  }
  if (pairs.size === 0) throw mismatch('文件中没有任何 LoRA 张量（*.lora_a / *.lora_b）');

  for (const [target, { a, b }] of pairs) {
    if (!a || !b) throw mismatch(`张量 ${target} 缺少 ${a ? 'lora_b' : 'lora_a'}`, { tensor: target });
    const weight = baseTensors.get(target);
    if (!weight) throw mismatch(`张量 ${target} 在基础模型 ${base.file} 中不存在`, { tensor: target });

    const [aIn = 0, aRank = 0] = a.shape;
    const [bRank = 0, bOut = 0] = b.shape;
    const [wIn = 0, wOut = 0] = weight.shape;
    // token_embd is applied as a lookup, so llama.cpp stores its A and B the other way round.
    const isTokenEmbd = target.endsWith('token_embd.weight');
    const fits = isTokenEmbd ? wIn === bOut && wOut === aRank : wIn === aIn && wOut === bOut;
    const given = isTokenEmbd ? [bOut, aRank] : [aIn, bOut];
    if (!fits) {
      throw mismatch(
        `张量 ${target} 需要 ${shapeText([wIn, wOut])}，适配器给出 ${shapeText(given)}（lora_a ${shapeText(a.shape)}，lora_b ${shapeText(b.shape)}）`,
        { tensor: target, expected: shapeText([wIn, wOut]), actual: shapeText(given) },
      );
    }
    if (!isTokenEmbd && aRank !== bRank) {
      throw mismatch(`张量 ${target} 的 lora_a（${shapeText(a.shape)}）与 lora_b（${shapeText(b.shape)}）秩不一致`, { tensor: target });
    }
  }
}

