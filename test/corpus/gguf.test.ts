import fs from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XinglinError } from '../../src-main/contract/index.js';
import { inspectAdapter, inspectModel } from '../../src-main/core/llm/index.js';
import { READ_CHUNK_BYTES, readGgufHeader, type GgufSource } from '../../src-main/core/llm/gguf/reader.js';
import { ggufString, preamble, stringArrayHeader, u32, u64, writeSparse } from '../fixtures/gguf/crafted.js';
import { generateFixtures, writeTinyLlama, type FixturePaths } from '../fixtures/gguf/tiny-llama.js';
import { GgufWriter, type MetadataValue } from '../fixtures/gguf/writer.js';

/**
 * Crafted GGUF files, each with the typed error it must get and the field its Chinese message must
 * name. Many are the real tiny model with one number changed (how the crashes were found: head_count
 * 0 or block_count 100000 made llama.cpp abort the process); every one must be refused before
 * llama.cpp sees it. One line per case: add one for every new way a file can lie.
 */

let dir: string;
let paths: FixturePaths;
let base: Buffer;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-gguf-corpus-'));
  paths = generateFixtures(dir);
  base = fs.readFileSync(paths.model);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Where a GGUF string (length-prefixed) starts in `bytes`, just past it. */
function after(bytes: Buffer, text: string): number {
  const at = bytes.indexOf(ggufString(text));
  expect(at).toBeGreaterThan(0);
  return at + ggufString(text).length;
}

/** The tiny model with `edit` applied to its bytes. */
function mutated(name: string, edit: (bytes: Buffer) => void): string {
  const bytes = Buffer.from(base);
  edit(bytes);
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}
/** The tiny model with the uint32 metadata `key` set to `value`. */
const withU32 = (key: string, value: number) => mutated(`${key}-${value}.gguf`, (b) => b.writeUInt32LE(value, after(b, key) + 4));
/** Byte offsets of a tensor-table entry's fields. */
function tensorEntry(bytes: Buffer, name: string) {
  const dims = after(bytes, name);
  const n = bytes.readUInt32LE(dims);
  return { dims, shape: dims + 4, type: dims + 4 + 8 * n, offset: dims + 8 + 8 * n };
}

