import { describe, expect, it } from 'vitest';
import type { ChosenFile, Job, KbEntry, KbHit, KbImportReport, KbSource, KbStats } from '$contract';
import { MAX_UPLOAD_BYTES } from '$contract';
import type { FilePicker, UploadOptions } from '../api/files.js';
import { errorMessage } from '../ui/knowledge.js';
import { importOverall, KnowledgeState } from './kb.svelte.js';
import { dialogFiles, fake, jobEvent, tick } from './test-api.js';

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A file as the open dialog or an upload answers it: its handle, never its path. */
const chosen = (name = 'drugs.jsonl', sizeBytes = 100): ChosenFile => ({ file: `h-${name}`.padEnd(32, 'h').slice(0, 32), name, sizeBytes });
const HANDLE = chosen().file;

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
const job = (extra: Partial<Job> = {}): Job => jobEvent({ id: 'job1', ...extra });
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

describe('KnowledgeState', () => {
  it('searches after a pause, keeps only the newest query, and clears with the box', async () => {
    const resolvers: Array<(hits: KbHit[]) => void> = [];
    const { api, count } = fake({ 'kb.search': () => new Promise<KbHit[]>((resolve) => resolvers.push(resolve)) });
    const kb = new KnowledgeState(api, dialogFiles(chosen()));
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
    expect(kb.results.map((h) => h.name)).toEqual(['痛风']);
    kb.setQuery('  ');
    expect(kb.results).toEqual([]);
    expect(kb.searching).toBe(false);
  });

  it('opens entries, remembers where it came from, and goes back', async () => {
    const entries: Record<string, KbEntry> = {
      'disease:gout': entry('disease:gout', '痛风', { type: 'disease', links: { 非布司他: 'drug:feb' } }),
      'drug:feb': entry('drug:feb', '非布司他'),
    };
    const { api } = fake({ 'kb.entry': ({ id }) => entries[id] ?? Promise.reject({ code: 'NOT_FOUND', message: '知识库中没有这个条目' }) });
    const kb = new KnowledgeState(api, dialogFiles(chosen()));
    expect(await kb.openEntry('disease:gout')).toBe(true);
    expect(kb.panel).toBe('entry');
    expect(kb.canGoBack).toBe(false);
    expect(await kb.openEntry('drug:feb')).toBe(true);
    expect(kb.entry!.name).toBe('非布司他');
    expect(kb.history).toEqual(['disease:gout']);
    await kb.back();
    expect(kb.entry!.name).toBe('痛风');
    expect(kb.canGoBack).toBe(false);
    expect(await kb.openEntry('drug:missing')).toBe(false);
    expect(kb.entryError).toMatchObject({ code: 'NOT_FOUND' });
    expect(kb.entry!.name).toBe('痛风'); // a failed open keeps what was shown
  });

  it('loads the statistics once on first visit', async () => {
    const { api, count } = fake({ 'kb.stats': () => stats(717) });
    const kb = new KnowledgeState(api, dialogFiles(chosen()));
    await kb.init();
    await kb.init();
    expect(count('kb.stats')).toBe(1);
    expect(kb.stats!.entries).toBe(717);
  });

  it('imports with a monotone progress from its job, then refreshes what the import changed', async () => {
    const pending = deferred<KbImportReport>();
    const { api, emit, calls, count } = fake({
      'kb.import': () => pending.promise,
      'kb.stats': () => stats(3),
      'kb.entry': ({ id }) => entry(id, '非布司他', { facts: [{ field: 'indications', value: ['医院版适应症'], source: hospital }] }),
      'kb.search': () => [hit('drug:feb', '非布司他')],
    });
    const kb = new KnowledgeState(api, dialogFiles(chosen()));
    const detach = kb.attach();
    kb.entry = entry('drug:feb', '非布司他');
    kb.resultsFor = '非布';
    emit('job.progress', job({ phase: 'read', progress: 0.5 })); // before any import: ignored
    expect(kb.progress).toBeNull();
    expect(kb.canImport).toBe(false);
    await kb.chooseFile();
    kb.importSource = '药剂科 2025 版';
    expect(kb.canImport).toBe(true);

    const running = kb.runImport();
    expect(kb.importing).toBe(true);
    expect(kb.canImport).toBe(false);
    expect(calls.at(-1)).toEqual(['kb.import', { file: HANDLE, format: 'jsonl', dryRun: false, source: '药剂科 2025 版' }]);
    expect(kb.progress).toMatchObject({ phase: 'start', overall: 0 });
    // Another import (another window, another file) and a model load are not this one.
    emit('job.progress', job({ id: 'other', subject: 'other.jsonl', phase: 'read', progress: 0.9, done: 90, total: 100 }));
    emit('job.progress', job({ id: 'load', kind: 'models.load', subject: 'drugs.jsonl', phase: 'model', progress: 0.9 }));
    expect(kb.progress!.overall).toBe(0);
    emit('job.progress', job({ phase: 'start', progress: 0 }));
    emit('job.progress', job({ phase: 'read', progress: 0.5, done: 50, total: 100 }));
    const half = kb.progress!.overall;
    expect(half).toBeGreaterThan(0);
    expect(kb.progress).toMatchObject({ phase: 'read', done: 50, total: 100 });
    emit('job.progress', job({ phase: 'read', progress: 0.1, done: 10, total: 100 })); // never backwards
    expect(kb.progress!.overall).toBe(half);
    emit('job.progress', job({ id: 'other', subject: 'other.jsonl', phase: 'index', progress: 0.9 }));
    expect(kb.progress!.overall).toBe(half);
    emit('job.progress', job({ phase: 'read', progress: 1, done: 100, total: 100 }));
    emit('job.progress', job({ phase: 'index', progress: 0.5, done: 1, total: 2 }));
    expect(kb.progress!.phase).toBe('index');
    expect(kb.progress!.overall).toBeGreaterThan(half);
    expect(kb.progress!.overall).toBeLessThan(1);

    emit('job.progress', job({ state: 'done', phase: 'index', progress: 1 }));
    pending.resolve(report());
    expect(await running).toBe(true);
    expect(kb.importing).toBe(false);
    expect(kb.progress).toBeNull();
    expect(kb.report!.committed).toBe(true);
    expect(kb.importCancelled).toBe(false);
    expect(count('kb.stats')).toBe(1);
    expect(count('kb.search')).toBe(1);
    expect(kb.entry!.facts[0]!.source.kind).toBe('hospital');
    emit('job.progress', job({ phase: 'index', progress: 1 })); // a stray event after the end
    expect(kb.progress).toBeNull();
    detach();
  });

  it('cancels the running import through its job: a calm note, no error, nothing refreshed', async () => {
    const pending = deferred<KbImportReport>();
    const { api, emit, calls, count } = fake({
      'kb.import': () => pending.promise,
      'jobs.cancel': ({ id }) => {
        emit('job.progress', job({ id, state: 'cancelled', phase: 'read', progress: 0.4, error: { code: 'CANCELLED', message: '已取消：drugs.jsonl' } }));
        pending.reject({ code: 'CANCELLED', message: '已取消：drugs.jsonl' });
        return { cancelled: true };
      },
      'kb.stats': () => stats(),
    });
    const kb = new KnowledgeState(api, dialogFiles(chosen()));
    kb.attach();
    await kb.chooseFile();
    const running = kb.runImport();
    emit('job.progress', job({ phase: 'read', progress: 0.4, done: 40, total: 100 }));
    await kb.cancelImport();
    expect(calls).toContainEqual(['jobs.cancel', { id: 'job1' }]);
    expect(await running).toBe(false);
    expect(kb.importCancelled).toBe(true);
    expect(kb.importError).toBeNull();
    expect(kb.report).toBeNull();
    expect(kb.importing).toBe(false);
    expect(kb.importCancelling).toBe(false);
    expect(count('kb.stats')).toBe(0);
    expect(kb.canImport).toBe(true); // the form is free for the next import
  });

  it('a cancel pressed before the job is known is sent as soon as it is', async () => {
    const pending = deferred<KbImportReport>();
    const { api, emit, calls } = fake({ 'kb.import': () => pending.promise, 'jobs.cancel': () => ({ cancelled: true }) });
    const kb = new KnowledgeState(api, dialogFiles(chosen()));
    kb.attach();
    await kb.chooseFile();
    const running = kb.runImport();
    await kb.cancelImport();
    expect(kb.importCancelling).toBe(true);
    expect(calls.filter(([name]) => name === 'jobs.cancel')).toEqual([]);
    emit('job.progress', job({ id: 'j9', phase: 'start', progress: 0 }));
    await tick();
    expect(calls.filter(([name]) => name === 'jobs.cancel')).toEqual([['jobs.cancel', { id: 'j9' }]]);
    pending.reject({ code: 'CANCELLED', message: '已取消' });
    expect(await running).toBe(false);
    expect(kb.importCancelled).toBe(true);
  });

  it('shows a failed import as a report with line-numbered errors and refreshes nothing', async () => {
    const { api, count } = fake({
      'kb.import': () => report({ committed: false, added: 0, updated: 0, errors: [{ line: 2, message: '第 2 行：不是有效的 JSON' }], moreErrors: 3 }),
      'kb.stats': () => stats(),
    });
    const kb = new KnowledgeState(api, dialogFiles(chosen()));
    await kb.chooseFile();
    expect(await kb.runImport()).toBe(true);
    expect(kb.report!.committed).toBe(false);
    expect(kb.report!.errors).toHaveLength(1);
    expect(errorMessage(kb.report!.errors[0]!)).toBe('不是有效的 JSON');
    expect(count('kb.stats')).toBe(0);
  });

  it('keeps the host’s refusal as an import error (nothing imported)', async () => {
    const { api } = fake({ 'kb.import': () => Promise.reject({ code: 'NOT_FOUND', message: '所选文件已失效，请重新选择文件' }) });
    const kb = new KnowledgeState(api, dialogFiles(chosen()));
    await kb.chooseFile();
    kb.dryRun = true;
    expect(await kb.runImport()).toBe(false);
    expect(kb.importError).toMatchObject({ code: 'NOT_FOUND', message: '所选文件已失效，请重新选择文件' });
    expect(kb.report).toBeNull();
    expect(kb.importing).toBe(false);
  });

  it('requires a valid column mapping for CSV and sends it parsed, with the chosen kind', async () => {
    const { api, calls } = fake({ 'kb.import': () => report({ dryRun: true, committed: false }) });
    const kb = new KnowledgeState(api, dialogFiles(chosen()));
    await kb.chooseFile();
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
    expect(calls).toEqual([['kb.import', { file: HANDLE, format: 'csv', dryRun: true, mapping: { type: 'drug', columns: { 通用名: 'name', 适应症: 'indications' } }, kind: 'guideline' }]]);
  });

  it('chooses the file in Electron’s open dialog: a cancel keeps the one chosen before, a failure says why', async () => {
    const answers: Array<ChosenFile | null | Error> = [chosen('a.jsonl', 10), null, Object.assign(new Error('x'), { code: 'NOT_FOUND', message: '找不到文件：/gone.jsonl' })];
    const files: FilePicker = {
      kind: 'dialog',
      choose: async (purpose) => {
        expect(purpose).toBe('kb.import');
        const answer = answers.shift()!;
        if (answer instanceof Error) throw answer;
        return answer;
      },
      chooseMany: async () => [],
      dropModelFiles: async () => [],
    };
    const kb = new KnowledgeState(fake({}).api, files);
    expect(kb.canImport).toBe(false);
    await kb.chooseFile();
    expect(kb.importFile).toEqual({ name: 'a.jsonl', sizeBytes: 10 });
    expect(kb.canImport).toBe(true);
    await kb.chooseFile();
    expect(kb.importFile).toEqual({ name: 'a.jsonl', sizeBytes: 10 });
    await kb.chooseFile();
    expect(kb.importError).toMatchObject({ code: 'NOT_FOUND', message: '找不到文件：/gone.jsonl' });
    expect(kb.choosing).toBe(false);
    kb.pickFile(new File(['x'], 'b.jsonl')); // a browser's way: not this window's
    expect(kb.importFile).toEqual({ name: 'a.jsonl', sizeBytes: 10 });
  });

  it('in a browser uploads the picked file at each import, the bar following the upload, then imports its handle', async () => {
    const sent: Array<[string, number]> = [];
    let uploads = 0;
    const files: FilePicker = {
      kind: 'upload',
      upload: async (file: File, { onProgress }: UploadOptions) => {
        uploads += 1;
        onProgress(file.size / 2, file.size);
        sent.push(['upload', kb.progress!.overall]);
        onProgress(file.size, file.size);
        return chosen(file.name, file.size);
      },
    };
    const { api, calls, emit } = fake({
      'kb.import': (input) => {
        sent.push(['import', kb.progress!.overall]);
        emit('job.progress', job({ subject: 'drugs.jsonl', phase: 'read', progress: 0.5 }));
        sent.push(['read', kb.progress!.overall]);
        return report({ dryRun: input.dryRun, committed: !input.dryRun });
      },
      'kb.stats': () => stats(),
    });
    const kb = new KnowledgeState(api, files);
    kb.attach();
    kb.pickFile(new File(['{"type":"drug","name":"布洛芬"}\n'], 'drugs.jsonl'));
    expect(kb.importFile).toMatchObject({ name: 'drugs.jsonl' });
    kb.dryRun = true;
    expect(await kb.runImport()).toBe(true);
    kb.dryRun = false;
    expect(await kb.runImport()).toBe(true);
    expect(uploads).toBe(2); // an upload is used once: each import sends the file again
    expect(calls.filter(([name]) => name === 'kb.import').map(([, input]) => input)).toEqual([
      { file: chosen('drugs.jsonl').file, format: 'jsonl', dryRun: true },
      { file: chosen('drugs.jsonl').file, format: 'jsonl', dryRun: false },
    ]);
    const overall = sent.slice(0, 3).map(([, value]) => value);
    expect(overall[0]).toBeGreaterThan(0);
    expect(overall[1]).toBeGreaterThanOrEqual(overall[0]!);
    expect(overall[2]).toBeGreaterThan(overall[1]!);
    kb.pickFile(null);
    expect(kb.canImport).toBe(false);
  });

  it('cancels a browser import while it uploads: the upload stops, nothing is imported', async () => {
    const files: FilePicker = {
      kind: 'upload',
      upload: (_file, { signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject({ code: 'CANCELLED', message: '已取消上传' }))),
    };
    const { api, count } = fake({});
    const kb = new KnowledgeState(api, files);
    kb.pickFile(new File(['x'], 'drugs.jsonl'));
    const running = kb.runImport();
    expect(kb.progress).toMatchObject({ phase: 'upload' });
    await kb.cancelImport();
    expect(await running).toBe(false);
    expect(kb.importCancelled).toBe(true);
    expect(kb.importError).toBeNull();
    expect(count('kb.import')).toBe(0);
  });

  it('refuses a browser file past the upload limit before sending a byte', async () => {
    let uploads = 0;
    const files: FilePicker = { kind: 'upload', upload: async () => (uploads++, chosen()) };
    const kb = new KnowledgeState(fake({}).api, files);
    const big = new File(['x'], 'big.jsonl');
    Object.defineProperty(big, 'size', { value: MAX_UPLOAD_BYTES + 1 });
    kb.pickFile(big);
    expect(kb.fileTooLarge).toBe(true);
    expect(kb.canImport).toBe(false);
    expect(await kb.runImport()).toBe(false);
    expect(uploads).toBe(0);
  });

  it('weights the phases: a dry run reads to 100%, a real import leaves room for the index', () => {
    expect(importOverall('start', 0)).toBe(0);
    expect(importOverall('read', 0.5, true)).toBeCloseTo(0.5);
    expect(importOverall('read', 1, true)).toBeCloseTo(1);
    expect(importOverall('read', 1)).toBeLessThan(1);
    expect(importOverall('index', 0)).toBeCloseTo(importOverall('read', 1));
    expect(importOverall('index', 1)).toBeCloseTo(1);
    expect(importOverall('read', 7)).toBeCloseTo(importOverall('read', 1)); // clamped
    expect(importOverall('something-new', 0.5)).toBe(0);
    // An uploaded file: the upload comes first, the import's steps share the rest.
    expect(importOverall('upload', 1)).toBeCloseTo(importOverall('start', 0, false, true));
    expect(importOverall('upload', 1)).toBeLessThan(importOverall('read', 0.5, false, true));
    expect(importOverall('index', 1, false, true)).toBeCloseTo(1);
    expect(importOverall('read', 1, true, true)).toBeCloseTo(1);
  });
});
