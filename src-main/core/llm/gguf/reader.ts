/**
 * A small, bounds-checked GGUF header reader (spec: ggml/docs/gguf.md; little-endian).
 *
 * Why not node-llama-cpp's `readGgufFileInfo` (3.22): it reads past the end of a file as zero
 * bytes, so a file cut inside its header parses "successfully" into garbage; and a 64-byte file
 * declaring a 2^31-element array makes it grow a JS array until V8 aborts the whole process
 * (which would take the Electron main process down). `LlamaModel` runs that reader on load, so
 * this one must vet the file first: every read is checked against the real file size, a cut
 * header is reported as such, and a corrupt one fails fast.
 * It keeps scalar metadata and only the length of arrays (the vocabulary is not needed here).
 */
import { open } from 'node:fs/promises';

export type GgufScalar = string | number | bigint | boolean;
export type GgufValue = GgufScalar | { readonly arrayType: number; readonly length: number };

export interface GgufRawTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly ggmlType: number;
  /** Offset relative to the start of the tensor data section. */
  readonly offset: number;
}

export interface GgufHeader {
  readonly version: number;
  readonly metadata: ReadonlyMap<string, GgufValue>;
  readonly tensors: readonly GgufRawTensor[];
  readonly alignment: number;
  /** Absolute offset where tensor data starts (end of header, aligned). */
  readonly dataOffset: number;
}

/** Why a header could not be read; gguf-inspect turns these into typed, Chinese errors. */
export class GgufReadError extends Error {
  constructor(
    readonly kind: 'not-gguf' | 'truncated' | 'corrupt' | 'unsupported',
    message: string,
  ) {
    super(message);
    this.name = 'GgufReadError';
  }
}

/** The buffer ran out before the header did; the caller retries with more of the file. */
class NeedMore extends Error {}

const GGML_MAX_DIMS = 4;
const MAX_STRING_BYTES = 64 * 1024 * 1024;
const MAX_COUNT = 2 ** 32;

const enum T {
  U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, BOOL = 7, STRING = 8, ARRAY = 9, U64 = 10, I64 = 11, F64 = 12,
}
const fixedSizes: Partial<Record<number, number>> = {
  [T.U8]: 1, [T.I8]: 1, [T.U16]: 2, [T.I16]: 2, [T.U32]: 4, [T.I32]: 4, [T.F32]: 4, [T.BOOL]: 1, [T.U64]: 8, [T.I64]: 8, [T.F64]: 8,
};

class Cursor {
  pos = 0;
  constructor(
    private readonly buf: Buffer,
    /** True when `buf` holds the whole file: running out then means the file itself ends. */
    private readonly complete: boolean,
  ) {}

