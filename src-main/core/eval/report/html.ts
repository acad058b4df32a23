import type { EvalProvenance, EvalRunDetail, EvalRunSummary, EvalTargetSummary, Rate } from '../../../contract/index.js';
import { CRITERIA, interval, localDateTime, percent, STATE_LABELS } from './format.js';
import { casesSection } from './html-cases.js';
import { escapeHtml } from './html-text.js';
import { criteriaChart, historyChart } from './run-charts.js';

/**
 * A run as one self-contained HTML page in Chinese: no script, no external resource, styles inline,
 * charts as inline SVG. Its own CSP (default-src 'none') means that even text that escaped escaping
 * could load or run nothing; it opens offline in any browser and prints.
 */

const STYLE = `
body{font-family:system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#1a1a1a;margin:2rem auto;max-width:64rem;padding:0 1rem;line-height:1.55}
h1{font-size:1.5rem;margin:0 0 .5rem}h2{font-size:1.2rem;margin:2rem 0 .6rem;border-bottom:1px solid #ccc}h3{font-size:1.05rem;margin:1rem 0 .3rem}h4{margin:.6rem 0 .2rem;font-size:1rem}
dl.meta,dl.provenance{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:0}dt{color:#555}dd{margin:0;overflow-wrap:anywhere}
.banner{border:2px solid #b45309;background:#fff7ed;padding:.6rem .8rem;margin:1rem 0}.banner strong{color:#9a3412}
table{border-collapse:collapse;width:100%;break-inside:avoid}caption{text-align:left;font-weight:600;margin-bottom:.3rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top;text-align:left}thead th{background:#f3f4f6}
table.scores th[scope=row]{min-width:6rem}td.answered{white-space:nowrap}td.rate strong{display:block;font-size:1.05rem;white-space:nowrap}td.rate span{display:block;font-size:.8rem;color:#555;white-space:nowrap}
figure{margin:1rem 0;break-inside:avoid}figcaption{font-size:.9rem;color:#444}svg.chart{max-width:100%;height:auto}
details.case{border-bottom:1px solid #e5e7eb;padding:.25rem 0}summary{cursor:pointer}
.case-id{font-family:ui-monospace,monospace;margin-right:.5rem}.kind{font-size:.8rem;background:#eef2ff;padding:0 .3rem;margin-right:.5rem}
.chips{margin-left:.5rem}.chip{font-size:.8rem;border:1px solid #ccc;border-radius:.6rem;padding:0 .4rem;margin-left:.25rem;white-space:nowrap}
.chip.pass{border-color:#2e7d4f;color:#1f5c39}.chip.miss{border-color:#b91c1c;color:#991b1b}.chip.failed,.chip.pending{border-style:dashed;color:#555}
.case-body{padding:.3rem 0 .6rem 1rem}.question{font-weight:600}
ul.gold,ul.options{list-style:none;padding:0;margin:.2rem 0}ul.gold li{display:inline-block;margin-right:1rem}
.mark{font-weight:700;margin-right:.2rem}li.hit .mark,.pass{color:#1f7a44}li.missed .mark,.miss{color:#b91c1c}li.negated .mark{color:#9a6700}li.negated{text-decoration:line-through}
li.gold-option{font-weight:600}.override{margin-left:.4rem;font-size:.8rem;background:#fef3c7;padding:0 .3rem}
.answer{white-space:pre-wrap;background:#f9fafb;border-left:3px solid #d1d5db;padding:.4rem .6rem;margin:.3rem 0;overflow-wrap:anywhere}
mark{background:#fde68a}mark.negated{background:#e5e7eb;text-decoration:line-through}
.review{border-left:3px solid #1f5fa8;padding:.1rem .6rem;margin:.3rem 0}.note{white-space:pre-wrap}
.error{color:#991b1b}.pending,.time,.hint,footer{color:#666;font-size:.85rem}
@media print{body{margin:0;max-width:none;font-size:10pt}table.scores{font-size:9pt}table.scores th,table.scores td{padding:.2rem .3rem}td.rate strong{font-size:10pt}td.rate span{font-size:7.5pt}table.scores th[scope=row]{min-width:0}td.answered{white-space:normal}*{print-color-adjust:exact;-webkit-print-color-adjust:exact}section.provenance,tr{break-inside:avoid}}
`;

function rateCell(rate: Rate | null): string {
  if (rate === null) return '<td class="rate">—</td>';
  return `<td class="rate"><strong>${percent(rate.rate)}</strong><span>${interval(rate)}</span><span>n = ${rate.n}（${rate.count} 例）</span></td>`;
}

function answered(target: EvalTargetSummary): string {
  const failed = target.failed > 0 ? `（失败 ${target.failed}）` : '';
  return `${target.done + target.failed} / ${target.total}${failed}`;
}

