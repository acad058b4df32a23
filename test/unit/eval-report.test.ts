import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING, EvalRunDetail, type EvalRunSummary, type EvalScores, type GoldItemScore, type Rate } from '../../src-main/contract/index.js';
import { EVAL_REPORT_SCHEMA_VERSION, evalReport } from '../../src-main/core/eval/report/index.js';

/**
 * Reports of hand-built runs whose scores are worked out below: the criteria run has two targets,
 * a failed answer, a negated mention, a reviewed case and an answer carrying markup; the choice run
 * a reviewed wrong choice. Assertions read the files as a browser, Excel or a script would.
 */

// Local wall-clock times, so dates print the same in every time zone the test runs in.
const at = (day: number, hour: number): number => new Date(2026, 11, day, hour, 30).getTime();

/** A share with its 95 % Wilson interval (bounds worked out by hand for n = 2 and 3). */
const rate = (count: number, n: number, low: number, high: number): Rate => ({ count, n, rate: count / n, low, high });
const R0_3 = rate(0, 3, 0, 0.561497);
const R1_3 = rate(1, 3, 0.061492, 0.79234);
const R2_3 = rate(2, 3, 0.20766, 0.938508);
const R1_2 = rate(1, 2, 0.094531, 0.905469);
const R2_2 = rate(2, 2, 0.34238, 1);
const criteriaScores = (any: Rate, half: Rate, twoThirds: Rate): EvalScores => ({ any, half, twoThirds, correct: null });
const choiceScores = (correct: Rate): EvalScores => ({ any: null, half: null, twoThirds: null, correct });

/** Scores of each gold item against an answer: `found` items are hit where they occur, `negated` ones only mentioned in a negation. */
function itemScores(answer: string, gold: string[], found: string[], negated: string[] = []): GoldItemScore[] {
  return gold.map((item) => {
    const start = answer.indexOf(item);
    const spans: [number, number][] = start < 0 ? [] : [[start, start + item.length]];
    const hit = found.includes(item);
    return { item, hit, via: hit ? 'name' : null, spans: hit || negated.includes(item) ? spans : [], negated: negated.includes(item) };
  });
}

const result = (caseId: string, target: number, answer: string, scores: Partial<{ items: GoldItemScore[]; choice: { chosen: string | null; correct: boolean } }> = {}) => ({
  caseId, target, status: 'done' as const, answer, error: null,
  items: scores.items ?? null,
  choice: scores.choice ? { ...scores.choice, via: scores.choice.chosen === null ? null : 'likelihood' as const } : null,
  review: null, ms: 1500,
});

const PROVENANCE_MODEL = {
  mode: 'llm' as const, appVersion: '0.1.0', knowledgeVersion: 'kb-7', profile: { id: 'p1', name: '心内科' },
  model: { file: 'qwen2.5-1.5b-q4_k_m.gguf', sha256: 'ab'.repeat(32), sizeBytes: 1_100_000_000 },
  adapters: [{ file: 'cardio-lora.gguf', sha256: 'cd'.repeat(32), sizeBytes: 20_000_000, scale: 0.8 }],
  template: 'chatml', sampling: DEFAULT_SAMPLING, backend: { kind: 'local' as const }, parallel: 2,
};
const PROVENANCE_KB = { mode: 'knowledge' as const, appVersion: '0.1.0', knowledgeVersion: 'kb-7', adapters: [], parallel: 1 };

const C1 = { id: 'c1', kind: 'drug-indication' as const, instruction: '阿司匹林有哪些适应证？', gold: ['冠心病', '脑梗死', '发热'] };
const C2 = { id: 'c2', kind: 'disease-symptom' as const, instruction: '帕金森病有哪些症状？', gold: ['静止性震颤', '肌强直'] };
const C3 = { id: 'c3', kind: 'drug-contraindication' as const, instruction: '布洛芬禁用于哪些人群？', gold: ['活动性消化道溃疡', '严重心力衰竭', '孕晚期'] };
const HOSTILE = '阿司匹林用于冠心病、脑梗死的二级预防。<script>alert("x")</script>';
const NEGATED = '常见静止性震颤，不会出现肌强直。';
const FORMULA = '=1+1 禁用于活动性消化道溃疡患者。';
const MULTILINE = '知识库中没有找到。\n请查阅说明书。';

