/**
 * Quantised fixture models: the writer stores Q4_0 and Q8_0 blocks exactly as ggml's reference
 * quantisers do (checked against blocks worked out by hand from ggml-common.h's layouts), and
 * llama.cpp loads the result and generates from it.
 */
import path from 'node:path';
import { getLlama, LlamaCompletion, LlamaLogLevel, readGgufFileInfo, type Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCpuRepackedType } from '../../src-main/core/llm/gguf/ggml-types.js';
import { inspectModel } from '../../src-main/core/llm/gguf/inspect.js';
import { quantizeQ4_0, quantizeQ8_0, toHalf } from '../fixtures/gguf/quantize.js';
import { tinyLlamaByteLength, writeTinyLlama } from '../fixtures/gguf/tiny-llama.js';
import { GgufWriter } from '../fixtures/gguf/writer.js';
import { tempDir } from '../helpers/env.js';

describe('half-precision scales', () => {
  it('round to nearest even, with subnormals, overflow and signed zero as F16C gives them', () => {
    expect(toHalf(1)).toBe(0x3c00);
    expect(toHalf(-2)).toBe(0xc000);
    expect(toHalf(0.1)).toBe(0x2e66);
    expect(toHalf(1 / 3)).toBe(0x3555);
    expect(toHalf(65504)).toBe(0x7bff);
    expect(toHalf(65520)).toBe(0x7c00);
    expect(toHalf(2 ** -24)).toBe(0x0001);
    expect(toHalf(2 ** -25)).toBe(0x0000); // a tie: to the even 0
    expect(toHalf(3 * 2 ** -25)).toBe(0x0002); // a tie: to the even 2
    expect(toHalf(-0)).toBe(0x8000);
    expect(toHalf(1 + 2 ** -11)).toBe(0x3c00); // a tie below: stays even
    expect(toHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // a tie above: up to even
  });
});

describe('Q4_0 blocks', () => {
  it('store the scale that makes the largest magnitude −8, weight j in the low nibble of byte j and weight j+16 in the high one', () => {
    // Weights −16 … 15: the largest magnitude is −16, so d = −16 / −8 = 2 and each weight w is
    // stored as trunc(w / 2 + 8.5), clamped to 15.
    const block = quantizeQ4_0(Float32Array.from({ length: 32 }, (_, j) => j - 16));
    expect(block.length).toBe(18);
    expect(block.readUInt16LE(0)).toBe(0x4000); // 2.0
    const low = [0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8];
    const high = [8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15, 15];
    expect([...block.subarray(2)]).toEqual(low.map((l, j) => l | (high[j]! << 4)));
  });

  it('take a negative scale when the largest magnitude is positive, and −0 for an all-zero block', () => {
    const values = new Float32Array(64);
    values[5] = 4; // d = 4 / −8 = −0.5: 4 → 0, 0 → 8
    const blocks = quantizeQ4_0(values);
    expect(blocks.readUInt16LE(0)).toBe(0xb800); // −0.5
    expect(blocks[2 + 5]).toBe(0x80 | 0x00);
    expect(blocks[2]).toBe(0x88);
    expect(blocks.readUInt16LE(18)).toBe(0x8000);
    expect([...blocks.subarray(20)]).toEqual(new Array(16).fill(0x88));
  });

  it('dequantise, as ggml reads them, to within half a step of the weights', () => {
    const values = Float32Array.from({ length: 256 }, (_, i) => Math.sin(i * 1.7) * (1 + (i % 7)));
    const blocks = quantizeQ4_0(values);
    for (let b = 0; b < 8; b++) {
      const d = halfToFloat(blocks.readUInt16LE(b * 18));
      for (let j = 0; j < 16; j++) {
        const byte = blocks[b * 18 + 2 + j]!;
        for (const [index, nibble] of [[b * 32 + j, byte & 0x0f], [b * 32 + j + 16, byte >> 4]] as const) {
          expect(Math.abs((nibble - 8) * d - values[index]!)).toBeLessThanOrEqual(Math.abs(d) * 0.5 + 1e-3 + (nibble === 15 ? Math.abs(d) : 0));
        }
      }
    }
  });
});

describe('Q8_0 blocks', () => {
  it('store amax / 127 as the scale and each weight rounded half away from zero', () => {
    // Weights (j − 16) / 4: amax 4, d = 4 / 127, so w → round(w · 31.75).
    const block = quantizeQ8_0(Float32Array.from({ length: 32 }, (_, j) => (j - 16) / 4));
    expect(block.length).toBe(34);
    expect(block.readUInt16LE(0)).toBe(0x2808); // 4 / 127 ≈ 0.031494 in half precision
    expect(block.readInt8(2 + 0)).toBe(-127);
    expect(block.readInt8(2 + 16)).toBe(0);
    expect(block.readInt8(2 + 17)).toBe(8); // 7.9375
    expect(block.readInt8(2 + 18)).toBe(16); // 15.875
    expect(block.readInt8(2 + 15)).toBe(-8);
    expect(block.readInt8(2 + 31)).toBe(119); // 119.0625
  });
});

describe('the GGUF writer with quantised tensors', () => {
  it('refuses rows that do not split into blocks, and lays quantised tensors out where node-llama-cpp reads them', async () => {
    expect(() => new GgufWriter().tensor('w', [48, 2], new Float32Array(96), 'Q4_0')).toThrow(/do not split into Q4_0 blocks/);
    const file = path.join(tempDir(), 'q4.gguf');
    const size = writeTinyLlama(file, { weights: 'Q4_0' });
    expect(size).toBe(tinyLlamaByteLength({ weights: 'Q4_0' }));
    expect(size).toBeLessThan(tinyLlamaByteLength() / 5);
    const info = await readGgufFileInfo(file);
    expect(info.metadata.general.file_type).toBe(2); // MOSTLY_Q4_0
    const types = new Map(info.fullTensorInfo!.map((t) => [t.name, t.ggmlType]));
    expect(types.get('blk.0.attn_q.weight')).toBe(2);
    expect(types.get('output.weight')).toBe(2);
    expect(types.get('blk.0.attn_norm.weight')).toBe(0); // norms stay F32
    // The app's own inspector sees that the CPU will repack it (and so loads it without mmap).
    const inspected = await inspectModel(file);
    expect(inspected.tensors.some((t) => isCpuRepackedType(t.ggmlType))).toBe(true);
  });
});

describe('quantised models in llama.cpp', () => {
  let llama: Llama;
  const dir = tempDir();
  beforeAll(async () => {
    llama = await getLlama({ build: 'never', gpu: false, maxThreads: 1, logLevel: LlamaLogLevel.error });
  });
  afterAll(async () => {
    await llama?.dispose();
  });

  async function complete(weights: 'F32' | 'Q4_0' | 'Q8_0'): Promise<{ text: string; type: string }> {
    const file = path.join(dir, `${weights}.gguf`);
    writeTinyLlama(file, { weights });
    const model = await llama.loadModel({ modelPath: file });
    try {
      const context = await model.createContext({ contextSize: 256, threads: 1 });
      const text = await new LlamaCompletion({ contextSequence: context.getSequence() }).generateCompletion('The patient has a headache and', { maxTokens: 24, temperature: 0 });
      return { text, type: model.typeDescription };
    } finally {
      await model.dispose();
    }
  }

  it('load a Q4_0 model and generate from it; a Q8_0 model generates exactly the F32 model’s greedy tokens', async () => {
    const q4 = await complete('Q4_0');
    expect(q4.type).toMatch(/Q4_0/);
    expect(q4.text.trim().length).toBeGreaterThan(10);
    const f32 = await complete('F32');
    const q8 = await complete('Q8_0');
    expect(q8.type).toMatch(/Q8_0/);
    // Q8_0's error is far below the fixture's logit margins: a wrong block layout or scale would
    // change the tokens, the right one keeps them.
    expect(q8.text).toBe(f32.text);
  });
});

/** ggml's half → float, independent of the writer's float → half. */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}
