import { percent } from './format.js';
import { escapeHtml } from './html-text.js';

/**
 * The report's charts, written as static SVG rather than drawn by a chart library. The HTML report
 * must open offline, print, and pass a strict CSP (inline `<style>` only, no script): a JS chart
 * library would have to be inlined whole (~200 kB) and run a script, which such a CSP forbids; a
 * static SVG needs neither, scales to any page and prints as drawn. So: one bar chart and one line
 * chart, of shares on a 0–100 % axis, and nothing more.
 */

export interface ChartSeries {
  label: string;
  color: string;
  /** Drawn hatched (a lighter fill with stripes) instead of solid. */
  hatched?: boolean;
}

/** A share (0–1) with its interval, and what a reader hovering the bar is told. */
export interface BarValue {
  value: number;
  low: number;
  high: number;
  note: string;
}

export interface BarChart {
  /** Unique in the page: it prefixes the ids of the chart's patterns. */
  id: string;
  title: string;
  series: ChartSeries[];
  /** One group per category; in each, one value per series (null: nothing to draw). */
  groups: { label: string; values: (BarValue | null)[] }[];
}

export interface LineChart {
  title: string;
  series: ChartSeries[];
  /** The points along the x axis, left to right. */
  xLabels: string[];
  /** Per series, one share (0–1) per x label; null leaves a gap in the line. */
  values: (number | null)[][];
  /** Per x label, what a reader hovering its points is told. */
  notes: string[];
}

/** Lines differ by dash as well as colour: they stay apart in black-and-white print, and equal values do not hide a line. */
const DASHES = ['', '8 4', '2 3', '8 3 2 3'];
const dashOf = (series: number): string => {
  const dash = DASHES[series % DASHES.length] ?? '';
  return dash === '' ? '' : ` stroke-dasharray="${dash}"`;
};

const WIDTH = 760;
const PLOT = { left: 56, right: 16, top: 16, height: 220 };
const LEGEND_ROW = 22;
const LEGEND_COLUMN = 250;
/** What fits a legend column at 13 px: longer labels are cut, the full one stays in its <title>. */
const LEGEND_CHARS = 17;

const num = (n: number): string => String(Math.round(n * 10) / 10);
const yOf = (share: number): number => PLOT.top + PLOT.height * (1 - Math.min(1, Math.max(0, share)));

function patterns(chartId: string, series: ChartSeries[]): string {
  const defs = series.map((s, i) => s.hatched
    ? `<pattern id="${chartId}-p${i}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">`
      + `<rect width="6" height="6" fill="${s.color}" fill-opacity="0.25"/><rect width="2.5" height="6" fill="${s.color}"/></pattern>`
    : '').join('');
  return defs === '' ? '' : `<defs>${defs}</defs>`;
}

const fillOf = (chartId: string, series: ChartSeries, index: number): string => series.hatched ? `url(#${chartId}-p${index})` : series.color;

/** The 0–100 % axis with its grid, and the x axis line. */
function axes(): string {
  const right = WIDTH - PLOT.right;
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1].map((t) => {
    const y = num(yOf(t));
    return `<line x1="${PLOT.left}" x2="${right}" y1="${y}" y2="${y}" stroke="#d0d0d0" stroke-width="${t === 0 ? 1.5 : 0.75}"/>`
      + `<text x="${PLOT.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="12" fill="#444">${Math.round(t * 100)} %</text>`;
  });
  return `<g class="axes">${ticks.join('')}</g>`;
}

/** The series' names in rows under the plot, each after a 22 × 14 swatch drawn by `swatch` at (x, y). */
function legend(series: ChartSeries[], top: number, swatch: (index: number, x: number, y: number) => string): string {
  const perRow = Math.max(1, Math.floor((WIDTH - PLOT.left) / LEGEND_COLUMN));
  const items = series.map((s, i) => {
    const x = PLOT.left + (i % perRow) * LEGEND_COLUMN;
    const y = top + Math.floor(i / perRow) * LEGEND_ROW;
    const shown = s.label.length > LEGEND_CHARS ? `${s.label.slice(0, LEGEND_CHARS - 1)}…` : s.label;
    return `<g><title>${escapeHtml(s.label)}</title>${swatch(i, x, y)}<text x="${x + 28}" y="${y + 7}" dominant-baseline="middle" font-size="13" fill="#222">${escapeHtml(shown)}</text></g>`;
  });
  return `<g class="legend">${items.join('')}</g>`;
}

function svg(title: string, height: number, body: string): string {
  const label = escapeHtml(title);
  return `<svg class="chart" role="img" aria-label="${label}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" font-family="sans-serif">`
    + `<title>${label}</title>${body}</svg>`;
}