/**
 * Target 0 (a model): c1 hits 2/3, c2 failed, c3 hits 1/3 and a reviewer adds 严重心力衰竭 (2/3).
 * Target 1 (knowledge mode): c1 1/3, c2 1/2 (肌强直 only negated), c3 0/3.
 */
function criteriaRun(over: Partial<EvalRunDetail> = {}): EvalRunDetail {
  return EvalRunDetail.parse({
    id: 'run-1', name: '心内科 <b>适配器</b> 对比', setId: 'set-1', setName: '启真药物适应证', format: 'criteria', state: 'done', error: null,
    jobId: null, createdAt: at(7, 10), endedAt: at(7, 12),
    targets: [
      { target: { kind: 'profile', profileId: 'p1' }, label: '心内科适配器', provenance: PROVENANCE_MODEL, done: 2, failed: 1, total: 3,
        auto: criteriaScores(R2_3, R1_3, R1_3), reviewed: criteriaScores(R2_3, R2_3, R2_3), reviewedCases: 1, reviewers: ['张医生'] },
      { target: { kind: 'knowledge' }, label: '知识库模式', provenance: PROVENANCE_KB, done: 3, failed: 0, total: 3,
        auto: criteriaScores(R2_3, R1_3, R0_3), reviewed: criteriaScores(R2_3, R1_3, R0_3), reviewedCases: 0, reviewers: [] },
    ],
    cases: [
      { case: C1, results: [
        result('c1', 0, HOSTILE, { items: itemScores(HOSTILE, C1.gold, ['冠心病', '脑梗死']) }),
        result('c1', 1, '阿司匹林可用于发热。', { items: itemScores('阿司匹林可用于发热。', C1.gold, ['发热']) }),
      ] },
      { case: C2, results: [
        { ...result('c2', 0, ''), status: 'failed', error: { code: 'MODEL_CRASHED', message: '模型进程意外退出' } },
        result('c2', 1, NEGATED, { items: itemScores(NEGATED, C2.gold, ['静止性震颤'], ['肌强直']) }),
      ] },
      { case: C3, results: [
        { ...result('c3', 0, FORMULA, { items: itemScores(FORMULA, C3.gold, ['活动性消化道溃疡']) }),
          review: { items: { 严重心力衰竭: true }, correct: null, note: '口头提到心衰 <需补充>', reviewer: '张医生', reviewedAt: at(8, 9) } },
        result('c3', 1, MULTILINE, { items: itemScores(MULTILINE, C3.gold, []) }),
      ] },
    ],
    ...over,
  });
}

/** Target 0 picks B (right) then A for AC (wrong, a reviewer accepts it); target 1 reads no option, then AC. */
function choiceRun(): EvalRunDetail {
  const q1 = { id: 'q1', question: '治疗稳定型心绞痛首选？', options: { A: '硝苯地平', B: '硝酸甘油', C: '地高辛' }, answer: 'B' };
  const q2 = { id: 'q2', question: '以下哪些属于β受体阻滞剂？', options: { A: '美托洛尔', B: '氨氯地平', C: '比索洛尔' }, answer: 'AC' };
  return EvalRunDetail.parse({
    id: 'run-2', name: 'CMExam 抽样', setId: 'set-2', setName: 'CMExam 心血管', format: 'choice', state: 'done', error: null,
    jobId: null, createdAt: at(9, 14), endedAt: at(9, 15),
    targets: [
      { target: { kind: 'profile', profileId: 'p1' }, label: '心内科适配器', provenance: PROVENANCE_MODEL, done: 2, failed: 0, total: 2,
        auto: choiceScores(R1_2), reviewed: choiceScores(R2_2), reviewedCases: 1, reviewers: ['李医生'] },
      { target: { kind: 'knowledge' }, label: '知识库模式', provenance: PROVENANCE_KB, done: 2, failed: 0, total: 2,
        auto: choiceScores(R1_2), reviewed: choiceScores(R1_2), reviewedCases: 0, reviewers: [] },
    ],
    cases: [
      { case: q1, results: [result('q1', 0, 'B', { choice: { chosen: 'B', correct: true } }), result('q1', 1, '无法判断', { choice: { chosen: null, correct: false } })] },
      { case: q2, results: [
        { ...result('q2', 0, 'A', { choice: { chosen: 'A', correct: false } }),
          review: { items: {}, correct: true, note: '题目表述有歧义', reviewer: '李医生', reviewedAt: at(9, 16) } },
        result('q2', 1, 'AC', { choice: { chosen: 'AC', correct: true } }),
      ] },
    ],
  });
}

