/**
 * What the registry shows of a GGUF header: the contract's GgufMetadata from real generated files
 * (the fixture model and adapter, and crafted headers carrying the keys real conversions write),
 * with llama.cpp's names for quantisations and its labels for parameter counts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectGguf } from '../../src-main/core/llm/index.js';
import { dominantTensorType, fileTypeName, ggufMetadata, sizeLabelOf } from '../../src-main/core/llm/registry/metadata.js';
import { buildVocabulary, CHATML_TEMPLATE, generateFixtures, type FixturePaths } from '../fixtures/gguf/tiny-llama.js';
import { GgufWriter } from '../fixtures/gguf/writer.js';
import { tempDir } from '../helpers/env.js';

let dir: string;
let paths: FixturePaths;

beforeAll(() => {
  dir = tempDir('xinglin-metadata-');
  paths = generateFixtures(dir, { contextLength: 1024 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const fill = (out: Float32Array) => out.fill(0.5);

describe('GGUF metadata for the registry', () => {
  it('reads the fixture base model: architecture, size, quantisation, context, width, depth and its chat template', async () => {
    const metadata = ggufMetadata(await inspectGguf(paths.model));
    // The fixture's default shape: 64 wide, 2 blocks, 4 heads (kv 4), feed-forward 128.
    const vocab = buildVocabulary().tokens.length;
    const perBlock = 2 * 64 + 4 * 64 * 64 + 3 * 64 * 128;
    const parameters = 2 * 64 * vocab + 64 + 2 * perBlock;
    expect(metadata).toEqual({
      architecture: 'llama',
      name: 'tiny-llama',
      sizeLabel: sizeLabelOf(parameters),
      parameterCount: parameters,
      quantization: 'F32',
      contextLength: 1024,
      embeddingLength: 64,
      blockCount: 2,
      chatTemplate: CHATML_TEMPLATE,
      loraAlpha: null,
      baseModel: null,
    });
    expect(metadata.sizeLabel).toMatch(/^\d+(\.\d)?K$/);
  });

  it('reads an adapter: its alpha, its architecture, and the dominant tensor type when the file names no file type', async () => {
    const metadata = ggufMetadata(await inspectGguf(paths.lora, 'adapter'));
    expect(metadata).toMatchObject({ architecture: 'llama', name: 'tiny-llama-lora-1', quantization: 'F32', loraAlpha: 8, contextLength: null, chatTemplate: null, baseModel: null });
    // rank 4 on attn_q and attn_v of 2 blocks: A 64×4 and B 4×64 each.
    expect(metadata.parameterCount).toBe(2 * 2 * (64 * 4 + 4 * 64));
  });

  it('keeps what a converted file records: size label, parameter count, file type, and the base an adapter was made from', async () => {
    const file = path.join(dir, 'qizhen-lora.gguf');
    new GgufWriter()
      .string('general.architecture', 'llama')
      .string('general.type', 'adapter')
      .string('general.size_label', '7B')
      .uint32('general.parameter_count', 3_000_000)
      .uint32('general.file_type', 15)
      .string('general.base_model.0.name', 'Chinese-LLaMA-Plus-7B')
      .string('general.base_model.0.repo_url', 'https://example.org/chinese-llama-plus-7b')
      .float32('adapter.lora.alpha', 16)
      .tensor('blk.0.attn_q.weight.lora_a', [64, 4], fill, 'Q8_0')
      .write(file);
    expect(ggufMetadata(await inspectGguf(file, 'adapter'))).toMatchObject({ sizeLabel: '7B', parameterCount: 3_000_000, quantization: 'Q4_K_M', loraAlpha: 16, baseModel: 'Chinese-LLaMA-Plus-7B' });
  });

  it('names the base by its repository when that is all the file records, and finds the quantisation from the largest tensors', async () => {
    const file = path.join(dir, 'mixed.gguf');
    new GgufWriter()
      .string('general.architecture', 'llama')
      .string('general.base_model.0.repo_url', 'https://example.org/base')
      .tensorF32('output_norm.weight', [64], fill)
      .tensor('token_embd.weight', [64, 64], fill, 'Q4_0')
      .tensor('output.weight', [64, 256], fill, 'Q8_0')
      .write(file);
    const info = await inspectGguf(file);
    expect(dominantTensorType(info.tensors)).toBe('Q8_0');
    expect(ggufMetadata(info)).toMatchObject({ quantization: 'Q8_0', baseModel: 'https://example.org/base', parameterCount: 64 + 64 * 64 + 64 * 256, name: null, contextLength: null, embeddingLength: null });
  });

  it('names file types as llama.cpp does, and nothing for a number it does not know', () => {
    const names = Object.fromEntries([0, 1, 2, 3, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 32].map((n) => [n, fileTypeName(n)]));
    expect(names).toEqual({
      0: 'F32', 1: 'F16', 2: 'Q4_0', 3: 'Q4_1', 7: 'Q8_0', 8: 'Q5_0', 9: 'Q5_1', 10: 'Q2_K', 11: 'Q3_K_S', 12: 'Q3_K_M',
      13: 'Q3_K_L', 14: 'Q4_K_S', 15: 'Q4_K_M', 16: 'Q5_K_S', 17: 'Q5_K_M', 18: 'Q6_K', 32: 'BF16',
    });
    expect(fileTypeName(9999)).toBeNull();
  });

  it('labels parameter counts as llama.cpp’s converter does', () => {
    expect([7_241_732_096, 13_015_864_320, 1_100_048_384, 135_000_000, 260_000, 999].map(sizeLabelOf)).toEqual(['7.2B', '13B', '1.1B', '135M', '260K', '1.0K']);
  });
});
