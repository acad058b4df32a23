/** Small statistics for benchmarks: medians and percentiles over raw samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export const median = (samples: number[]): number => percentile(samples, 50);

export const round = (value: number, digits = 3): number => Number(value.toFixed(digits));

export function machine() {
  return { platform: `${process.platform}-${process.arch}`, node: process.version, cpus: (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? null };
}
