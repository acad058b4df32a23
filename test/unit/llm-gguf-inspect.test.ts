/**
 * GGUF inspection on real generated files (no llama.cpp): every bad file gets its own typed
 * error with a Chinese message naming the file and the cause, and adapters are checked against
 * the base model's tensors before llama.cpp would ever see them. Crafted hostile headers are in
 * test/corpus/gguf.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkAdapterFits,
  ggmlTensorBytes,
  inspectAdapter,
  inspectGguf,
  inspectModel,
  isSupportedArchitecture,
  type GgufInspection,
} from '../../src-main/core/llm/index.js';
import { generateFixtures, type FixturePaths } from '../fixtures/gguf/tiny-llama.js';
import { failure } from '../helpers/errors.js';

let dir: string;
let paths: FixturePaths;
let base: GgufInspection;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-gguf-'));
  paths = generateFixtures(dir);
  base = await inspectModel(paths.model);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A copy of `source` with every occurrence of `from` replaced by `to` (same length, so offsets hold). */
function patched(source: string, name: string, from: string, to: string): string {
  expect(to.length).toBe(from.length);
  const bytes = fs.readFileSync(source);
  const needle = Buffer.from(from, 'latin1');
  let at = bytes.indexOf(needle);
  expect(at).toBeGreaterThanOrEqual(0);
  while (at >= 0) {
    bytes.write(to, at, 'latin1');
    at = bytes.indexOf(needle, at + 1);
  }
  const target = path.join(dir, name);
  fs.writeFileSync(target, bytes);
  return target;
}

/** The bytes of `general.architecture = "<arch>"` as GGUF stores a string value. */
function archValue(arch: string): string {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(arch.length));
  const type = Buffer.alloc(4);
  type.writeUInt32LE(8);
  return 'general.architecture' + type.toString('latin1') + len.toString('latin1') + arch;
}

describe('inspectModel on the generated base model', () => {
  it('reads architecture, context length, chat template and the tensor table without loading weights', () => {
    expect(base.file).toBe('tiny-llama.gguf');
    expect(base.type).toBe('model');
    expect(base.architecture).toBe('llama');
    expect(base.version).toBe(3);
    expect(base.contextLength).toBe(512);
    expect(base.chatTemplate).toContain('<|im_start|>');
    expect(base.sizeBytes).toBe(fs.statSync(paths.model).size);
    expect(base.dataOffset % 32).toBe(0);
    const q = base.tensors.find((t) => t.name === 'blk.0.attn_q.weight');
    expect(q?.shape).toEqual([64, 64]);
    expect(q?.byteLength).toBe(64 * 64 * 4);
    // The tensor table accounts for the whole file: the last tensor's data ends at its end.
    const end = Math.max(...base.tensors.map((t) => t.fileOffset + (t.byteLength ?? 0)));
    expect(end).toBeLessThanOrEqual(base.sizeBytes);
    expect(base.sizeBytes - end).toBeLessThan(32);
  });

  it('knows which architectures can chat', () => {
    expect(isSupportedArchitecture('llama')).toBe(true);
    expect(isSupportedArchitecture('qwen2')).toBe(true);
    expect(isSupportedArchitecture('bert')).toBe(false);
    expect(isSupportedArchitecture('clip')).toBe(false);
    expect(isSupportedArchitecture('no-such-arch')).toBe(false);
  });

  it('sizes quantised tensors from ggml block layouts', () => {
    expect(ggmlTensorBytes(0, [64, 64])).toBe(16384);
    expect(ggmlTensorBytes(2, [4096, 4096])).toBe((4096 / 32) * 18 * 4096);
    expect(ggmlTensorBytes(12, [4096, 11008])).toBe((4096 / 256) * 144 * 11008);
    expect(ggmlTensorBytes(9999, [64, 64])).toBeNull();
  });
});

