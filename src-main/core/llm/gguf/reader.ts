/**
 * A bounded, streaming GGUF header reader (spec: ggml/docs/gguf.md; little-endian).
 *
 * Why not node-llama-cpp's `readGgufFileInfo` (3.22): it reads past the end of a file as zero
 * bytes, so a file cut inside its header parses "successfully" into garbage; and a 64-byte file
 * declaring a 2^31-element array makes it grow a JS array until V8 aborts the whole process.
 * `LlamaModel` runs that reader on load, so this one must vet the file first.
 *
 * Bounded: every count and length is checked against a plausibility cap and against the bytes
 * the file has left BEFORE anything is read or kept for it; the file is read through one buffer
 * of READ_CHUNK_BYTES, a chunk at a time, so no read and no buffer ever grows toward the file
 * size; and the event loop gets a turn at every read, and every MAX_TURN_MS of parsing.
 * It keeps scalar metadata and only the length of arrays (the vocabulary is not needed here).
 */
import { performance } from 'node:perf_hooks';

export type GgufScalar = string | number | bigint | boolean;
export type GgufValue =
  | GgufScalar
  | { readonly arrayType: number; readonly length: number }
  /** A string too long to keep (an embedded tokenizer.json): skipped unread, only its size. */
  | { readonly unreadStringBytes: number };

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

/** What the reader needs of a file: a `FileHandle`, or a wrapper around one (tests count reads). */
export interface GgufSource {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
}

