/**
 * Lanes: several answers at once on one variant. A variant's lane context has one sequence per
 * lane; node-llama-cpp evaluates the sequences of a context together in one batch, so N answers
 * cost little more per step than one while the weights are read once. Its size is per sequence:
 * each lane holds the variant's whole context size.
 */
import { contextNeed } from './memory.js';
import type { LoadedModel } from './loaded.js';
import { contextKey, type RuntimeVariant } from './variant.js';

/**
 * Lanes asked for at most: on a CPU the gain of a larger batch flattens after a few sequences,
 * while each sequence adds a whole context's KV cache.
 */
export const MAX_LANES = 4;

/**
 * How many lanes a variant (its size already capped) answers on: as many as MAX_LANES whose
 * context fits the memory budget, else 1 (its chat sequence). Decided once per variant and
 * loaded model, so that a caller's lane numbers stay valid while it answers.
 */
export function laneCount(loaded: LoadedModel, variant: RuntimeVariant): Promise<number> {
  const key = contextKey(variant);
  let count = loaded.lanes.get(key);
  if (!count) {
    count = largestFitting(loaded, variant.contextSize);
    loaded.lanes.set(key, count);
    count.catch(() => loaded.lanes.delete(key));
  }
  return count;
}

async function largestFitting(loaded: LoadedModel, contextSize: number): Promise<number> {
  for (let lanes = MAX_LANES; lanes > 1; lanes -= 1) {
    if (await loaded.pool.fits(await contextNeed(loaded.model, contextSize, lanes))) return lanes;
  }
  return 1;
}