function scoresTable(run: EvalRunDetail, partial: boolean): string {
  const criteria = CRITERIA[run.format];
  const groupHeads = criteria.map((c) => `<th colspan="2" scope="colgroup">${c.label}</th>`).join('');
  const subHeads = criteria.map(() => '<th scope="col">自动评分</th><th scope="col">医生复核</th>').join('');
  const rows = run.targets.map((t) => {
    const cells = criteria.map((c) => rateCell(t.auto[c.key]) + rateCell(t.reviewed[c.key])).join('');
    const reviewers = t.reviewers.length === 0 ? '' : `：${escapeHtml(t.reviewers.join('、'))}`;
    return `<tr><th scope="row">${escapeHtml(t.label)}</th><td class="answered">${answered(t)}</td>${cells}<td>${t.reviewedCases} 例${reviewers}</td></tr>`;
  });
  return `<table class="scores"><caption>各目标的评分：百分比，其下为 95 % Wilson 区间与样本量 n${partial ? '（部分结果，未回答的病例不计入）' : ''}</caption>`
    + `<thead><tr><th rowspan="2" scope="col">目标</th><th rowspan="2" scope="col">已回答</th>${groupHeads}<th rowspan="2" scope="col">复核病例</th></tr>`
    + `<tr>${subHeads}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const short = (sha256: string): string => sha256.slice(0, 12);

function provenanceRows(p: EvalProvenance): [string, string][] {
  const adapters = p.adapters.length === 0 ? '无' : p.adapters.map((a) => `${a.file} ×${a.scale}（sha256 ${short(a.sha256)}）`).join('；');
  const backend = p.backend === undefined ? undefined : p.backend.kind === 'local' ? '本机' : `远程 ${p.backend.baseUrl ?? ''} ${p.backend.model ?? ''}`.trim();
  const rows: [string, string | undefined][] = [
    ['方式', p.mode === 'llm' ? '模型回答' : '知识库模式（不经模型）'],
    ['配置', p.profile?.name],
    ['模型文件', p.model === undefined ? undefined : `${p.model.file}（sha256 ${short(p.model.sha256)}，${(p.model.sizeBytes / 1024 ** 2).toFixed(1)} MB）`],
    ['适配器', adapters],
    ['提示模板', p.template],
    ['采样', p.sampling === undefined ? undefined : Object.entries(p.sampling).map(([key, value]) => `${key} ${value}`).join(' · ')],
    ['后端', backend],
    ['知识库版本', p.knowledgeVersion],
    ['并行', `${p.parallel}`],
    ['应用版本', p.appVersion],
  ];
  return rows.filter((row): row is [string, string] => row[1] !== undefined);
}

function provenanceSection(run: EvalRunDetail): string {
  const targets = run.targets.map((t) => {
    const body = t.provenance === null
      ? '<p class="pending">该目标尚未开始回答，没有来源记录。</p>'
      : `<dl class="provenance">${provenanceRows(t.provenance).map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
    return `<section class="provenance"><h3>${escapeHtml(t.label)}</h3>${body}</section>`;
  });
  return `<section id="provenance"><h2>来源</h2>${targets.join('')}</section>`;
}

function banner(run: EvalRunDetail): string {
  if (run.state === 'done') return '';
  const counts = run.targets.map((t) => `${escapeHtml(t.label)} ${t.done + t.failed} / ${t.total} 例`).join('；');
  const error = run.error === null ? '' : `原因：${escapeHtml(run.error.message)}。`;
  return `<p class="banner" role="note"><strong>本次评测${STATE_LABELS[run.state]}，结果不完整</strong>：已回答 ${counts}。${error}以下均为部分结果。</p>`;
}

function header(run: EvalRunDetail): string {
  const format = run.format === 'choice' ? '选择题' : '三项标准';
  const meta: [string, string][] = [
    ['评测集', `${escapeHtml(run.setName)}（${format}，${run.cases.length} 例）`],
    ['开始', localDateTime(run.createdAt)],
    ['结束', run.endedAt === null ? '—' : localDateTime(run.endedAt)],
    ['状态', STATE_LABELS[run.state]],
  ];
  return `<header><h1>评测报告：${escapeHtml(run.name)}</h1>`
    + `<dl class="meta">${meta.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>${banner(run)}</header>`;
}

function chartsSection(run: EvalRunDetail, history: readonly EvalRunSummary[], partial: boolean): string {
  const overTime = historyChart(run, history);
  const figure = (svg: string, caption: string): string => `<figure>${svg}<figcaption>${caption}</figcaption></figure>`;
  return `<section id="charts"><h2>图表</h2>`
    + figure(criteriaChart(run, partial), '实心为自动评分，斜线为医生复核；误差线为 95 % Wilson 区间。')
    + (overTime === null ? '' : figure(overTime, '同一评测集的历次评测，按时间先后；标“未完成”的评测只含部分结果。'))
    + '</section>';
}

export function runHtml(run: EvalRunDetail, history: readonly EvalRunSummary[], now: number): string {
  const partial = run.state !== 'done';
  return '<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
    + `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`
    + '<meta name="viewport" content="width=device-width, initial-scale=1">'
    + `<title>评测报告：${escapeHtml(run.name)}</title><style>${STYLE}</style></head><body>`
    + header(run)
    + `<section id="scores"><h2>评分</h2>${scoresTable(run, partial)}</section>`
    + chartsSection(run, history, partial)
    + provenanceSection(run)
    + casesSection(run)
    + `<footer><p>杏林评测报告，生成于 ${localDateTime(now)}。本文件不含脚本与外部资源，可离线打开和打印。</p></footer>`
    + '</body></html>\n';
}