describe('bad files give their own typed errors', () => {
  it('missing model → MODEL_NOT_FOUND, missing adapter → ADAPTER_NOT_FOUND', async () => {
    const model = await failure(inspectModel(path.join(dir, 'nope.gguf')));
    expect(model.code).toBe('MODEL_NOT_FOUND');
    expect(model.message).toBe('找不到模型文件 nope.gguf：文件不存在');
    const adapter = await failure(inspectAdapter(path.join(dir, 'lora', 'nope-lora.gguf')));
    expect(adapter.code).toBe('ADAPTER_NOT_FOUND');
    expect(adapter.message).toContain('nope-lora.gguf');
    const folder = await failure(inspectModel(path.join(dir, 'lora')));
    expect(folder.code).toBe('MODEL_NOT_FOUND');
    expect(folder.message).toContain('不是文件');
  });

  it('a text file → MODEL_NOT_GGUF; an empty file too', async () => {
    const text = await failure(inspectModel(paths.notAModel));
    expect(text.code).toBe('MODEL_NOT_GGUF');
    expect(text.message).toBe('模型文件 not-a-model.gguf 不是有效的 GGUF 文件：文件头标识不是 "GGUF"');
    const empty = path.join(dir, 'empty.gguf');
    fs.writeFileSync(empty, '');
    expect((await failure(inspectModel(empty))).code).toBe('MODEL_NOT_GGUF');
  });

  it('tensor data past the end of the file → MODEL_TRUNCATED with both sizes', async () => {
    const error = await failure(inspectModel(paths.truncated));
    expect(error.code).toBe('MODEL_TRUNCATED');
    const actual = fs.statSync(paths.truncated).size;
    expect(error.message).toContain('tiny-llama-truncated.gguf 不完整');
    expect(error.message).toContain(`文件只有 ${actual} 字节`);
    expect(error.details).toMatchObject({ actualBytes: actual, expectedBytes: base.sizeBytes });
  });

  it('an architecture llama.cpp cannot chat with → MODEL_UNSUPPORTED naming it', async () => {
    const file = patched(paths.model, 'odd-arch.gguf', archValue('llama'), archValue('gpt-9'));
    const error = await failure(inspectModel(file));
    expect(error.code).toBe('MODEL_UNSUPPORTED');
    expect(error.message).toContain('gpt-9');
  });

  it('an adapter offered as a base model → MODEL_UNSUPPORTED', async () => {
    const error = await failure(inspectModel(paths.lora));
    expect(error.code).toBe('MODEL_UNSUPPORTED');
    expect(error.message).toContain('LoRA 适配器');
  });
});

describe('checkAdapterFits', () => {
  it('accepts both fitting adapters', async () => {
    for (const file of [paths.lora, paths.loraB]) {
      const adapter = await inspectAdapter(file);
      expect(adapter.type).toBe('adapter');
      expect(adapter.adapterType).toBe('lora');
      expect(() => checkAdapterFits(base, adapter)).not.toThrow();
    }
  });

  it('names the tensor and both shapes when an adapter does not fit', async () => {
    const adapter = await inspectAdapter(paths.loraMismatch);
    const error = await failure(() => checkAdapterFits(base, adapter));
    expect(error.code).toBe('ADAPTER_MISMATCH');
    expect(error.message).toMatch(/^适配器 mismatch-lora\.gguf 与基础模型 \S+ 不匹配：张量 blk\.\d+\.\w+\.weight 需要 64×\d+，适配器给出 96×\d+/);
    expect(error.details).toMatchObject({ file: 'mismatch-lora.gguf', model: 'tiny-llama.gguf' });
  });

  it('refuses a base model offered as an adapter', async () => {
    const notAdapter = await inspectAdapter(paths.model);
    const error = await failure(() => checkAdapterFits(base, notAdapter));
    expect(error.code).toBe('ADAPTER_MISMATCH');
    expect(error.message).toContain('不是 LoRA 适配器');
  });

  it('refuses an adapter made for another architecture', async () => {
    const file = patched(paths.lora, 'qwen-lora.gguf', archValue('llama'), archValue('qwen2'));
    const error = await failure(async () => checkAdapterFits(base, await inspectAdapter(file)));
    expect(error.code).toBe('ADAPTER_MISMATCH');
    expect(error.message).toContain('qwen2');
    expect(error.message).toContain('llama');
  });

  it('refuses an adapter whose target tensor the base does not have', async () => {
    const file = patched(paths.lora, 'ghost-lora.gguf', 'blk.0.', 'blk.7.');
    const error = await failure(async () => checkAdapterFits(base, await inspectAdapter(file)));
    expect(error.code).toBe('ADAPTER_MISMATCH');
    expect(error.message).toMatch(/张量 blk\.7\.\w+\.weight 在基础模型 tiny-llama\.gguf 中不存在/);
  });

  it('inspectGguf reports the role it was asked about', async () => {
    const error = await failure(inspectGguf(paths.truncated, 'adapter'));
    expect(error.code).toBe('MODEL_TRUNCATED');
    expect(error.message).toMatch(/^适配器文件 /);
  });
});