function legendHeight(series: ChartSeries[]): number {
  const perRow = Math.max(1, Math.floor((WIDTH - PLOT.left) / LEGEND_COLUMN));
  return Math.ceil(series.length / perRow) * LEGEND_ROW;
}

/** Bars grouped by category, one per series, each with its interval as an error bar. */
export function barChartSvg(chart: BarChart): string {
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const groupWidth = plotWidth / Math.max(1, chart.groups.length);
  const barWidth = Math.min(36, (groupWidth * 0.8) / Math.max(1, chart.series.length));
  const bottom = PLOT.top + PLOT.height;
  const groups = chart.groups.map((group, g) => {
    const start = PLOT.left + g * groupWidth + (groupWidth - barWidth * chart.series.length) / 2;
    const bars = group.values.map((bar, s) => {
      const series = chart.series[s];
      if (bar === null || series === undefined) return '';
      const x = start + s * barWidth;
      const mid = num(x + barWidth / 2);
      const top = yOf(bar.value);
      const [low, high] = [num(yOf(bar.low)), num(yOf(bar.high))];
      return `<g><title>${escapeHtml(bar.note)}</title>`
        + `<rect class="bar" data-series="${s}" x="${num(x + 1)}" y="${num(top)}" width="${num(barWidth - 2)}" height="${num(bottom - top)}" fill="${fillOf(chart.id, series, s)}" stroke="${series.color}"/>`
        + `<path d="M${mid} ${low}V${high}M${num(x + barWidth / 2 - 4)} ${low}h8M${num(x + barWidth / 2 - 4)} ${high}h8" stroke="#111" stroke-width="1.2" fill="none"/></g>`;
    });
    const label = `<text x="${num(PLOT.left + (g + 0.5) * groupWidth)}" y="${bottom + 18}" text-anchor="middle" font-size="13" fill="#222">${escapeHtml(group.label)}</text>`;
    return `<g class="group">${bars.join('')}${label}</g>`;
  });
  const legendTop = bottom + 36;
  return svg(chart.title, legendTop + legendHeight(chart.series) + 8,
    patterns(chart.id, chart.series) + axes() + groups.join('') + legend(chart.series, legendTop, (i, x, y) => {
      const series = chart.series[i];
      return series === undefined ? '' : `<rect x="${x + 4}" y="${y}" width="14" height="14" fill="${fillOf(chart.id, series, i)}" stroke="${series.color}"/>`;
    }));
}

/** One line per series across the x labels (runs over time), a dot at each known point. */
export function lineChartSvg(chart: LineChart): string {
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const step = plotWidth / Math.max(1, chart.xLabels.length);
  const xOf = (i: number): number => PLOT.left + (i + 0.5) * step;
  const bottom = PLOT.top + PLOT.height;
  const lines = chart.series.map((series, s) => {
    const values = chart.values[s] ?? [];
    // A gap (null) ends a stretch of line: the next known point starts a new one.
    const path = values.map((v, i) => v === null ? '' : `${values[i - 1] === null || i === 0 ? 'M' : 'L'}${num(xOf(i))} ${num(yOf(v))}`).join('');
    const dots = values.map((v, i) => v === null ? ''
      : `<circle class="point" data-series="${s}" cx="${num(xOf(i))}" cy="${num(yOf(v))}" r="4" fill="${series.color}"><title>${escapeHtml(`${series.label} · ${chart.notes[i] ?? ''}：${percent(v)}`)}</title></circle>`);
    return `<g class="line"><path d="${path}" stroke="${series.color}" stroke-width="2.5" fill="none"${dashOf(s)}/>${dots.join('')}</g>`;
  });
  // Past about eight runs the dates would overlap: label every few, and always the latest.
  const every = Math.ceil(chart.xLabels.length / 8);
  const labels = chart.xLabels.map((label, i) => i % every !== 0 && i !== chart.xLabels.length - 1 ? '' :
    `<text x="${num(xOf(i))}" y="${bottom + 18}" text-anchor="middle" font-size="12" fill="#222">${escapeHtml(label)}</text>`);
  const legendTop = bottom + 36;
  return svg(chart.title, legendTop + legendHeight(chart.series) + 8,
    axes() + labels.join('') + lines.join('') + legend(chart.series, legendTop, (i, x, y) =>
      `<line x1="${x}" x2="${x + 22}" y1="${y + 7}" y2="${y + 7}" stroke="${chart.series[i]?.color ?? '#444'}" stroke-width="3"${dashOf(i)}/>`));
}
