/**
 * The train/test split by group: every example about one entity (or one imported pair, one record)
 * lands on the same side, so a test question never asks what training taught about its entity.
 *
 * Groups are ordered by a seeded hash of their key rather than shuffled: the order is the same for
 * a seed on any machine, and one group's place does not depend on which others exist, so a grown
 * base keeps nearly every entity on the side an earlier build put it.
 */

/** 32-bit FNV-1a of the key, from the seed, finished with murmur3's mix: well spread for keys that differ by one character. */
function seededRank(key: string, seed: number): number {
  let hash = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** The groups in seeded order, the first `ratio` share of them for training (the whole when `ratio` is 1). */
export function splitGroups(keys: Iterable<string>, ratio: number, seed: number): { train: string[]; test: string[] } {
  const ordered = [...new Set(keys)]
    .map((key) => ({ key, rank: seededRank(key, seed) }))
    .sort((a, b) => a.rank - b.rank || (a.key < b.key ? -1 : 1))
    .map(({ key }) => key);
  const trainCount = Math.round(ordered.length * ratio);
  return { train: ordered.slice(0, trainCount), test: ordered.slice(trainCount) };
}