function raw(name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

/** A small llama model written from scratch: `keys` override the defaults (undefined drops one). */
function crafted(name: string, keys: Record<string, MetadataValue | undefined> = {}, tensors: Record<string, number[]> = {}): string {
  const u = (value: number): MetadataValue => ({ type: 'uint32', value });
  const defaults: Record<string, MetadataValue | undefined> = {
    'general.architecture': { type: 'string', value: 'llama' },
    'llama.context_length': u(16),
    'llama.embedding_length': u(8),
    'llama.block_count': u(1),
    'llama.attention.head_count': u(2),
    'tokenizer.ggml.tokens': { type: 'string[]', value: ['a', 'b', 'c', 'd'] },
  };
  const writer = new GgufWriter();
  for (const [key, value] of Object.entries({ ...defaults, ...keys })) if (value) writer.set(key, value);
  const shapes = { 'token_embd.weight': [8, 4], 'blk.0.attn_norm.weight': [8], ...tensors };
  for (const [tensor, shape] of Object.entries(shapes)) writer.tensorF32(tensor, shape, (out) => out.fill(0));
  const file = path.join(dir, name);
  writer.write(file);
  return file;
}

interface Case {
  name: string;
  file: () => string;
  code: string;
  /** What the message must say: the field at fault. */
  says: string;
  role?: 'model' | 'adapter';
}

const hyperparameters: Case[] = [
  { name: 'zero attention heads', file: () => withU32('llama.attention.head_count', 0), code: 'MODEL_CORRUPT', says: 'llama.attention.head_count 为 0' },
  { name: 'heads not dividing the embedding', file: () => withU32('llama.attention.head_count', 3), code: 'MODEL_CORRUPT', says: 'llama.attention.head_count 为 3，不能整除 llama.embedding_length 64' },
  { name: 'zero kv heads', file: () => withU32('llama.attention.head_count_kv', 0), code: 'MODEL_CORRUPT', says: 'llama.attention.head_count_kv 为 0' },
  { name: 'kv heads not dividing the heads', file: () => withU32('llama.attention.head_count_kv', 3), code: 'MODEL_CORRUPT', says: 'llama.attention.head_count_kv 为 3，不能整除' },
  { name: 'block_count 100000', file: () => withU32('llama.block_count', 100_000), code: 'MODEL_CORRUPT', says: 'llama.block_count 为 100000，但文件中的张量属于 2 个层' },
  { name: 'block_count 0', file: () => withU32('llama.block_count', 0), code: 'MODEL_CORRUPT', says: 'llama.block_count 为 0' },
  { name: 'block_count 3 with 2 layers', file: () => withU32('llama.block_count', 3), code: 'MODEL_CORRUPT', says: 'llama.block_count 为 3' },
  { name: 'embedding length unlike the embeddings', file: () => withU32('llama.embedding_length', 32), code: 'MODEL_CORRUPT', says: 'llama.embedding_length 为 32，与张量 token_embd.weight 的宽度 64 不符' },
  { name: 'context length 0', file: () => withU32('llama.context_length', 0), code: 'MODEL_CORRUPT', says: 'llama.context_length 为 0' },
  { name: 'no block_count', file: () => crafted('no-blocks.gguf', { 'llama.block_count': undefined }), code: 'MODEL_CORRUPT', says: '缺少 llama.block_count' },
  { name: 'no head_count', file: () => crafted('no-heads.gguf', { 'llama.attention.head_count': undefined }), code: 'MODEL_CORRUPT', says: '缺少 llama.attention.head_count' },
  { name: 'more vocabulary rows than tokens', file: () => crafted('vocab.gguf', {}, { 'token_embd.weight': [8, 5] }), code: 'MODEL_CORRUPT', says: '词表 tokenizer.ggml.tokens 有 4 个词元，与张量 token_embd.weight 的 5 行不符' },
  { name: 'positions unlike the context length', file: () => crafted('positions.gguf', {}, { 'position_embd.weight': [8, 32] }), code: 'MODEL_CORRUPT', says: 'llama.context_length 为 16，与张量 position_embd.weight 的 32 个位置不符' },
  { name: '600 layers (llama.cpp stops at 512)', file: () => crafted('deep.gguf', { 'llama.block_count': { type: 'uint32', value: 600 } }, Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`blk.${i}.attn_norm.weight`, [8]]))), code: 'MODEL_CORRUPT', says: 'llama.block_count 为 600，超过 llama.cpp 的上限 512' },
  { name: 'more nextn layers than blocks', file: () => crafted('nextn.gguf', { 'llama.nextn_predict_layers': { type: 'uint32', value: 2 } }), code: 'MODEL_CORRUPT', says: 'llama.nextn_predict_layers 为 2' },
  { name: 'experts without expert_used_count', file: () => crafted('experts.gguf', { 'llama.expert_count': { type: 'uint32', value: 8 } }), code: 'MODEL_CORRUPT', says: 'llama.expert_used_count 缺失或为 0' },
  { name: 'more experts used than exist', file: () => crafted('experts-used.gguf', { 'llama.expert_count': { type: 'uint32', value: 8 }, 'llama.expert_used_count': { type: 'uint32', value: 9 } }), code: 'MODEL_CORRUPT', says: 'llama.expert_used_count 为 9，超过 llama.expert_count 8' },
  { name: 'experts used without experts', file: () => crafted('no-experts.gguf', { 'llama.expert_used_count': { type: 'uint32', value: 2 } }), code: 'MODEL_CORRUPT', says: 'llama.expert_used_count 为 2，但模型没有专家' },
  { name: 'an unknown rope scaling', file: () => crafted('rope.gguf', { 'llama.rope.scaling.type': { type: 'string', value: 'bogus' } }), code: 'MODEL_CORRUPT', says: 'llama.rope.scaling.type 为 "bogus"' },
];