/** Why a header could not be read; inspect.ts turns these into typed, Chinese errors. */
export class GgufReadError extends Error {
  constructor(
    readonly kind: 'not-gguf' | 'truncated' | 'corrupt' | 'unsupported',
    message: string,
    /** The metadata key or tensor name at fault, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'GgufReadError';
  }
}

/** The most one read asks for, and the size of the one buffer the reader holds. */
export const READ_CHUNK_BYTES = 1024 * 1024;
/** The longest the reader parses before it lets the event loop run (the goal is no stall over 50 ms). */
export const MAX_TURN_MS = 10;

/** Caps on what a real model could declare; anything beyond is a damaged header, not a big model. */
export const GGUF_LIMITS = {
  /** The longest real string, an embedded tokenizer.json, is about 10 MB. */
  stringBytes: 64 * 1024 * 1024,
  /** Strings kept in memory (chat templates are tens of KB); longer ones are skipped unread. */
  keptStringBytes: READ_CHUNK_BYTES,
  /** Keys are dotted names of a few dozen bytes. */
  keyBytes: 64 * 1024,
  /** GGML_MAX_NAME − 1: llama.cpp refuses longer tensor names. */
  tensorNameBytes: 63,
  /** 64 times the largest vocabulary in use (262,144 tokens). */
  arrayLength: 1 << 24,
  /** Real files have under a hundred entries. */
  kvCount: 1 << 14,
  /** Eight times the largest models in use (about 2,000 tensors); the table is checked in one go. */
  tensorCount: 1 << 14,
} as const;

const GGML_MAX_DIMS = 4;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const NEWEST_VERSION = 3;

const enum T {
  U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, BOOL = 7, STRING = 8, ARRAY = 9, U64 = 10, I64 = 11, F64 = 12,
}
const fixedSizes: Partial<Record<number, number>> = {
  [T.U8]: 1, [T.I8]: 1, [T.U16]: 2, [T.I16]: 2, [T.U32]: 4, [T.I32]: 4, [T.F32]: 4, [T.BOOL]: 1, [T.U64]: 8, [T.I64]: 8, [T.F64]: 8,
};
/** Smallest possible entries, to tell whether the rest of the file could hold a declared count. */
const MIN_KV_BYTES = 8 + 1 + 4 + 1; // key length, a 1-byte key, type, a 1-byte value
const MIN_TENSOR_INFO_BYTES = 8 + 1 + 4 + 4 + 8; // name length, a 1-byte name, n_dims (0), type, offset
const STRING_LENGTH_BYTES = 8;

/** Reads forward through the file via one fixed buffer, refilled a chunk at a time. */
class Cursor {
  /** Absolute offset of the next byte to parse. */
  pos = 0;
  /** What is being read, for messages ("元数据 tokenizer.ggml.tokens"), and the key or tensor name. */
  what = '文件头';
  field: string | undefined;
  private readonly buf = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  /** File offsets of the buffer's first byte and one past its last valid byte. */
  private bufStart = 0;
  private bufEnd = 0;
  private items = 0;
  private turnStart = performance.now();

  constructor(
    private readonly source: GgufSource,
    readonly size: number,
  ) {}

  get remaining(): number {
    return this.size - this.pos;
  }

  /** True when `n` bytes at `pos` are already buffered (callers then skip the await). */
  has(n: number): boolean {
    return this.pos >= this.bufStart && this.pos + n <= this.bufEnd;
  }

  /** Makes `n` (≤ READ_CHUNK_BYTES) bytes at `pos` readable: keeps the unread tail, reads the rest. */
  async need(n: number): Promise<void> {
    if (this.has(n)) return;
    if (n > this.remaining) throw this.endOfFile();
    const kept = this.pos >= this.bufStart && this.pos < this.bufEnd ? this.bufEnd - this.pos : 0;
    if (kept > 0) this.buf.copyWithin(0, this.pos - this.bufStart, this.bufEnd - this.bufStart);
    this.bufStart = this.pos;
    this.bufEnd = this.pos + kept;
    const fill = Math.min(READ_CHUNK_BYTES, this.size - this.bufStart);
    while (this.bufEnd < this.pos + n) {
      const at = this.bufEnd - this.bufStart;
      const { bytesRead } = await this.source.read(this.buf, at, fill - at, this.bufEnd);
      this.newTurn(); // the event loop ran while the read was in flight
      if (bytesRead === 0) throw this.endOfFile(); // the file shrank while being read
      this.bufEnd += bytesRead;
    }
  }

  /**
   * Counts one parsed item (an array element, an entry); once MAX_TURN_MS have passed since the
   * event loop last ran, returns a promise that lets it run. A chunk of tiny items (131,072 empty
   * strings) would otherwise hold it for tens of milliseconds on a busy machine.
   */
  tick(): Promise<void> | undefined {
    if ((++this.items & 255) !== 0 || performance.now() - this.turnStart < MAX_TURN_MS) return undefined;
    return new Promise((resolve) => setImmediate(resolve)).then(() => this.newTurn());
  }

  private newTurn(): void {
    this.turnStart = performance.now();
  }

  /** Moves past `n` bytes without reading them. */
  skip(n: number): void {
    if (n > this.remaining) throw this.endOfFile();
    this.pos += n;
  }

  u32(): number {
    const value = this.buf.readUInt32LE(this.pos - this.bufStart);
    this.pos += 4;
    return value;
  }

  u64(): bigint {
    const value = this.buf.readBigUInt64LE(this.pos - this.bufStart);
    this.pos += 8;
    return value;
  }

  /** A u64 length or count as a number; past `cap` it is a damaged header. */
  bounded(cap: number, label: string): number {
    const at = this.pos - this.bufStart;
    const low = this.buf.readUInt32LE(at);
    const high = this.buf.readUInt32LE(at + 4);
    const value = high * 2 ** 32 + low;
    if (value > cap) throw this.corrupt(`${this.what}的${label} ${this.buf.readBigUInt64LE(at)} 不合理（上限 ${cap}）`);
    this.pos += 8;
    return value;
  }

  /** A count of `noun`s of at least `minBytes` each: refused before anything is read for them. */
  count(cap: number, minBytes: number, noun: string): number {
    const value = this.bounded(cap, `${noun}数量`);
    if (value * minBytes > this.remaining) {
      throw this.endOfFile(`${this.what}声明 ${value} 个${noun}，至少需要 ${value * minBytes} 字节，文件只剩 ${this.remaining} 字节`);
    }
    return value;
  }

  /** A string kept in memory; longer than `cap` bytes is a damaged header. */
  async string(cap: number): Promise<string> {
    await this.need(STRING_LENGTH_BYTES);
    return this.text(this.bounded(cap, '长度'));
  }

  /** The next `length` (≤ READ_CHUNK_BYTES) bytes as UTF-8. */
  async text(length: number): Promise<string> {
    await this.need(length);
    const at = this.advance(length);
    return this.buf.toString('utf8', at, at + length);
  }

  scalar(type: number): GgufScalar {
    switch (type) {
      case T.U8: return this.buf.readUInt8(this.advance(1));
      case T.I8: return this.buf.readInt8(this.advance(1));
      case T.U16: return this.buf.readUInt16LE(this.advance(2));
      case T.I16: return this.buf.readInt16LE(this.advance(2));
      case T.U32: return this.buf.readUInt32LE(this.advance(4));
      case T.I32: return this.buf.readInt32LE(this.advance(4));
      case T.F32: return this.buf.readFloatLE(this.advance(4));
      case T.BOOL: return this.buf.readUInt8(this.advance(1)) !== 0;
      case T.U64: return this.buf.readBigUInt64LE(this.advance(8));
      case T.I64: return this.buf.readBigInt64LE(this.advance(8));
      default: return this.buf.readDoubleLE(this.advance(8));
    }
  }

  /** Index in the buffer of the next `n` (already buffered) bytes, and moves past them. */
  private advance(n: number): number {
    const at = this.pos - this.bufStart;
    this.pos += n;
    return at;
  }

  corrupt(message: string): GgufReadError {
    return new GgufReadError('corrupt', message, this.field);
  }

  endOfFile(detail = `读取${this.what}时已到文件末尾（文件共 ${this.size} 字节）`): GgufReadError {
    return new GgufReadError('truncated', `文件头中途结束：${detail}`, this.field);
  }
}

async function readValue(c: Cursor, type: number): Promise<GgufValue> {
  const fixed = fixedSizes[type];
  if (fixed !== undefined) {
    await c.need(fixed);
    return c.scalar(type);
  }
  if (type === T.STRING) {
    await c.need(STRING_LENGTH_BYTES);
    const length = c.bounded(GGUF_LIMITS.stringBytes, '长度');
    if (length <= GGUF_LIMITS.keptStringBytes) return c.text(length);
    c.skip(length);
    return { unreadStringBytes: length };
  }
  if (type !== T.ARRAY) throw c.corrupt(`${c.what}的类型 ${type} 未知`);

  await c.need(4 + 8);
  const arrayType = c.u32();
  const elementSize = fixedSizes[arrayType] ?? (arrayType === T.STRING ? STRING_LENGTH_BYTES : undefined);
  if (elementSize === undefined) throw c.corrupt(`${c.what}的数组元素类型 ${arrayType} 不受支持`);
  const length = c.count(GGUF_LIMITS.arrayLength, elementSize, '元素');
  if (arrayType !== T.STRING) {
    c.skip(elementSize * length); // only the length is kept
    return { arrayType, length };
  }
  // The hot loop of a 150k-token vocabulary: await only to refill the buffer or to yield.
  for (let i = 0; i < length; i++) {
    const turn = c.tick();
    if (turn) await turn;
    if (!c.has(STRING_LENGTH_BYTES)) await c.need(STRING_LENGTH_BYTES);
    c.skip(c.bounded(GGUF_LIMITS.stringBytes, '字符串长度'));
  }
  return { arrayType, length };
}

async function readMetadata(c: Cursor, count: number): Promise<Map<string, GgufValue>> {
  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < count; i++) {
    await c.tick();
    c.what = `第 ${i + 1} 个元数据条目的键`;
    c.field = undefined;
    const key = await c.string(GGUF_LIMITS.keyBytes);
    if (!key) throw c.corrupt(`${c.what}为空`);
    c.what = `元数据 ${key} `;
    c.field = key;
    if (metadata.has(key)) throw c.corrupt(`元数据 ${key} 重复出现`);
    await c.need(4);
    const type = c.u32();
    // llama.cpp refuses any other type for it.
    if (key === 'general.alignment' && type !== T.U32) throw c.corrupt(`general.alignment 的类型应为 uint32，实际为 ${type}`);
    metadata.set(key, await readValue(c, type));
  }
  return metadata;
}

async function readTensorInfo(c: Cursor, index: number, names: Set<string>): Promise<GgufRawTensor> {
  await c.tick();
  c.what = `第 ${index + 1} 个张量的名称`;
  c.field = undefined;
  const name = await c.string(GGUF_LIMITS.tensorNameBytes);
  c.what = `张量 ${name} `;
  c.field = name;
  if (names.has(name)) throw c.corrupt(`张量 ${name} 重复出现`);
  names.add(name);

  await c.need(4);
  const dims = c.u32();
  if (dims > GGML_MAX_DIMS) throw c.corrupt(`张量 ${name} 的维数 ${dims} 不合理（最多 ${GGML_MAX_DIMS} 维）`);
  await c.need(dims * 8 + 4 + 8);
  const dimensions = Array.from({ length: dims }, () => c.u64());
  // ggml counts elements in int64; anything past 2^53 also exceeds any file.
  const elements = dimensions.reduce((product, dim) => product * dim, 1n);
  if (elements > MAX_SAFE) {
    throw c.corrupt(`张量 ${name} 的形状 ${dimensions.join('×')} 元素总数溢出`);
  }
  const ggmlType = c.u32();
  const offset = c.u64();
  if (offset > MAX_SAFE) throw c.corrupt(`张量 ${name} 的数据偏移 ${offset} 超出范围`);
  return { name, shape: dimensions.map(Number), ggmlType, offset: Number(offset) };
}

function alignmentOf(c: Cursor, metadata: ReadonlyMap<string, GgufValue>): number {
  const value = metadata.get('general.alignment');
  if (value === undefined) return 32;
  const alignment = value as number; // its type was checked when read
  if (alignment === 0 || (alignment & (alignment - 1)) !== 0) {
    c.field = 'general.alignment';
    throw c.corrupt(`general.alignment 为 ${alignment}，不是 2 的幂`);
  }
  return alignment;
}

/** Reads the header of a GGUF file of `size` bytes from `source`. */
export async function readGgufHeader(source: GgufSource, size: number): Promise<GgufHeader> {
  const c = new Cursor(source, size);
  if (size < 4) throw new GgufReadError('not-gguf', `文件只有 ${size} 字节，缺少 GGUF 文件头`);
  await c.need(4);
  if (c.u32() !== 0x46554747) throw new GgufReadError('not-gguf', '文件头标识不是 "GGUF"');

  c.what = '版本号';
  await c.need(4);
  const version = c.u32();
  if (version > 0xffff) throw new GgufReadError('unsupported', '大端序（big-endian）GGUF 文件不受支持');
  if (version < 2) throw new GgufReadError('unsupported', `GGUF 版本 ${version} 过旧，llama.cpp 已不再支持`);
  if (version > NEWEST_VERSION) throw new GgufReadError('unsupported', `GGUF 版本 ${version} 较新，本程序只支持到版本 ${NEWEST_VERSION}`);

  c.what = '文件头';
  await c.need(16);
  c.field = 'tensor_count';
  const tensorCount = c.count(GGUF_LIMITS.tensorCount, MIN_TENSOR_INFO_BYTES, '张量');
  c.field = 'metadata_kv_count';
  const kvCount = c.count(GGUF_LIMITS.kvCount, MIN_KV_BYTES, '元数据条目');

  const metadata = await readMetadata(c, kvCount);
  const alignment = alignmentOf(c, metadata);
  const names = new Set<string>();
  const tensors: GgufRawTensor[] = [];
  for (let i = 0; i < tensorCount; i++) tensors.push(await readTensorInfo(c, i, names));

  const dataOffset = Math.ceil(c.pos / alignment) * alignment;
  return { version, metadata, tensors, alignment, dataOffset };
}
