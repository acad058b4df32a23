/**
 * Byte layout of ggml tensor types, so the GGUF inspector can tell how far each tensor's data
 * reaches without asking llama.cpp (which needs a loaded backend to answer).
 *
 * Values are ggml's `type_traits` table of the llama.cpp that node-llama-cpp bundles: a row of
 * `blockSize` elements takes `typeSize` bytes. Types ggml has removed are absent, and llama.cpp
 * refuses them as it refuses types newer than its table, so the inspector refuses a type not
 * listed here: keep the table in step when node-llama-cpp is upgraded.
 */
export interface TypeLayout {
  readonly name: string;
  readonly blockSize: number;
  readonly typeSize: number;
}

const layouts: ReadonlyMap<number, TypeLayout> = new Map<number, TypeLayout>([
  [0, { name: 'F32', blockSize: 1, typeSize: 4 }],
  [1, { name: 'F16', blockSize: 1, typeSize: 2 }],
  [2, { name: 'Q4_0', blockSize: 32, typeSize: 18 }],
  [3, { name: 'Q4_1', blockSize: 32, typeSize: 20 }],
  [6, { name: 'Q5_0', blockSize: 32, typeSize: 22 }],
  [7, { name: 'Q5_1', blockSize: 32, typeSize: 24 }],
  [8, { name: 'Q8_0', blockSize: 32, typeSize: 34 }],
  [9, { name: 'Q8_1', blockSize: 32, typeSize: 36 }],
  [10, { name: 'Q2_K', blockSize: 256, typeSize: 84 }],
  [11, { name: 'Q3_K', blockSize: 256, typeSize: 110 }],
  [12, { name: 'Q4_K', blockSize: 256, typeSize: 144 }],
  [13, { name: 'Q5_K', blockSize: 256, typeSize: 176 }],
  [14, { name: 'Q6_K', blockSize: 256, typeSize: 210 }],
  [15, { name: 'Q8_K', blockSize: 256, typeSize: 292 }],
  [16, { name: 'IQ2_XXS', blockSize: 256, typeSize: 66 }],
  [17, { name: 'IQ2_XS', blockSize: 256, typeSize: 74 }],
  [18, { name: 'IQ3_XXS', blockSize: 256, typeSize: 98 }],
  [19, { name: 'IQ1_S', blockSize: 256, typeSize: 50 }],
  [20, { name: 'IQ4_NL', blockSize: 32, typeSize: 18 }],
  [21, { name: 'IQ3_S', blockSize: 256, typeSize: 110 }],
  [22, { name: 'IQ2_S', blockSize: 256, typeSize: 82 }],
  [23, { name: 'IQ4_XS', blockSize: 256, typeSize: 136 }],
  [24, { name: 'I8', blockSize: 1, typeSize: 1 }],
  [25, { name: 'I16', blockSize: 1, typeSize: 2 }],
  [26, { name: 'I32', blockSize: 1, typeSize: 4 }],
  [27, { name: 'I64', blockSize: 1, typeSize: 8 }],
  [28, { name: 'F64', blockSize: 1, typeSize: 8 }],
  [29, { name: 'IQ1_M', blockSize: 256, typeSize: 56 }],
  [30, { name: 'BF16', blockSize: 1, typeSize: 2 }],
  [34, { name: 'TQ1_0', blockSize: 256, typeSize: 54 }],
  [35, { name: 'TQ2_0', blockSize: 256, typeSize: 66 }],
  [39, { name: 'MXFP4', blockSize: 32, typeSize: 17 }],
  [40, { name: 'NVFP4', blockSize: 64, typeSize: 36 }],
  [41, { name: 'Q1_0', blockSize: 128, typeSize: 18 }],
  [42, { name: 'Q2_0', blockSize: 64, typeSize: 18 }],
]);

/**
 * Types that ggml's CPU backend repacks into its own interleaved buffer (CPU_REPACK) at load.
 * With mmap on, llama.cpp then keeps the mapped pages AND the repacked copy resident, i.e.
 * the weights twice; the host turns mmap off for such models when they run on the CPU.
 * (Read from the `ggml::cpu::repack::tensor_traits` instantiations of the bundled binaries.)
 */
const cpuRepackedTypes: ReadonlySet<number> = new Set([2, 8, 10, 12, 13, 14, 20, 39, 41]);

export function ggmlTypeLayout(type: number): TypeLayout | undefined {
  return layouts.get(type);
}

export function ggmlTypeName(type: number): string {
  return layouts.get(type)?.name ?? `type${type}`;
}

/** Bytes a tensor of this type and shape occupies in the file, or null for a type we do not know. */
export function ggmlTensorBytes(type: number, shape: readonly number[]): number | null {
  const layout = layouts.get(type);
  if (!layout) return null;
  const [rowLength = 1, ...rest] = shape;
  if (rowLength % layout.blockSize !== 0) return null;
  const rowBytes = (rowLength / layout.blockSize) * layout.typeSize;
  return rest.reduce((bytes, dim) => bytes * dim, rowBytes);
}

export function isCpuRepackedType(type: number): boolean {
  return cpuRepackedTypes.has(type);
}