const header: Case[] = [
  { name: 'an array of 2^32 strings', file: () => raw('huge-array.gguf', stringArrayHeader(2n ** 32n)), code: 'MODEL_CORRUPT', says: '元数据 tokenizer.ggml.tokens 的元素数量 4294967296 不合理' },
  { name: 'an array of 2^31 bytes in 64 bytes', file: () => raw('huge-bytes.gguf', Buffer.concat([preamble(0, 1), ggufString('k'), u32(9), u32(0), u64(2n ** 31n)])), code: 'MODEL_CORRUPT', says: '元数据 k 的元素数量 2147483648 不合理' },
  { name: 'an array longer than the file', file: () => raw('long-array.gguf', Buffer.concat([preamble(0, 1), ggufString('k'), u32(9), u32(4), u64(1000)])), code: 'MODEL_TRUNCATED', says: '元数据 k 声明 1000 个元素，至少需要 4000 字节' },
  { name: 'a key length of 2^33', file: () => raw('huge-key.gguf', Buffer.concat([preamble(0, 1), u64(2n ** 33n), Buffer.alloc(32)])), code: 'MODEL_CORRUPT', says: '第 1 个元数据条目的键的长度 8589934592 不合理' },
  { name: 'a string length past the end of the file', file: () => raw('long-key.gguf', Buffer.concat([preamble(0, 1), u64(1000), Buffer.from('tokenizer')])), code: 'MODEL_TRUNCATED', says: '读取第 1 个元数据条目的键时已到文件末尾' },
  { name: 'a string value of 2^40 bytes', file: () => raw('huge-value.gguf', Buffer.concat([preamble(0, 1), ggufString('general.name'), u32(8), u64(2n ** 40n)])), code: 'MODEL_CORRUPT', says: '元数据 general.name 的长度 1099511627776 不合理' },
  { name: '2^40 tensors', file: () => raw('tensors.gguf', Buffer.concat([preamble(2n ** 40n, 0), Buffer.alloc(64)])), code: 'MODEL_CORRUPT', says: '张量数量 1099511627776 不合理' },
  { name: '5,000 tensors in 100 bytes', file: () => raw('few-bytes.gguf', Buffer.concat([preamble(5_000, 0), Buffer.alloc(76)])), code: 'MODEL_TRUNCATED', says: '文件头声明 5000 个张量，至少需要 125000 字节，文件只剩 84 字节' },
  { name: '2^40 metadata entries', file: () => raw('kvs.gguf', Buffer.concat([preamble(0, 2n ** 40n), Buffer.alloc(64)])), code: 'MODEL_CORRUPT', says: '元数据条目数量 1099511627776 不合理' },
  { name: 'an unknown metadata type', file: () => raw('type.gguf', Buffer.concat([preamble(0, 1), ggufString('k'), u32(13), u64(0)])), code: 'MODEL_CORRUPT', says: '元数据 k 的类型 13 未知' },
  { name: 'an array of arrays', file: () => raw('nested.gguf', Buffer.concat([preamble(0, 1), ggufString('k'), u32(9), u32(9), u64(1), u32(4), u64(0)])), code: 'MODEL_CORRUPT', says: '元数据 k 的数组元素类型 9 不受支持' },
  { name: 'an empty key', file: () => raw('empty-key.gguf', Buffer.concat([preamble(0, 1), ggufString(''), u32(4), u32(0)])), code: 'MODEL_CORRUPT', says: '第 1 个元数据条目的键为空' },
  { name: 'a key twice', file: () => mutated('dup-key.gguf', (b) => b.write('bos', after(b, 'tokenizer.ggml.eos_token_id') - 'eos_token_id'.length)), code: 'MODEL_CORRUPT', says: '元数据 tokenizer.ggml.bos_token_id 重复出现' },
  { name: 'alignment 0', file: () => withU32('general.alignment', 0), code: 'MODEL_CORRUPT', says: 'general.alignment 为 0，不是 2 的幂' },
  { name: 'alignment 3', file: () => withU32('general.alignment', 3), code: 'MODEL_CORRUPT', says: 'general.alignment 为 3，不是 2 的幂' },
  { name: 'alignment as int32', file: () => crafted('align-type.gguf', { 'general.alignment': { type: 'int32', value: 32 } }), code: 'MODEL_CORRUPT', says: 'general.alignment 的类型应为 uint32' },
  { name: 'big-endian', file: () => raw('big-endian.gguf', Buffer.concat([Buffer.from('GGUF'), Buffer.from([0, 0, 0, 3]), Buffer.alloc(16)])), code: 'MODEL_UNSUPPORTED', says: '大端序' },
  { name: 'version 1', file: () => raw('v1.gguf', Buffer.concat([preamble(0, 0, 1)])), code: 'MODEL_UNSUPPORTED', says: 'GGUF 版本 1 过旧' },
  { name: 'version 4', file: () => raw('v4.gguf', Buffer.concat([preamble(0, 0, 4)])), code: 'MODEL_UNSUPPORTED', says: 'GGUF 版本 4 较新' },
];

