import type { Rate } from '../../../contract/index.js';

/** z for a two-sided 95 % interval. */
const Z95 = 1.959963984540054;

/**
 * A share with its Wilson score interval, which stays inside [0, 1] and is sound for small n and
 * shares near 0 or 1 (where the normal approximation is not). With n = 0 there is nothing to
 * estimate: rate, low and high are all 0, so a report shows 0 of 0 rather than NaN.
 */
export function wilson(count: number, n: number, z = Z95): Rate {
  if (!Number.isInteger(count) || !Number.isInteger(n) || count < 0 || count > n) throw new RangeError(`wilson: need integers 0 ≤ count ≤ n, got ${count} of ${n}`);
  if (n === 0) return { count, n, rate: 0, low: 0, high: 0 };
  const p = count / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  // At 0 and n the bound is exactly 0 or 1; the formula leaves rounding dust there.
  return { count, n, rate: p, low: count === 0 ? 0 : Math.max(0, centre - half), high: count === n ? 1 : Math.min(1, centre + half) };
}
