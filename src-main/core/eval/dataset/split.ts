/**
 * The train/test split by group: every example about one entity (or one imported pair, one record)
 * lands on the same side, so a test question never asks what training taught about its entity.
 *
 * A group's side is a seeded hash of its key against the ratio, not a shuffle: the same for a seed
 * on any machine, and independent of which other groups exist, so a grown base keeps every entity
 * on the side an earlier build put it.
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

/**
 * Whether a group is for training: its seeded rank falls in the first `ratio` of the hash range.
 * Decided by the key alone, so pairs or records added to a build never move an entity, and an
 * evaluation set can be drawn from exactly the entities a build held out.
 */
export function trainsOn(key: string, ratio: number, seed: number): boolean {
  return ratio >= 1 || seededRank(key, seed) < ratio * 2 ** 32;
}

/** The groups in seeded order, split by `trainsOn` (about `ratio` of them for training; all when `ratio` is 1). */
export function splitGroups(keys: Iterable<string>, ratio: number, seed: number): { train: string[]; test: string[] } {
  const ordered = [...new Set(keys)]
    .map((key) => ({ key, rank: seededRank(key, seed) }))
    .sort((a, b) => a.rank - b.rank || (a.key < b.key ? -1 : 1))
    .map(({ key }) => key);
  return { train: ordered.filter((key) => trainsOn(key, ratio, seed)), test: ordered.filter((key) => !trainsOn(key, ratio, seed)) };
}