const tensorTable: Case[] = [
  { name: 'a misaligned tensor offset', file: () => mutated('misaligned.gguf', (b) => { const t = tensorEntry(b, 'output_norm.weight'); b.writeBigUInt64LE(b.readBigUInt64LE(t.offset) + 4n, t.offset); }), code: 'MODEL_CORRUPT', says: '张量 output_norm.weight 的数据偏移' },
  { name: 'a tensor offset far past the end', file: () => mutated('far.gguf', (b) => b.writeBigUInt64LE(2n ** 40n, tensorEntry(b, 'token_embd.weight').offset)), code: 'MODEL_CORRUPT', says: '张量 token_embd.weight 的数据偏移为 1099511627776，应为 0' },
  { name: 'a tensor offset past 2^53', file: () => mutated('huge-offset.gguf', (b) => b.writeBigUInt64LE(2n ** 60n, tensorEntry(b, 'token_embd.weight').offset)), code: 'MODEL_CORRUPT', says: '张量 token_embd.weight 的数据偏移 1152921504606846976 超出范围' },
  { name: 'tensor dimensions whose product overflows', file: () => mutated('overflow.gguf', (b) => { const t = tensorEntry(b, 'token_embd.weight'); b.writeBigUInt64LE(2n ** 40n, t.shape); b.writeBigUInt64LE(2n ** 40n, t.shape + 8); }), code: 'MODEL_CORRUPT', says: '张量 token_embd.weight 的形状 1099511627776×1099511627776 元素总数溢出' },
  { name: 'a middle tensor larger than its place', file: () => mutated('overlap.gguf', (b) => b.writeBigUInt64LE(2n ** 20n, tensorEntry(b, 'blk.0.attn_q.weight').shape + 8)), code: 'MODEL_CORRUPT', says: '张量 blk.0.attn_k.weight 的数据偏移为' },
  { name: 'the last tensor larger than the file', file: () => mutated('long-tail.gguf', (b) => b.writeBigUInt64LE(2n ** 30n, tensorEntry(b, 'blk.1.ffn_down.weight').shape + 8)), code: 'MODEL_TRUNCATED', says: '从张量 blk.1.ffn_down.weight 起数据缺失' },
  { name: 'five dimensions', file: () => mutated('dims.gguf', (b) => b.writeUInt32LE(5, tensorEntry(b, 'token_embd.weight').dims)), code: 'MODEL_CORRUPT', says: '张量 token_embd.weight 的维数 5 不合理' },
  { name: 'a row not a whole number of blocks', file: () => mutated('blocks.gguf', (b) => b.writeUInt32LE(12, tensorEntry(b, 'output_norm.weight').type)), code: 'MODEL_CORRUPT', says: '张量 output_norm.weight 的行长度 64 不是 Q4_K 块大小 256 的整数倍' },
  { name: 'a removed ggml type', file: () => mutated('removed-type.gguf', (b) => b.writeUInt32LE(31, tensorEntry(b, 'output_norm.weight').type)), code: 'MODEL_UNSUPPORTED', says: '张量 output_norm.weight 的数据类型 type31' },
  { name: 'a tensor name twice', file: () => mutated('dup-tensor.gguf', (b) => b.write('k', after(b, 'blk.0.attn_q.weight') - 'q.weight'.length)), code: 'MODEL_CORRUPT', says: '张量 blk.0.attn_k.weight 重复出现' },
  { name: 'a 64-byte tensor name', file: () => crafted('long-name.gguf', {}, { [`blk.0.${'x'.repeat(51)}.weight`]: [8] }), code: 'MODEL_CORRUPT', says: '第 3 个张量的名称的长度 64 不合理（上限 63）' },
];

const whole: Case[] = [
  { name: 'the model cut in its data', file: () => paths.truncated, code: 'MODEL_TRUNCATED', says: '从张量' },
  { name: 'the model cut in its header', file: () => raw('cut.gguf', base.subarray(0, 2000)), code: 'MODEL_TRUNCATED', says: '元数据 tokenizer.ggml.tokens 声明' },
  { name: 'the adapter cut in its header', file: () => raw('cut-lora.gguf', fs.readFileSync(paths.lora).subarray(0, 300)), code: 'MODEL_TRUNCATED', says: '文件头中途结束', role: 'adapter' },
  { name: 'an adapter with a misaligned tensor', file: () => raw('bad-lora.gguf', (() => { const b = fs.readFileSync(paths.lora); const t = tensorEntry(b, 'blk.0.attn_q.weight.lora_b'); b.writeBigUInt64LE(b.readBigUInt64LE(t.offset) + 8n, t.offset); return b; })()), code: 'MODEL_CORRUPT', says: '张量 blk.0.attn_q.weight.lora_b 的数据偏移', role: 'adapter' },
  { name: 'a text file', file: () => paths.notAModel, code: 'MODEL_NOT_GGUF', says: '文件头标识不是 "GGUF"' },
  { name: 'an empty file', file: () => raw('empty.gguf', Buffer.alloc(0)), code: 'MODEL_NOT_GGUF', says: '文件只有 0 字节' },
  { name: 'GGUF and nothing else', file: () => raw('magic.gguf', Buffer.from('GGUF')), code: 'MODEL_TRUNCATED', says: '读取版本号时已到文件末尾' },
];