  take(n: number): number {
    if (this.pos + n > this.buf.length) {
      if (this.complete) throw new GgufReadError('truncated', `文件在文件头中途结束（第 ${this.buf.length} 字节）`);
      throw new NeedMore();
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u32(): number { return this.buf.readUInt32LE(this.take(4)); }
  u64(): bigint { return this.buf.readBigUInt64LE(this.take(8)); }
  count(what: string): number {
    const value = this.u64();
    if (value > BigInt(MAX_COUNT)) throw new GgufReadError('corrupt', `${what}数量 ${value} 不合理，文件头已损坏`);
    return Number(value);
  }
  /** Returns where the string's bytes start and how many there are. */
  stringBytes(): [at: number, length: number] {
    const length = this.u64();
    if (length > BigInt(MAX_STRING_BYTES)) throw new GgufReadError('corrupt', `字符串长度 ${length} 不合理，文件头已损坏`);
    return [this.take(Number(length)), Number(length)];
  }
  string(): string {
    const [at, length] = this.stringBytes();
    return this.buf.toString('utf8', at, at + length);
  }
  scalar(type: number): GgufScalar {
    switch (type) {
      case T.U8: return this.buf.readUInt8(this.take(1));
      case T.I8: return this.buf.readInt8(this.take(1));
      case T.U16: return this.buf.readUInt16LE(this.take(2));
      case T.I16: return this.buf.readInt16LE(this.take(2));
      case T.U32: return this.buf.readUInt32LE(this.take(4));
      case T.I32: return this.buf.readInt32LE(this.take(4));
      case T.F32: return this.buf.readFloatLE(this.take(4));
      case T.BOOL: return this.buf.readUInt8(this.take(1)) !== 0;
      case T.STRING: return this.string();
      case T.U64: return this.buf.readBigUInt64LE(this.take(8));
      case T.I64: return this.buf.readBigInt64LE(this.take(8));
      case T.F64: return this.buf.readDoubleLE(this.take(8));
      default: throw new GgufReadError('corrupt', `未知的元数据类型 ${type}，文件头已损坏`);
    }
  }
  value(type: number): GgufValue {
    if (type !== T.ARRAY) return this.scalar(type);
    const arrayType = this.u32();
    const length = this.count('数组元素');
    const fixed = fixedSizes[arrayType];
    if (fixed !== undefined) this.take(fixed * length); // skipped: only the length is kept
    else if (arrayType === T.STRING) for (let i = 0; i < length; i++) this.stringBytes();
    else throw new GgufReadError('corrupt', `不支持的数组元素类型 ${arrayType}，文件头已损坏`);
    return { arrayType, length };
  }
}

function smallNumber(value: GgufScalar | undefined): number | undefined {
  return typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : undefined;
}

function parse(buf: Buffer, complete: boolean): GgufHeader {
  const c = new Cursor(buf, complete);
  if (buf.length < 4 || buf.toString('latin1', 0, 4) !== 'GGUF') {
    throw new GgufReadError('not-gguf', buf.length < 4 ? `文件只有 ${buf.length} 字节，缺少 GGUF 文件头` : '文件头标识不是 "GGUF"');
  }
  c.take(4);
  const version = c.u32();
  if (version > 0xffff) throw new GgufReadError('unsupported', '大端序（big-endian）GGUF 文件不受支持');
  if (version < 2) throw new GgufReadError('unsupported', `GGUF 版本 ${version} 过旧，llama.cpp 已不再支持`);
  const tensorCount = c.count('张量');
  const kvCount = c.count('元数据条目');

  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = c.string();
    metadata.set(key, c.value(c.u32()));
  }

  const tensors: GgufRawTensor[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = c.string();
    const dims = c.u32();
    if (dims > GGML_MAX_DIMS) throw new GgufReadError('corrupt', `张量 ${name} 的维数 ${dims} 不合理，文件头已损坏`);
    const shape: number[] = [];
    for (let d = 0; d < dims; d++) shape.push(Number(c.u64()));
    const ggmlType = c.u32();
    tensors.push({ name, shape, ggmlType, offset: Number(c.u64()) });
  }

  const alignment = smallNumber(metadata.get('general.alignment') as GgufScalar | undefined) ?? 32;
  if (alignment <= 0 || (alignment & (alignment - 1)) !== 0) throw new GgufReadError('corrupt', `general.alignment = ${alignment} 不是 2 的幂`);
  const dataOffset = Math.ceil(c.pos / alignment) * alignment;
  return { version, metadata, tensors, alignment, dataOffset };
}

/**
 * Reads the header of a GGUF file of `size` bytes: the first MiB, then more while the header
 * (mostly the vocabulary) is longer, never past the end of the file.
 */
export async function readGgufHeader(filePath: string, size: number): Promise<GgufHeader> {
  const handle = await open(filePath, 'r');
  try {
    for (let window = Math.min(size, 1024 * 1024); ; window = Math.min(size, window * 4)) {
      const buf = Buffer.alloc(window);
      const { bytesRead } = await handle.read(buf, 0, window, 0);
      const complete = window >= size;
      try {
        return parse(buf.subarray(0, bytesRead), complete);
      } catch (error) {
        if (!(error instanceof NeedMore)) throw error;
      }
    }
  } finally {
    await handle.close();
  }
}
