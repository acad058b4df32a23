import { KB_FIELD_LABELS, KbField } from '../../src-main/contract/index.js';
/**
 * The knowledge pane's state (`kb.svelte.ts`, Svelte runes) in plain Node, compiled by
 * test/helpers/svelte-state.ts, plus the pure helpers the pane and the chat's citations use:
 * fact grouping, unsupported-name marking in Markdown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KbEntry, KbFact, KbHit, KbImportReport, KbSource, KbStats } from '../../src-main/contract/index.js';
import { translate } from '../../src-renderer/lib/i18n/index.js';
import { errorMessage, fieldKey, groupFacts, otherNames, viewOf } from '../../src-renderer/lib/ui/knowledge.js';
import { markPattern, renderMarkdown } from '../../src-renderer/lib/ui/markdown.js';
import { compileStateModules, fakeApi as fakeApiFor, tick, type CompiledState } from '../helpers/svelte-state.js';

const methods = ['sessions.list', 'sessions.messages', 'models.list', 'models.status', 'app.info', 'kb.search', 'kb.entry', 'kb.stats', 'kb.import', 'kb.ask'];
const fakeApi = (handlers: Record<string, (input: any) => unknown>) => fakeApiFor(methods, handlers);
let compiled: CompiledState | undefined;

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const starter: KbSource = { label: '杏林入门知识库（待药剂科审核）', kind: 'starter', format: 'jsonl', version: 'sha256:0123456789abcdef', importedAt: 1 };
const hospital: KbSource = { label: '医院导入：drugs.jsonl', kind: 'hospital', format: 'jsonl', version: 'sha256:fedcba9876543210', importedAt: 2 };

const hit = (id: string, name: string, extra: Partial<KbHit> = {}): KbHit => ({ id, type: 'drug', name, matchedBy: 'name', ...extra });
const entry = (id: string, name: string, extra: Partial<KbEntry> = {}): KbEntry => ({
  id,
  type: 'drug',
  name,
  names: [{ name, kind: 'name', source: starter.label }],
  facts: [{ field: 'indications', value: ['痛风患者高尿酸血症的长期治疗'], source: starter }],
  links: {},
  ...extra,
});
const stats = (entries = 2): KbStats => ({ entries, byType: { drug: entries - 1, disease: 1 }, sources: [{ ...starter, entries, facts: 10 }] });
const report = (extra: Partial<KbImportReport> = {}): KbImportReport => ({
  dryRun: false,
  committed: true,
  source: hospital.label,
  total: 2,
  added: 1,
  updated: 1,
  removed: 0,
  unchanged: 0,
  errors: [],
  moreErrors: 0,
  ...extra,
});

let mod: { KnowledgeState: any; AppState: any; importOverall: (phase: string, done: number, total: number, dryRun?: boolean) => number; parseMapping: (text: string) => any };

beforeAll(async () => {
  compiled = await compileStateModules('xinglin-renderer-kb-');
  const [kb, app] = await Promise.all([compiled.load('kb.svelte'), compiled.load('app.svelte')]);
  mod = { KnowledgeState: kb.KnowledgeState, AppState: app.AppState, importOverall: kb.importOverall, parseMapping: kb.parseMapping };
}, 60_000);

afterAll(() => {
  compiled?.cleanup();
});

describe('renderer KnowledgeState', () => {
  it('searches after a pause, keeps only the newest query, and clears with the box', async () => {
    const resolvers: Array<(hits: KbHit[]) => void> = [];
    const { api, count } = fakeApi({ 'kb.search': () => new Promise<KbHit[]>((resolve) => resolvers.push(resolve)) });
    const kb = new mod.KnowledgeState(api);
    kb.setQuery('非', 5);
    kb.setQuery('非布司他', 5);
    expect(kb.searching).toBe(true);
    await later(20);
    expect(count('kb.search')).toBe(1); // the debounce dropped the first keystroke
    const older = kb.search('痛风');
    resolvers[1]!([hit('disease:1', '痛风', { type: 'disease' })]);
    resolvers[0]!([hit('drug:1', '非布司他')]);
    await older;
    await tick();
    expect(kb.resultsFor).toBe('痛风');
    expect(kb.results.map((h: KbHit) => h.name)).toEqual(['痛风']);
    kb.setQuery('  ');
    expect(kb.results).toEqual([]);
    expect(kb.searching).toBe(false);
  });

  it('opens entries, remembers where it came from, and goes back', async () => {
    const entries: Record<string, KbEntry> = {
      'disease:gout': entry('disease:gout', '痛风', { type: 'disease', links: { 非布司他: 'drug:feb' } }),
      'drug:feb': entry('drug:feb', '非布司他'),
    };
    const { api } = fakeApi({ 'kb.entry': ({ id }) => entries[id] ?? Promise.reject({ code: 'NOT_FOUND', message: '知识库中没有这个条目' }) });
    const kb = new mod.KnowledgeState(api);
    expect(await kb.openEntry('disease:gout')).toBe(true);
    expect(kb.panel).toBe('entry');
    expect(kb.canGoBack).toBe(false);
    expect(await kb.openEntry('drug:feb')).toBe(true);
    expect(kb.entry.name).toBe('非布司他');
    expect(kb.history).toEqual(['disease:gout']);
    await kb.back();
    expect(kb.entry.name).toBe('痛风');
    expect(kb.canGoBack).toBe(false);
    expect(await kb.openEntry('drug:missing')).toBe(false);
    expect(kb.entryError).toMatchObject({ code: 'NOT_FOUND' });
    expect(kb.entry.name).toBe('痛风'); // a failed open keeps what was shown
  });

  it('loads the statistics once on first visit', async () => {
    const { api, count } = fakeApi({ 'kb.stats': () => stats(717) });
    const kb = new mod.KnowledgeState(api);
    await kb.init();
    await kb.init();
    expect(count('kb.stats')).toBe(1);
    expect(kb.stats.entries).toBe(717);
  });

  it('imports with a monotone progress, then refreshes what the import changed', async () => {
    const pending = deferred<KbImportReport>();
    const { api, emit, calls, count } = fakeApi({
      'kb.import': () => pending.promise,
      'kb.stats': () => stats(3),
      'kb.entry': ({ id }) => entry(id, '非布司他', { facts: [{ field: 'indications', value: ['医院版适应症'], source: hospital }] }),
      'kb.search': () => [hit('drug:feb', '非布司他')],
    });
    const kb = new mod.KnowledgeState(api);
    const detach = kb.attach();
    kb.entry = entry('drug:feb', '非布司他');
    kb.resultsFor = '非布';
    emit('kb.progress', { phase: 'read', done: 5, total: 10 }); // before any import: ignored
    expect(kb.progress).toBeNull();
    expect(kb.canImport).toBe(false);
    kb.importPath = '  /data/drugs.jsonl ';
    kb.importSource = '药剂科 2025 版';
    expect(kb.canImport).toBe(true);

    const running = kb.runImport();
    expect(kb.importing).toBe(true);
    expect(kb.canImport).toBe(false);
    expect(calls.at(-1)).toEqual(['kb.import', { path: '/data/drugs.jsonl', format: 'jsonl', dryRun: false, source: '药剂科 2025 版' }]);
    expect(kb.progress.overall).toBe(0);
    emit('kb.progress', { phase: 'read', done: 50, total: 100 });
    const half = kb.progress.overall;
    expect(half).toBeGreaterThan(0);
    expect(kb.progress).toMatchObject({ phase: 'read', done: 50, total: 100 });
    emit('kb.progress', { phase: 'read', done: 10, total: 100 }); // never backwards
    expect(kb.progress.overall).toBe(half);
    emit('kb.progress', { phase: 'read', done: 100, total: 100 });
    emit('kb.progress', { phase: 'index', done: 1, total: 2 });
    expect(kb.progress.phase).toBe('index');
    expect(kb.progress.overall).toBeGreaterThan(half);
    expect(kb.progress.overall).toBeLessThan(1);

    pending.resolve(report());
    expect(await running).toBe(true);
    expect(kb.importing).toBe(false);
    expect(kb.progress).toBeNull();
    expect(kb.report.committed).toBe(true);
    expect(count('kb.stats')).toBe(1);
    expect(count('kb.search')).toBe(1);
    expect(kb.entry.facts[0].source.kind).toBe('hospital');
    emit('kb.progress', { phase: 'index', done: 2, total: 2 }); // a stray event after the end
    expect(kb.progress).toBeNull();
    detach();
  });

  it('shows a failed import as a report with line-numbered errors and refreshes nothing', async () => {
    const { api, count } = fakeApi({
      'kb.import': () => report({ committed: false, added: 0, updated: 0, errors: [{ line: 2, message: '第 2 行：不是有效的 JSON' }], moreErrors: 3 }),
      'kb.stats': () => stats(),
    });
    const kb = new mod.KnowledgeState(api);
    kb.importPath = '/data/bad.jsonl';
    expect(await kb.runImport()).toBe(true);
    expect(kb.report.committed).toBe(false);
    expect(kb.report.errors).toHaveLength(1);
    expect(errorMessage(kb.report.errors[0])).toBe('不是有效的 JSON');
    expect(count('kb.stats')).toBe(0);
  });

  it('keeps the host’s refusal as an import error (nothing imported)', async () => {
    const { api } = fakeApi({ 'kb.import': () => Promise.reject({ code: 'INVALID_INPUT', message: '找不到要导入的文件：/nope.jsonl' }) });
    const kb = new mod.KnowledgeState(api);
    kb.importPath = '/nope.jsonl';
    kb.dryRun = true;
    expect(await kb.runImport()).toBe(false);
    expect(kb.importError).toMatchObject({ code: 'INVALID_INPUT', message: '找不到要导入的文件：/nope.jsonl' });
    expect(kb.report).toBeNull();
    expect(kb.importing).toBe(false);
  });

  it('requires a valid column mapping for CSV and sends it parsed, with the chosen kind', async () => {
    const { api, calls } = fakeApi({ 'kb.import': () => report({ dryRun: true, committed: false }) });
    const kb = new mod.KnowledgeState(api);
    kb.importPath = '/data/drugs.csv';
    expect(kb.mappingCheck).toBeNull();
    kb.importFormat = 'csv';
    expect(kb.mappingCheck).toEqual({ ok: false, reason: 'empty' });
    expect(kb.canImport).toBe(false);
    kb.importMapping = '{"columns": ';
    expect(kb.mappingCheck).toEqual({ ok: false, reason: 'invalid' });
    kb.importMapping = '{"type":"drug","columns":{"通用名":"name"},"extra":1}';
    expect(kb.mappingCheck).toEqual({ ok: false, reason: 'invalid' }); // strict: unknown keys refused
    expect(await kb.runImport()).toBe(false);
    kb.importMapping = '{"type":"drug","columns":{"通用名":"name","适应症":"indications"}}';
    kb.dryRun = true;
    kb.importKind = 'guideline';
    expect(kb.canImport).toBe(true);
    expect(await kb.runImport()).toBe(true);
    expect(calls).toEqual([['kb.import', { path: '/data/drugs.csv', format: 'csv', dryRun: true, mapping: { type: 'drug', columns: { 通用名: 'name', 适应症: 'indications' } }, kind: 'guideline' }]]);
  });

  it('weights the phases: a dry run reads to 100%, a real import leaves room for the index', () => {
    expect(mod.importOverall('read', 50, 100, true)).toBeCloseTo(0.5);
    expect(mod.importOverall('read', 100, 100, true)).toBeCloseTo(1);
    expect(mod.importOverall('read', 100, 100)).toBeLessThan(1);
    expect(mod.importOverall('index', 0, 10)).toBeCloseTo(mod.importOverall('read', 100, 100));
    expect(mod.importOverall('index', 10, 10)).toBeCloseTo(1);
    expect(mod.importOverall('read', 0, 0)).toBeCloseTo(mod.importOverall('read', 1, 1)); // an empty file
  });
});

describe('renderer AppState with the knowledge pane', () => {
  it('opens a cited entry in the knowledge view and returns to chat on a session', async () => {
    const { api, count } = fakeApi({
      'kb.stats': () => stats(),
      'kb.entry': ({ id }) => entry(id, '非布司他'),
      'sessions.messages': () => [],
    });
    const app = new mod.AppState(api);
    expect(app.view).toBe('chat');
    await app.openEntry('drug:feb');
    expect(app.view).toBe('knowledge');
    expect(app.kb.panel).toBe('entry');
    expect(app.kb.entry.id).toBe('drug:feb');
    await tick();
    expect(count('kb.stats')).toBe(1);
    app.showView('knowledge');
    await tick();
    expect(count('kb.stats')).toBe(1);
    await app.openSession('s1');
    expect(app.view).toBe('chat');
  });
});

describe('renderer knowledge helpers', () => {
  const fact = (field: KbFact['field'], value: KbFact['value'], source = starter): KbFact => ({ field, value, source });

  it('groups facts by field in reading order, keeping the host’s source order within a field', () => {
    const groups = groupFacts({
      type: 'drug',
      facts: [fact('adverseReactions', ['恶心']), fact('indications', ['医院版'], hospital), fact('indications', ['入门版']), fact('category', '抗痛风药')],
    });
    expect(groups.map((g) => g.field)).toEqual(['category', 'indications', 'adverseReactions']);
    expect(groups[1]!.facts.map((f) => f.source.kind)).toEqual(['hospital', 'starter']);
  });

  it('tells the shapes of values apart', () => {
    expect(viewOf('抗痛风药')).toEqual({ kind: 'text', text: '抗痛风药' });
    expect(viewOf(['片剂'])).toEqual({ kind: 'list', items: ['片剂'] });
    expect(viewOf([{ with: '硫唑嘌呤', effect: '禁止合用' }])).toEqual({ kind: 'interactions', items: [{ with: '硫唑嘌呤', effect: '禁止合用' }] });
    expect(viewOf({ 孕妇: '慎用' })).toEqual({ kind: 'record', items: [['孕妇', '慎用']] });
  });

  it('lists aliases and brands once, without the entry’s own name', () => {
    const names = otherNames({
      name: '非布司他',
      names: [
        { name: '非布司他', kind: 'name', source: 'a' },
        { name: 'Febuxostat', kind: 'alias', source: 'a' },
        { name: 'Febuxostat', kind: 'alias', source: 'b' },
        { name: '优立通', kind: 'brand', source: 'a' },
      ],
    });
    expect(names).toEqual({ aliases: ['Febuxostat'], brands: ['优立通'] });
  });

  it('has a readable label for every field in both languages, the Chinese one the same as in answers and citations', () => {
    for (const field of KbField.options) {
      expect(translate('zh-CN', fieldKey(field))).toBe(KB_FIELD_LABELS[field]);
      expect(translate('en', fieldKey(field))).not.toBe(fieldKey(field));
    }
  });
});

describe('renderer markdown unsupported-name flags', () => {
  it('marks every occurrence, the longest name first', () => {
    const html = renderMarkdown('可用阿司匹林肠溶片，或**阿司匹林**。', { marks: [{ kind: 'flag', texts: ['阿司匹林', '阿司匹林肠溶片'], title: '请核实' }] });
    expect(html).toContain('<span class="md-flag" title="请核实">阿司匹林肠溶片</span>');
    expect(html).toContain('<strong><span class="md-flag" title="请核实">阿司匹林</span></strong>');
    expect(html.match(/md-flag/g)).toHaveLength(2);
  });

  it('escapes names and titles and never lets a name become markup', () => {
    const html = renderMarkdown('药名 <b>x</b> 与 a"b', { marks: [{ kind: 'flag', texts: ['<b>x</b>', 'a"b'], title: '"><script>' }] });
    expect(html).not.toMatch(/<b>|<script/);
    expect(html).toContain('<span class="md-flag" title="&quot;&gt;&lt;script&gt;">&lt;b&gt;x&lt;/b&gt;</span>');
    expect(html).toContain('a&quot;b</span>');
  });

  it('marks inline code whole, leaves code blocks, and renders as before without flags', () => {
    const source = '用 `别嘌醇 100 mg` 时\n\n```\n别嘌醇\n```';
    const html = renderMarkdown(source, { marks: [{ kind: 'flag', texts: ['别嘌醇'], title: 't' }] });
    expect(html).toContain('<span class="md-flag" title="t"><code>别嘌醇 100 mg</code></span>');
    expect(html).toContain('<pre><code>别嘌醇\n</code></pre>');
    expect(renderMarkdown(source, { marks: [] })).toBe(renderMarkdown(source));
    expect(markPattern(['', '  '])).toBeUndefined();
  });

  it('breaks lines for answers composed line by line', () => {
    expect(renderMarkdown('甲 [1]\n乙 [2]', { breaks: true })).toContain('<br>');
    expect(renderMarkdown('甲 [1]\n乙 [2]')).not.toContain('<br>');
  });
});