async function refusal(file: string, role: 'model' | 'adapter'): Promise<XinglinError> {
  try {
    await (role === 'model' ? inspectModel(file) : inspectAdapter(file));
  } catch (error) {
    expect(error).toBeInstanceOf(XinglinError);
    return error as XinglinError;
  }
  throw new Error(`${path.basename(file)} was accepted`);
}

describe.each([
  ['hyperparameters', hyperparameters],
  ['header counts, lengths and types', header],
  ['the tensor table', tensorTable],
  ['whole files', whole],
])('crafted GGUF: %s', (_group, cases) => {
  it.each(cases)('$name → $code', async ({ file, code, says, role = 'model' }) => {
    const target = file();
    const error = await refusal(target, role);
    expect({ code: error.code, message: error.message }).toMatchObject({ code, message: expect.stringContaining(says) });
    expect(error.message).toContain(path.basename(target));
    expect(error.details).toMatchObject({ file: path.basename(target), role });
  });
});

describe('files that are fine stay fine', () => {
  it('the generated model and its adapters', async () => {
    const model = await inspectModel(paths.model);
    expect(model.tensors.length).toBe(21);
    for (const file of [paths.lora, paths.loraB, paths.loraMismatch]) expect((await inspectAdapter(file)).type).toBe('adapter');
  });

  it('head size stated explicitly, so heads need not divide the embedding (as GLM-4.5: 5120 wide, 96 heads)', async () => {
    const file = crafted('glm-like.gguf', {
      'llama.attention.head_count': { type: 'uint32', value: 3 },
      'llama.attention.key_length': { type: 'uint32', value: 4 },
      'llama.attention.value_length': { type: 'uint32', value: 4 },
    });
    expect((await inspectModel(file)).architecture).toBe('llama');
  });

  it('a recurrent architecture has no heads to check', async () => {
    const file = crafted('mamba.gguf', {
      'general.architecture': { type: 'string', value: 'mamba' },
      'llama.context_length': undefined, 'llama.embedding_length': undefined, 'llama.block_count': undefined, 'llama.attention.head_count': undefined,
      'mamba.context_length': { type: 'uint32', value: 16 },
      'mamba.embedding_length': { type: 'uint32', value: 8 },
      'mamba.block_count': { type: 'uint32', value: 1 },
      'mamba.attention.head_count': { type: 'uint32', value: 0 },
    });
    expect((await inspectModel(file)).architecture).toBe('mamba');
  });

  it('a model with a 150,000-token vocabulary, its header crossing many read chunks', async () => {
    const file = path.join(dir, 'big-vocab.gguf');
    writeTinyLlama(file, { nEmbd: 8, nHead: 2, nHeadKv: 2, nFf: 16, vocabExtra: 150_000 });
    const model = await inspectModel(file);
    const tokens = model.metadata.get('tokenizer.ggml.tokens') as { length: number };
    expect(tokens.length).toBeGreaterThan(150_000);
    expect(model.dataOffset).toBeGreaterThan(2 * READ_CHUNK_BYTES);
    expect(model.chatTemplate).toContain('<|im_start|>'); // a string read after the vocabulary
  });
});

describe('the 600 MB sparse file of the report', () => {
  it('is refused from its first chunk: one read, no larger than READ_CHUNK_BYTES', async () => {
    const file = path.join(dir, 'sparse-600mb.gguf');
    writeSparse(file, stringArrayHeader(2n ** 32n), 600 * 1024 * 1024);
    try {
      expect(fs.statSync(file).size).toBe(600 * 1024 * 1024);
      const error = await refusal(file, 'model');
      expect(error.code).toBe('MODEL_CORRUPT');
      expect(error.message).toContain('tokenizer.ggml.tokens 的元素数量 4294967296 不合理');
      expect(error.details).toMatchObject({ field: 'tokenizer.ggml.tokens' });

      // The same file through the reader's file seam, counting what it asks for.
      const reads: number[] = [];
      const handle = await open(file, 'r');
      const counted: GgufSource = {
        read: (buffer, offset, length, position) => {
          reads.push(length);
          return handle.read(buffer, offset, length, position);
        },
      };
      await expect(readGgufHeader(counted, fs.statSync(file).size).finally(() => handle.close())).rejects.toMatchObject({ kind: 'corrupt' });
      expect(reads).toEqual([READ_CHUNK_BYTES]);
    } finally {
      fs.rmSync(file);
    }
  });
});
