/**
 * Hyperparameters that cannot be right, found before llama.cpp reads them. Several of llama.cpp's
 * own checks (load_hparams) are GGML_ASSERTs that abort the whole process — block_count 0 or
 * above 512, expert counts — and a head_count of 0 trips one later; the rest end in a vague
 * "failed to load". Only the keys llama.cpp reads for every architecture are checked, each
 * against the tensors the file actually holds. Per-layer values (arrays) are not kept, so not checked.
 */
import type { GgufValue } from './reader.js';

export interface Implausible {
  /** The metadata key at fault. */
  readonly field: string;
  readonly cause: string;
}

interface ModelHeader {
  readonly architecture: string;
  readonly metadata: ReadonlyMap<string, GgufValue>;
  readonly tensors: readonly { readonly name: string; readonly shape: readonly number[] }[];
}

const MAX_LAYERS = 512; // LLAMA_MAX_LAYERS
const MAX_EXPERTS = 1024; // LLAMA_MAX_EXPERTS
/** llama.cpp's recurrent architectures (llm_arch_is_recurrent) have no attention heads. */
const recurrent = new Set(['mamba', 'mamba2', 'rwkv6', 'rwkv6qwen2', 'rwkv7', 'arwkv7']);
const ropeScalingTypes = new Set(['none', 'linear', 'yarn', 'longrope']);
/** llama.cpp treats their expert_count ≤ 1 as "no experts". */
const singleExpertDense = new Set(['hunyuan-dense', 'hunyuan_vl']);

export function findImplausibleHyperparameter({ architecture: arch, metadata, tensors }: ModelHeader): Implausible | null {
  const value = (key: string) => metadata.get(`${arch}.${key}`);
  /** A non-negative integer scalar, or null (absent, another type, or per-layer). */
  const integer = (key: string): number | null => {
    const v = value(key);
    const n = typeof v === 'bigint' ? Number(v) : v;
    return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : null;
  };
  const perLayer = (key: string) => typeof value(key) === 'object';
  const bad = (key: string, cause: string): Implausible => ({ field: `${arch}.${key}`, cause: `${arch}.${key} ${cause}` });
  const byName = new Map(tensors.map((tensor) => [tensor.name, tensor]));

  for (const key of ['context_length', 'embedding_length', 'block_count']) {
    const n = integer(key);
    if (n === null) return { field: `${arch}.${key}`, cause: `缺少 ${arch}.${key}（或不是非负整数）` };
    if (n === 0) return bad(key, '为 0');
  }
  const contextLength = integer('context_length') as number;
  const embedding = integer('embedding_length') as number;
  const blocks = integer('block_count') as number;

  const layers = new Set<number>();
  for (const { name } of tensors) {
    const match = /^blk\.(\d+)\./.exec(name);
    if (match) layers.add(Number(match[1]));
  }
  const highest = [...layers].reduce((max, layer) => Math.max(max, layer), -1);
  if (layers.size !== blocks || highest !== blocks - 1) {
    return bad('block_count', `为 ${blocks}，但文件中的张量属于 ${layers.size} 个层${layers.size ? `（blk.N 编号最大为 ${highest}）` : ''}`);
  }
  if (blocks > MAX_LAYERS) return bad('block_count', `为 ${blocks}，超过 llama.cpp 的上限 ${MAX_LAYERS}`);
  const nextn = integer('nextn_predict_layers');
  if (nextn !== null && nextn > blocks) return bad('nextn_predict_layers', `为 ${nextn}，超过 ${arch}.block_count ${blocks}`);

  const tokenEmbd = byName.get('token_embd.weight');
  if (tokenEmbd && tokenEmbd.shape[0] !== embedding) {
    return bad('embedding_length', `为 ${embedding}，与张量 token_embd.weight 的宽度 ${tokenEmbd.shape[0]} 不符`);
  }
  const positions = byName.get('position_embd.weight');
  if (positions && positions.shape[1] !== contextLength) {
    return bad('context_length', `为 ${contextLength}，与张量 position_embd.weight 的 ${positions.shape[1]} 个位置不符`);
  }
  const tokens = metadata.get('tokenizer.ggml.tokens');
  const rows = tokenEmbd?.shape[1] ?? 1;
  if (tokenEmbd && typeof tokens === 'object' && 'length' in tokens && rows !== tokens.length && rows !== integer('vocab_size')) {
    return { field: 'tokenizer.ggml.tokens', cause: `词表 tokenizer.ggml.tokens 有 ${tokens.length} 个词元，与张量 token_embd.weight 的 ${rows} 行不符` };
  }

  if (!recurrent.has(arch)) {
    const heads = integer('attention.head_count');
    if (heads === null && !perLayer('attention.head_count')) return { field: `${arch}.attention.head_count`, cause: `缺少 ${arch}.attention.head_count` };
    if (heads === 0) return bad('attention.head_count', '为 0');
    // Without an explicit head size, llama.cpp takes embedding_length / head_count.
    const headSizeStated = value('attention.key_length') !== undefined && value('attention.value_length') !== undefined;
    if (heads !== null && !headSizeStated && embedding % heads !== 0) {
      return bad('attention.head_count', `为 ${heads}，不能整除 ${arch}.embedding_length ${embedding}`);
    }
    const kvHeads = integer('attention.head_count_kv');
    if (kvHeads === 0) return bad('attention.head_count_kv', '为 0');
    if (heads !== null && kvHeads !== null && heads % kvHeads !== 0) {
      return bad('attention.head_count_kv', `为 ${kvHeads}，不能整除 ${arch}.attention.head_count ${heads}`);
    }
  }

  const dense = singleExpertDense.has(arch) && (integer('expert_count') ?? 0) <= 1;
  const experts = dense ? 0 : (integer('expert_count') ?? 0);
  const used = dense ? 0 : integer('expert_used_count');
  const groups = integer('expert_group_count') ?? 0;
  if (experts > MAX_EXPERTS) return bad('expert_count', `为 ${experts}，超过 llama.cpp 的上限 ${MAX_EXPERTS}`);
  if (experts > 0) {
    if (used === 0 || (used === null && !perLayer('expert_used_count'))) return bad('expert_used_count', `缺失或为 0，而 ${arch}.expert_count 为 ${experts}`);
    if (used !== null && used > experts) return bad('expert_used_count', `为 ${used}，超过 ${arch}.expert_count ${experts}`);
    if (groups >= experts) return bad('expert_group_count', `为 ${groups}，应小于 ${arch}.expert_count ${experts}`);
    const groupsUsed = integer('expert_group_used_count') ?? 0;
    if (groups > 1 && (experts % groups !== 0 || groupsUsed === 0 || groupsUsed >= groups)) {
      return bad('expert_group_count', `为 ${groups}，与 ${arch}.expert_count ${experts}、${arch}.expert_group_used_count ${groupsUsed} 不相容`);
    }
  } else {
    if (used) return bad('expert_used_count', `为 ${used}，但模型没有专家（${arch}.expert_count 缺失或为 0）`);
    if (groups) return bad('expert_group_count', `为 ${groups}，但模型没有专家（${arch}.expert_count 缺失或为 0）`);
  }

  const ropeScaling = value('rope.scaling.type');
  if (typeof ropeScaling === 'string' && !ropeScalingTypes.has(ropeScaling)) {
    return bad('rope.scaling.type', `为 "${ropeScaling}"，llama.cpp 只认 ${[...ropeScalingTypes].join('、')}`);
  }
  return null;
}
