/**
 * Where each tensor's data lies, checked as llama.cpp's gguf loader checks it: a type it knows,
 * rows a whole number of blocks, offsets aligned and contiguous in table order (each tensor starts
 * where the previous one's padded data ends). A table that passes accounts for every byte of the
 * data section, so what is left to ask is whether the file holds it all (inspect.ts does).
 */
import { ggmlTensorBytes, ggmlTypeLayout, ggmlTypeName } from './ggml-types.js';
import { GgufReadError, type GgufHeader } from './reader.js';

export interface GgufTensor {
  readonly name: string;
  /** ggml order: shape[0] is the row length (the innermost dimension). */
  readonly shape: readonly number[];
  readonly ggmlType: number;
  /** Absolute offset of the tensor's data in the file. */
  readonly fileOffset: number;
  /** Bytes of data (without the padding to the next tensor). */
  readonly byteLength: number;
}

export function layOutTensors(header: GgufHeader): GgufTensor[] {
  const { alignment, dataOffset } = header;
  const tensors: GgufTensor[] = [];
  let expected = 0;
  for (const { name, shape, ggmlType, offset } of header.tensors) {
    const corrupt = (cause: string) => new GgufReadError('corrupt', `张量 ${name} ${cause}`, name);
    const layout = ggmlTypeLayout(ggmlType);
    if (!layout) throw new GgufReadError('unsupported', `张量 ${name} 的数据类型 ${ggmlTypeName(ggmlType)} 不受本机 llama.cpp 支持`, name);
    const [rowLength = 1] = shape;
    if (rowLength % layout.blockSize !== 0) throw corrupt(`的行长度 ${rowLength} 不是 ${layout.name} 块大小 ${layout.blockSize} 的整数倍`);
    if (offset % alignment !== 0) throw corrupt(`的数据偏移 ${offset} 未按 ${alignment} 字节对齐`);
    if (offset !== expected) {
      const previous = tensors.at(-1);
      throw corrupt(`的数据偏移为 ${offset}，应为 ${expected}（${previous ? `紧接张量 ${previous.name} 的数据` : '数据区的开头'}）`);
    }
    const byteLength = ggmlTensorBytes(ggmlType, shape) as number; // known type, whole blocks
    tensors.push({ name, shape, ggmlType, fileOffset: dataOffset + offset, byteLength });
    expected = offset + Math.ceil(byteLength / alignment) * alignment;
  }
  return tensors;
}
