import type { EvalRunDetail, EvalRunSummary, Rate } from '../../../contract/index.js';
import { CRITERIA, interval, localDay, percent } from './format.js';
import { barChartSvg, lineChartSvg, type BarValue, type ChartSeries } from './svg-charts.js';

/** The run's numbers as charts: its criteria per target, and how the first criterion moved over earlier runs. */

/** One colour per target (a run has at most three; history may name more), told apart in print and by colour-blind readers alike. */
const COLORS = ['#1f5fa8', '#c2560c', '#2e7d4f', '#7b3fa0', '#8a6d00', '#b0315a'];
const colorOf = (target: number): string => COLORS[target % COLORS.length] ?? '#444';

function bar(rate: Rate | null, note: string): BarValue | null {
  return rate === null ? null : { value: rate.rate, low: rate.low, high: rate.high, note: `${note}：${percent(rate.rate)}（95 % 区间 ${interval(rate)}，n = ${rate.n}）` };
}

/** Groups by criterion; per target, its automatic score solid and the reviewed one hatched. */
export function criteriaChart(run: EvalRunDetail, partial: boolean): string {
  const series: ChartSeries[] = run.targets.flatMap((t, i) => [
    { label: `${t.label} · 自动评分`, color: colorOf(i) },
    { label: `${t.label} · 医生复核`, color: colorOf(i), hatched: true },
  ]);
  const groups = CRITERIA[run.format].map(({ key, label }) => ({
    label,
    values: run.targets.flatMap((t) => [bar(t.auto[key], `${t.label} · 自动评分 · ${label}`), bar(t.reviewed[key], `${t.label} · 医生复核 · ${label}`)]),
  }));
  const title = `各目标的评分（自动评分与医生复核，误差线为 95 % Wilson 区间）${partial ? '：部分结果' : ''}`;
  return barChartSvg({ id: 'criteria', title, series, groups });
}

/**
 * The first criterion (automatic, so runs compare alike whoever reviewed them) of each target
 * label across the earlier runs and this one, oldest first; null where history is too short to draw.
 */
export function historyChart(run: EvalRunDetail, history: readonly EvalRunSummary[]): string | null {
  if (history.length < 2) return null;
  const runs = [...history.filter((earlier) => earlier.id !== run.id), run];
  const criterion = CRITERIA[run.format][0];
  if (criterion === undefined) return null;
  // This run's targets first, so each keeps the colour it has in the bar chart.
  const labels = [...new Set([run, ...runs].flatMap((r) => r.targets.map((t) => t.label)))];
  const unfinished = (r: EvalRunSummary): string => r.state === 'done' ? '' : '（未完成）';
  return lineChartSvg({
    title: `${criterion.label}（自动评分）随时间的变化`,
    series: labels.map((label, i) => ({ label, color: colorOf(i) })),
    xLabels: runs.map((r) => `${localDay(r.createdAt)}${unfinished(r)}`),
    values: labels.map((label) => runs.map((r) => r.targets.find((t) => t.label === label)?.auto[criterion.key]?.rate ?? null)),
    notes: runs.map((r) => `${r.name}${unfinished(r)}`),
  });
}