/** The table row of one target, its cells' text with tags removed. */
function tableRow(html: string, label: string): string[] {
  const table = html.match(/<table class="scores">[\s\S]*?<\/table>/)?.[0] ?? '';
  const row = table.match(new RegExp(`<tr><th scope="row">${label}</th>([\\s\\S]*?)</tr>`))?.[1] ?? '';
  return [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => (cell[1] ?? '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
}

const count = (text: string, pattern: RegExp): number => text.match(pattern)?.length ?? 0;

describe('the HTML report', () => {
  const html = evalReport(criteriaRun(), 'html').content;

  it('tables each criterion per target, automatic and reviewed side by side, with the Wilson interval and n', () => {
    // Answered, then (auto, reviewed) for 至少命中一项 / 命中至少一半 / 命中至少三分之二, then reviewed cases.
    const model = tableRow(html, '心内科适配器');
    expect(model[0]).toBe('3 / 3（失败 1）');
    expect(model[1]).toBe('66.7 % 20.8–93.9 % n = 3（2 例）');
    expect(model.slice(3, 7).map((cell) => cell.split(' %')[0])).toEqual(['33.3', '66.7', '33.3', '66.7']);
    expect(model[7]).toBe('1 例：张医生');
    const knowledge = tableRow(html, '知识库模式');
    expect(knowledge[5]).toBe('0.0 % 0.0–56.1 % n = 3（0 例）');
    expect(knowledge[7]).toBe('0 例');
  });

  it('escapes every text, the model\'s answers above all, and contains no script and no URL', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('评测报告：心内科 &lt;b&gt;适配器&lt;/b&gt; 对比');
    expect(html).toContain('口头提到心衰 &lt;需补充&gt;');
    expect(html).not.toMatch(/https?:/i);
    expect(html).not.toMatch(/\son\w+=/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('marks the hit items in the answer, and a negated mention apart', () => {
    expect(html).toContain('阿司匹林用于<mark title="冠心病">冠心病</mark>、<mark title="脑梗死">脑梗死</mark>的二级预防。&lt;script&gt;');
    expect(html).toContain('常见<mark title="静止性震颤">静止性震颤</mark>，不会出现<mark class="negated" title="肌强直">肌强直</mark>。');
    // Items never found are listed as missed, never marked.
    expect(html).not.toContain('<mark title="发热">发热</mark>，');
    expect(html).toMatch(/<li class="missed"><span class="mark" aria-hidden="true">✗<\/span>发热/);
  });

  it('shows every case in its own <details>, the failed answer, the review and its override', () => {
    expect(count(html, /<details class="case">/g)).toBe(3);
    expect(html).toContain('未能回答：模型进程意外退出（MODEL_CRASHED）');
    expect(html).toContain('严重心力衰竭<small></small><span class="override">复核改为命中</span>');
    expect(html).toMatch(/医生复核：张医生（2026\/12\/08 09:30）/);
    expect(html).toContain('心内科适配器：命中 1/3 · 已复核 → 2/3');
  });

  it('draws one bar per target × criterion and kind of score, with an accessible title', () => {
    const chart = html.match(/<svg class="chart"[\s\S]*?<\/svg>/)?.[0] ?? '';
    expect(chart).toMatch(/^<svg class="chart" role="img" aria-label="[^"]+"[^>]*><title>/);
    expect(count(chart, /<rect class="bar"/g)).toBe(2 * 3 * 2);
    for (const target of ['心内科适配器', '知识库模式']) {
      for (const criterion of ['至少命中一项', '命中至少一半', '命中至少三分之二']) {
        for (const kind of ['自动评分', '医生复核']) expect(count(chart, new RegExp(`<title>${target} · ${kind} · ${criterion}：`, 'g'))).toBe(1);
      }
    }
    expect(chart).toContain('<title>心内科适配器 · 医生复核 · 命中至少一半：66.7 %（95 % 区间 20.8–93.9 %，n = 3）</title>');
  });

  it('lists each target\'s provenance', () => {
    const provenance = html.match(/<section id="provenance">[\s\S]*?<section id="cases">/)?.[0] ?? '';
    for (const text of ['qwen2.5-1.5b-q4_k_m.gguf（sha256 abababababab', 'cardio-lora.gguf ×0.8（sha256 cdcdcdcdcdcd）', 'chatml', 'temperature 0.3', 'kb-7', '<dt>并行</dt><dd>2</dd>', '<dt>应用版本</dt><dd>0.1.0</dd>', '知识库模式（不经模型）']) {
      expect(provenance).toContain(text);
    }
  });

  it('charts the first criterion over time only when history holds two runs or more', () => {
    const run = criteriaRun();
    const earlier = (id: string, day: number): EvalRunSummary => {
      const { cases: _, ...summary } = criteriaRun({ id, name: `第 ${day} 日`, createdAt: at(day, 9) });
      return summary;
    };
    const svgs = (history: EvalRunSummary[]): string[] => evalReport(run, 'html', history).content.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs([])).toHaveLength(1);
    expect(svgs([earlier('run-0', 1)])).toHaveLength(1);
    const [, overTime] = svgs([earlier('run-a', 1), earlier('run-b', 3)]);
    expect(overTime).toContain('至少命中一项（自动评分）随时间的变化');
    // Two earlier runs and this one, for each target label.
    expect(count(overTime ?? '', /<circle class="point" data-series="0"/g)).toBe(3);
    expect(count(overTime ?? '', /<circle class="point" data-series="1"/g)).toBe(3);
  });

  it('marks an interrupted run and its unanswered cases as partial', () => {
    const base = criteriaRun();
    const run = EvalRunDetail.parse({
      ...base, state: 'interrupted', endedAt: null,
      targets: base.targets.map((t) => ({ ...t, total: 4 })),
      cases: [...base.cases, { case: { ...C1, id: 'c4' }, results: [] }],
    });
    const partial = evalReport(run, 'html').content;
    expect(partial).toContain('本次评测已中断，结果不完整</strong>：已回答 心内科适配器 3 / 4 例；知识库模式 3 / 4 例。');
    expect(partial).toContain('（部分结果，未回答的病例不计入）');
    expect(count(partial, /<span class="chip pending"[^>]*>[^<]*：未回答<\/span>/g)).toBe(2);
    expect(html).not.toContain('结果不完整');
  });

  it('reports a choice set by its accuracy', () => {
    const choice = evalReport(choiceRun(), 'html').content;
    const model = tableRow(choice, '心内科适配器');
    expect(model.slice(1, 3).map((cell) => cell.split(' %')[0])).toEqual(['50.0', '100.0']);
    expect(count(choice, /<rect class="bar"/g)).toBe(2 * 2);
    expect(choice).toContain('所选：A（比较各选项似然）· 标准答案：AC · <span class="miss">错误</span>');
    expect(choice).toContain('医生复核：李医生（2026/12/09 16:30），判定为正确');
  });
});

describe('the CSV report', () => {
  const parseCsv = (content: string): string[][] => parse(content, { bom: true, relax_column_count: false });

  it('has a BOM and one row per case × target, every row as wide as the header', () => {
    const { content, mime } = evalReport(criteriaRun(), 'csv');
    expect(mime).toBe('text/csv; charset=utf-8');
    expect(content.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = parseCsv(content);
    expect(header).toEqual(['run_id', 'target', 'case_id', 'kind', 'question', 'gold', 'hits', 'missed', 'negated',
      'auto_any', 'auto_half', 'auto_two_thirds', 'reviewed_any', 'reviewed_half', 'reviewed_two_thirds', 'reviewer', 'note', 'status', 'error', 'answer']);
    expect(rows).toHaveLength(3 * 2);
    for (const row of rows) expect(row).toHaveLength(header?.length ?? 0);
    const byKey = new Map(rows.map((row) => [`${row[2]}/${row[1]}`, Object.fromEntries((header ?? []).map((h, i) => [h, row[i]]))]));
    expect(byKey.get('c1/心内科适配器')).toMatchObject({ run_id: 'run-1', kind: 'drug-indication', gold: '冠心病；脑梗死；发热', hits: '冠心病；脑梗死', missed: '发热', auto_any: '1', auto_half: '1', auto_two_thirds: '1', status: 'done', answer: HOSTILE });
    expect(byKey.get('c2/心内科适配器')).toMatchObject({ status: 'failed', error: 'MODEL_CRASHED: 模型进程意外退出', auto_any: '0', reviewed_any: '0', hits: '' });
    expect(byKey.get('c2/知识库模式')).toMatchObject({ hits: '静止性震颤', missed: '肌强直', negated: '肌强直', auto_half: '1', auto_two_thirds: '0' });
    // The review turns 1/3 into 2/3: the automatic verdicts stay, the reviewed ones change.
    expect(byKey.get('c3/心内科适配器')).toMatchObject({ auto_half: '0', reviewed_half: '1', reviewed_two_thirds: '1', reviewer: '张医生', note: '口头提到心衰 <需补充>' });
    // A cell that would run as a formula in Excel is quoted out of it; a line break survives.
    expect(byKey.get('c3/心内科适配器')?.answer).toBe(`'${FORMULA}`);
    expect(byKey.get('c3/知识库模式')?.answer).toBe(MULTILINE);
  });

  it('writes a choice set\'s choice and correctness, and an unanswered case as such', () => {
    const [header, ...rows] = parseCsv(evalReport(choiceRun(), 'csv').content);
    expect(header).toEqual(['run_id', 'target', 'case_id', 'kind', 'question', 'gold', 'chosen', 'auto_correct', 'reviewed_correct', 'reviewer', 'note', 'status', 'error', 'answer']);
    expect(rows).toHaveLength(2 * 2);
    const q2 = rows.find((row) => row[2] === 'q2' && row[1] === '心内科适配器');
    expect(q2?.slice(3, 11)).toEqual(['choice', '以下哪些属于β受体阻滞剂？\nA. 美托洛尔\nB. 氨氯地平\nC. 比索洛尔', 'AC', 'A', '0', '1', '李医生', '题目表述有歧义']);

    const base = criteriaRun();
    const unanswered = EvalRunDetail.parse({ ...base, state: 'interrupted', cases: [...base.cases, { case: { ...C1, id: 'c4' }, results: [] }] });
    const last = parseCsv(evalReport(unanswered, 'csv').content).at(-1);
    expect(last?.slice(9, 18)).toEqual(['', '', '', '', '', '', '', '', 'unanswered']);
  });
});

describe('the JSON report', () => {
  it('is the run itself with a schema version and the time it was made, and reads back through the contract', () => {
    const run = criteriaRun();
    const { content, mime } = evalReport(run, 'json');
    expect(mime).toBe('application/json; charset=utf-8');
    const data = JSON.parse(content) as Record<string, unknown>;
    expect(data.schemaVersion).toBe(EVAL_REPORT_SCHEMA_VERSION);
    expect(Number.isNaN(Date.parse(String(data.generatedAt)))).toBe(false);
    expect(EvalRunDetail.parse(data)).toEqual(run);
    expect(content).toContain('\n  "id": "run-1"');
  });
});

describe('the file name', () => {
  it('names the run and its day, safe on Windows, with the format as extension', () => {
    const run = criteriaRun({ name: '心内科/对比: "A"*B? <v2>. ' });
    expect(evalReport(run, 'html').fileName).toBe('eval-心内科_对比_A_B_v2-20261207.html');
    expect(evalReport(run, 'csv').fileName).toBe('eval-心内科_对比_A_B_v2-20261207.csv');
    expect(evalReport(criteriaRun({ name: '???' }), 'json').fileName).toBe('eval-run-20261207.json');
    expect(evalReport(criteriaRun(), 'html').fileName).not.toMatch(/[<>:"/\\|?*]/);
  });
});
