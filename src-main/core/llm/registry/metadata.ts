/**
 * What the registry shows of a GGUF file, read from its header (never the weights): the contract's
 * GgufMetadata from an inspection, with the names and labels llama.cpp's own tools use.
 */
import { GgufFileType } from 'node-llama-cpp';
import type { GgufMetadata } from '../../../contract/index.js';
import { ggmlTypeName } from '../gguf/ggml-types.js';
import type { GgufInspection } from '../gguf/inspect.js';
import type { GgufValue } from '../gguf/reader.js';

function text(metadata: ReadonlyMap<string, GgufValue>, key: string): string | null {
  const value = metadata.get(key);
  return typeof value === 'string' && value.trim() ? value : null;
}

function count(metadata: ReadonlyMap<string, GgufValue>, key: string): number | null {
  const value = metadata.get(key);
  if (typeof value === 'bigint') return Number(value);
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function integer(metadata: ReadonlyMap<string, GgufValue>, key: string): number | null {
  const value = count(metadata, key);
  return value !== null && Number.isInteger(value) ? value : null;
}

/**
 * `general.file_type` as llama.cpp names the quantisation ('Q4_K_M', 'F16'): node-llama-cpp's
 * GgufFileType without its ALL_ / MOSTLY_ prefix. Null for a number it does not know.
 */
export function fileTypeName(fileType: number): string | null {
  const name = (GgufFileType as unknown as Record<number, string | undefined>)[fileType];
  return typeof name === 'string' ? name.replace(/^(ALL|MOSTLY)_/, '') : null;
}

/** The tensor type holding most of the weight bytes: the quantisation of a file that does not say. */
export function dominantTensorType(tensors: GgufInspection['tensors']): string | null {
  const bytes = new Map<number, number>();
  for (const tensor of tensors) bytes.set(tensor.ggmlType, (bytes.get(tensor.ggmlType) ?? 0) + tensor.byteLength);
  let best: [number, number] | null = null;
  for (const entry of bytes) if (!best || entry[1] > best[1]) best = entry;
  return best ? ggmlTypeName(best[0]) : null;
}

/** A parameter count as llama.cpp's converter labels it (`model_weight_count_rounded_notation`): 7.2B, 260K. */
export function sizeLabelOf(parameters: number): string {
  const [scaled, suffix] = parameters > 1e12 ? [parameters / 1e12, 'T'] : parameters > 1e9 ? [parameters / 1e9, 'B'] : parameters > 1e6 ? [parameters / 1e6, 'M'] : [parameters / 1e3, 'K'];
  const digits = String(Math.round(scaled)).replace(/^0+/, '').length;
  return `${scaled.toFixed(Math.max(2 - digits, 0))}${suffix}`;
}

function tensorElements(tensors: GgufInspection['tensors']): number {
  return tensors.reduce((sum, tensor) => sum + tensor.shape.reduce((n, dim) => n * dim, 1), 0);
}

export function ggufMetadata(info: GgufInspection): GgufMetadata {
  const { metadata, architecture } = info;
  const parameterCount = integer(metadata, 'general.parameter_count') ?? (info.tensors.length > 0 ? tensorElements(info.tensors) : null);
  const fileType = integer(metadata, 'general.file_type');
  return {
    architecture,
    name: info.name,
    sizeLabel: text(metadata, 'general.size_label') ?? (parameterCount ? sizeLabelOf(parameterCount) : null),
    parameterCount,
    quantization: (fileType === null ? null : fileTypeName(fileType)) ?? dominantTensorType(info.tensors),
    contextLength: info.contextLength,
    embeddingLength: architecture ? integer(metadata, `${architecture}.embedding_length`) : null,
    blockCount: architecture ? integer(metadata, `${architecture}.block_count`) : null,
    chatTemplate: info.chatTemplate,
    loraAlpha: count(metadata, 'adapter.lora.alpha'),
    baseModel: text(metadata, 'general.base_model.0.name') ?? text(metadata, 'general.base_model.0.repo_url'),
  };
}
