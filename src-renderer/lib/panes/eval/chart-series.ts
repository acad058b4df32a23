import type { EvalRunSummary } from '$contract';
import { CRITERIA, isPartial } from './format.js';

/** The chart across the runs of one set: one line per target label, one point per run (oldest first). */
export interface ChartSeries {
  runs: ReadonlyArray<{ id: string; createdAt: number; partial: boolean; current: boolean }>;
  /** Per target label: the headline score of each run in percent, null where the run did not ask that target. */
  lines: ReadonlyArray<{ label: string; values: Array<number | null> }>;
}

/**
 * The headline score (first criterion, or accuracy; automatic) of every target of every run of a
 * set, in time order, the same label on one line: "did the new adapter regress?" at a glance.
 */
export function chartSeries(history: readonly EvalRunSummary[], currentId: string): ChartSeries {
  const runs = [...history].sort((a, b) => a.createdAt - b.createdAt);
  const labels = [...new Set(runs.flatMap((run) => run.targets.map((target) => target.label)))];
  return {
    runs: runs.map((run) => ({ id: run.id, createdAt: run.createdAt, partial: isPartial(run.state) || run.state === 'running', current: run.id === currentId })),
    lines: labels.map((label) => ({
      label,
      values: runs.map((run) => {
        const rate = run.targets.find((target) => target.label === label)?.auto[CRITERIA[run.format][0]];
        return rate && rate.n > 0 ? Number((rate.rate * 100).toFixed(1)) : null;
      }),
    })),
  };
}
