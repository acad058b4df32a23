import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { XinglinError, type KbCsvMapping } from '../../src-main/contract/index.js';
import { IMPORT_EXAMPLES } from '../../src-renderer/lib/ui/import-examples.js';
import { KnowledgeService, STARTER_LABEL, type ImportProgress, type ImportRequest } from '../../src-main/core/knowledge/index.js';
import { jsonl, openFixtureKb, starterDrugs, tempDir, writeStarter } from './knowledge-fixture.js';

const opened: KnowledgeService[] = [];
afterEach(() => {
  for (const kb of opened.splice(0)) kb.close();
});

function fresh() {
  const fixture = openFixtureKb();
  opened.push(fixture.kb);
  return fixture;
}

function params(file: string, extra: Partial<ImportRequest> = {}): ImportRequest {
  return { path: file, format: 'jsonl', dryRun: false, ...extra };
}

function write(name: string, content: string | Buffer): string {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, content);
  return file;
}

/** Every row of knowledge.db, read on a separate connection: "the base unchanged" means this is equal. */
function snapshot(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return JSON.stringify(['sources', 'entities', 'names', 'facts'].map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3`).all()));
  } finally {
    db.close();
  }
}

function count(file: string, sql: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(sql).pluck().get() as number) ?? 0;
  } finally {
    db.close();
  }
}

const hospitalDrugs = [
  { type: 'drug', name: '头孢呋辛', aliases: ['Cefuroxime'], class: '第二代头孢菌素', indications: ['下呼吸道感染'], allergyClass: '头孢菌素类' },
  { type: 'disease', name: '社区获得性肺炎', aliases: ['社区肺炎'], symptoms: ['发热', '咳嗽', '咳痰'], drugs: ['头孢呋辛'] },
];

describe('knowledge: the starter set', () => {
  it('is imported on first open as source starter, and only again when its version changes', () => {
    const starterDir = writeStarter();
    const dir = tempDir();
    const file = path.join(dir, 'knowledge.db');
    let kb = KnowledgeService.open({ file, starterDir });
    const first = kb.stats();
    expect(first.byType).toEqual({ drug: 6, disease: 3 });
    expect(first.sources).toEqual([expect.objectContaining({ label: STARTER_LABEL, kind: 'starter', entries: 9 })]);
    kb.close();

    kb = KnowledgeService.open({ file, starterDir });
    expect(kb.stats().sources[0]!.importedAt).toBe(first.sources[0]!.importedAt);
    kb.close();

    // A new release of the set: the old starter facts are replaced, nothing duplicated.
    fs.appendFileSync(path.join(starterDir, 'drugs.jsonl'), `${JSON.stringify({ type: 'drug', name: '布洛芬', indications: ['发热'] })}\n`);
    kb = KnowledgeService.open({ file, starterDir });
    opened.push(kb);
    const second = kb.stats();
    expect(second.byType).toEqual({ drug: 7, disease: 3 });
    expect(second.sources[0]!.version).not.toBe(first.sources[0]!.version);
    expect(count(file, 'SELECT count(*) FROM facts')).toBe(first.sources[0]!.facts + 1);
  });
});

describe('knowledge: jsonl import', () => {
  it('adds entries with their source, version and import time, reporting progress', async () => {
    const { kb } = fresh();
    const progress: ImportProgress[] = [];
    const report = await kb.import(params(write('hospital.jsonl', jsonl(hospitalDrugs))), { onProgress: (p) => progress.push(p) });
    expect(report).toMatchObject({ committed: true, dryRun: false, total: 2, added: 2, updated: 0, unchanged: 0, errors: [], source: '医院导入：hospital.jsonl' });
    expect(progress.at(-1)).toEqual({ phase: 'index', done: 2, total: 2 });
    expect(progress.some((p) => p.phase === 'read' && p.done === p.total)).toBe(true);

    const [hit] = kb.search('头孢呋辛');
    const entry = kb.entry(hit!.id);
    const fact = entry.facts.find((f) => f.field === 'indications')!;
    expect(fact.value).toEqual(['下呼吸道感染']);
    expect(fact.source).toMatchObject({ label: '医院导入：hospital.jsonl', kind: 'hospital', format: 'jsonl', version: expect.stringMatching(/^sha256:/) });
    expect(fact.source.importedAt).toBeGreaterThan(0);
  });

  it('is idempotent: a re-import updates, never duplicates', async () => {
    const { kb, file } = fresh();
    const source = write('hospital.jsonl', jsonl(hospitalDrugs));
    await kb.import(params(source));
    const facts = count(file, 'SELECT count(*) FROM facts');
    const again = await kb.import(params(source));
    expect(again).toMatchObject({ committed: true, added: 0, updated: 0, unchanged: 2 });
    expect(count(file, 'SELECT count(*) FROM facts')).toBe(facts);

    const changed = [{ ...hospitalDrugs[0], indications: ['下呼吸道感染', '单纯性尿路感染'] }, hospitalDrugs[1]!];
    fs.writeFileSync(source, jsonl(changed));
    expect(await kb.import(params(source))).toMatchObject({ added: 0, updated: 1, unchanged: 1 });
    expect(count(file, 'SELECT count(*) FROM facts')).toBe(facts);
    expect(kb.entry(kb.search('头孢呋辛')[0]!.id).facts.find((f) => f.field === 'indications')!.value).toEqual(['下呼吸道感染', '单纯性尿路感染']);
    expect(count(file, 'SELECT count(*) FROM entities')).toBe(11);
  });

  it('checks without writing on a dry run', async () => {
    const { kb, file } = fresh();
    const before = snapshot(file);
    const report = await kb.import(params(write('hospital.jsonl', jsonl(hospitalDrugs)), { dryRun: true }));
    expect(report).toMatchObject({ dryRun: true, committed: false, added: 2, errors: [] });
    expect(snapshot(file)).toBe(before);
    expect(kb.search('头孢呋辛')).toEqual([]);
  });

  it('refuses the starter set\'s source label', async () => {
    const { kb } = fresh();
    const error = await kb.import(params(write('a.jsonl', jsonl(hospitalDrugs)), { source: STARTER_LABEL })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XinglinError);
    expect((error as XinglinError).code).toBe('IMPORT_INVALID');
  });
});

describe('knowledge: a bad file imports nothing and names the line', () => {
  const good = JSON.stringify(hospitalDrugs[0]);
  const cases: Array<[string, string | Buffer, number, RegExp]> = [
    ['a malformed line', `${good}\n${JSON.stringify(hospitalDrugs[1])}\n{"type":"drug","name":\n`, 3, /不是有效的 JSON/],
    ['an unknown field', `${good}\n${JSON.stringify({ type: 'drug', name: '布洛芬', dose: '0.2g' })}\n`, 2, /未知字段：dose/],
    ['an empty name', `${good}\n${JSON.stringify({ type: 'disease', name: '  ' })}\n`, 2, /name 不能为空/],
    ['a wrong type', `${JSON.stringify({ type: 'symptom', name: '发热' })}\n`, 1, /type 必须是/],
    ['a duplicate within the file', `${good}\n${JSON.stringify(hospitalDrugs[1])}\n${JSON.stringify({ type: 'drug', name: '头孢呋辛片' })}\n`, 3, /与第 1 行是同一条目/],
    ['invalid UTF-8', Buffer.concat([Buffer.from(`${good}\n`), Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a])]), 2, /UTF-8/],
  ];

  for (const [what, content, line, message] of cases) {
    it(`rejects ${what}`, async () => {
      const { kb, file } = fresh();
      const before = snapshot(file);
      const report = await kb.import(params(write('bad.jsonl', content)));
      expect(report.committed).toBe(false);
      expect(report.errors).toEqual([{ line, message: expect.stringMatching(message) }]);
      expect(report.errors[0]!.message).toContain(`第 ${line} 行`);
      expect(snapshot(file)).toBe(before);
      expect(kb.search('头孢呋辛')).toEqual([]);
    });
  }

  it('streams a 50 MB file and rejects it whole for one bad line near the end', async () => {
    const { kb, file } = fresh();
    const before = snapshot(file);
    const symptoms = Array.from({ length: 120 }, (_, i) => `症状${i}号表现为持续性不适`);
    const lines: string[] = [];
    let bytes = 0;
    for (let i = 0; bytes < 51 * 1024 * 1024; i++) {
      const line = JSON.stringify({ type: 'disease', name: `测试病${i}`, symptoms });
      lines.push(line);
      bytes += Buffer.byteLength(line) + 1;
    }
    const badLine = lines.length - 10;
    lines[badLine - 1] = '{"type":"disease","name":"坏行",}';
    const big = write('big.jsonl', `${lines.join('\n')}\n`);
    expect(fs.statSync(big).size).toBeGreaterThanOrEqual(50 * 1024 * 1024);

    const report = await kb.import(params(big));
    expect(report.committed).toBe(false);
    expect(report.errors).toEqual([{ line: badLine, message: expect.stringContaining(`第 ${badLine} 行`) }]);
    expect(report.total).toBe(lines.length - 1);
    expect(snapshot(file)).toBe(before);
  });

  it('refuses a missing file and a CSV without a mapping before reading', async () => {
    const { kb } = fresh();
    await expect(kb.import(params('/nonexistent/kb.jsonl'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(kb.import(params(write('a.csv', 'name\n'), { format: 'csv' }))).rejects.toMatchObject({ code: 'IMPORT_INVALID' });
  });
});

describe('knowledge: csv import', () => {
  const mapping = {
    columns: { 类型: 'type', 通用名: 'name', 别名: 'aliases', 商品名: 'brands', 适应症: 'indications', 禁忌: 'contraindications', 相互作用: 'interactions', 特殊人群: 'specialPopulations', 症状: 'symptoms' },
  };
  const csv = [
    '\uFEFF类型,通用名,别名,商品名,适应症,禁忌,相互作用,特殊人群,症状,备注',
    '药品,布洛芬,Ibuprofen,芬必得,"发热；轻度疼痛;中度疼痛、痛经",活动性消化性溃疡,"阿司匹林：减弱阿司匹林的抗血小板作用；华法林：出血风险增加",孕妇：妊娠晚期禁用,,内部备注',
    'disease,偏头痛,,,,,,,"搏动性头痛、畏光',
    '畏声",',
  ].join('\n');

  it('maps columns to fields, splits lists on ；/;/、 and reads quoted cells across lines', async () => {
    const { kb } = fresh();
    const report = await kb.import(params(write('drugs.csv', csv), { format: 'csv', mapping }));
    expect(report).toMatchObject({ committed: true, added: 2, errors: [] });
    const ibuprofen = kb.entry(kb.search('芬必得')[0]!.id);
    const value = (field: string) => ibuprofen.facts.find((f) => f.field === field)?.value;
    expect(ibuprofen.name).toBe('布洛芬');
    expect(value('indications')).toEqual(['发热', '轻度疼痛', '中度疼痛', '痛经']);
    expect(value('interactions')).toEqual([{ with: '阿司匹林', effect: '减弱阿司匹林的抗血小板作用' }, { with: '华法林', effect: '出血风险增加' }]);
    expect(value('specialPopulations')).toEqual({ 孕妇: '妊娠晚期禁用' });
    const migraine = kb.entry(kb.search('偏头痛')[0]!.id);
    expect(migraine.facts.find((f) => f.field === 'symptoms')!.value).toEqual(['搏动性头痛', '畏光', '畏声']);
  });

  it('names the line of a bad row and imports nothing', async () => {
    const { kb, file } = fresh();
    const before = snapshot(file);
    const bad = `${csv}\n药品,对乙酰氨基酚,多余的列\n`;
    const report = await kb.import(params(write('bad.csv', bad), { format: 'csv', mapping }));
    expect(report.errors).toEqual([{ line: 5, message: expect.stringMatching(/第 5 行：有 3 列，表头有 10 列/) }]);
    expect(snapshot(file)).toBe(before);
  });

  it('refuses a mapping to an unknown field', async () => {
    const { kb } = fresh();
    const error = await kb.import(params(write('a.csv', csv), { format: 'csv', mapping: { type: 'drug', columns: { 通用名: 'name', 剂量: 'dose' } } })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'IMPORT_INVALID', message: expect.stringContaining('dose') });
  });
});

describe('knowledge: label import and linking across sources', () => {
  const label = {
    name: '利伐沙班片',
    aliases: ['利伐沙班'],
    label: {
      适应症: '用于择期髋关节或膝关节置换手术成年患者，以预防静脉血栓形成；用于治疗成人深静脉血栓形成。',
      禁忌: '对本品任何成分过敏者禁用。有临床明显活动性出血的患者禁用。',
      不良反应: '常见贫血、恶心及转氨酶升高；偶见皮疹、瘙痒等过敏反应。',
      药物相互作用: '与酮康唑、伊曲康唑合用可使本品血药浓度升高。',
      用法用量: '口服，每次10mg，每日一次。肌酐清除率15～29 ml/min者慎用。',
    },
  };

  it('turns each section into single conditions, keeps the prose, and links 利伐沙班片 to the starter 利伐沙班', async () => {
    const { kb } = fresh();
    const starterId = kb.search('利伐沙班')[0]!.id;
    const report = await kb.import(params(write('labels.jsonl', jsonl([label])), { format: 'label', source: '本院药品说明书' }));
    expect(report).toMatchObject({ committed: true, added: 0, updated: 1, total: 1 });
    expect(kb.stats().sources.map((s) => [s.label, s.kind])).toEqual([['本院药品说明书', 'label'], [STARTER_LABEL, 'starter']]);

    const entry = kb.entry(starterId);
    expect(entry.name).toBe('利伐沙班');
    const indications = entry.facts.filter((f) => f.field === 'indications');
    // The hospital's own source first, the starter set after it: both kept.
    expect(indications.map((f) => f.source.label)).toEqual(['本院药品说明书', STARTER_LABEL]);
    // One named condition each, its qualifiers beside it (who, prevention or treatment).
    expect(indications[0]!.value).toEqual(['静脉血栓形成（择期髋关节或膝关节置换手术成年患者；预防）', '深静脉血栓形成（成人）']);
    expect(indications[0]!.original).toBe(label.label.适应症);
    expect(entry.facts.find((f) => f.field === 'adverseReactions' && f.source.label === '本院药品说明书')!.value).toEqual(['贫血', '恶心', '转氨酶升高', '皮疹', '瘙痒', '过敏反应']);
    expect(entry.facts.find((f) => f.field === 'interactions' && f.source.label === '本院药品说明书')!.value).toEqual([
      { with: '酮康唑', effect: '与酮康唑、伊曲康唑合用可使本品血药浓度升高' },
      { with: '伊曲康唑', effect: '与酮康唑、伊曲康唑合用可使本品血药浓度升高' },
    ]);
    expect(entry.facts.find((f) => f.field === 'dosageForms' && f.source.label === '本院药品说明书')!.value).toEqual(['片']);
    // 用法用量 by group: the renal sentence under 肾功能不全, the rest as the adult dose; the prose kept.
    const dosage = entry.facts.find((f) => f.field === 'dosage' && f.source.label === '本院药品说明书')!;
    expect(dosage.value).toEqual({ 成人: '口服，每次10mg，每日一次。', 肾功能不全: '肌酐清除率15～29 ml/min者慎用。' });
    expect(dosage.original).toBe(label.label.用法用量);
    expect(entry.names).toContainEqual({ name: '利伐沙班片', kind: 'name', source: '本院药品说明书' });

    const answer = kb.ask('利伐沙班片的适应症是什么？');
    expect(answer.entities).toEqual([{ id: starterId, type: 'drug', name: '利伐沙班' }]);
    expect(answer.citations.map((c) => c.source)).toEqual(['本院药品说明书', STARTER_LABEL]);
    expect(answer.answer.indexOf('[1]')).toBeLessThan(answer.answer.indexOf('[2]'));
    expect(answer.grounded).toBe(true);
  });

  it('refuses an unknown label section, naming the line', async () => {
    const { kb, file } = fresh();
    const before = snapshot(file);
    const bad = { name: '某药片', label: { 适应症: '用于发热。', 神秘章节: '…' } };
    const report = await kb.import(params(write('labels.jsonl', jsonl([label, bad])), { format: 'label' }));
    expect(report.errors).toEqual([{ line: 2, message: expect.stringMatching(/第 2 行：未知的说明书章节“神秘章节”/) }]);
    expect(snapshot(file)).toBe(before);
  });

  it('keeps hospital facts when the starter set is replaced', async () => {
    const { kb, file, starterDir } = fresh();
    await kb.import(params(write('labels.jsonl', jsonl([label])), { format: 'label', source: '本院药品说明书' }));
    kb.close();
    opened.pop();
    fs.writeFileSync(path.join(starterDir, 'drugs.jsonl'), jsonl(starterDrugs.filter((d) => d.name !== '利伐沙班')));
    const reopened = KnowledgeService.open({ file, starterDir });
    opened.push(reopened);
    const [hit] = reopened.search('利伐沙班');
    const entry = reopened.entry(hit!.id);
    expect(new Set(entry.facts.map((f) => f.source.label))).toEqual(new Set(['本院药品说明书']));
  });
});

describe('knowledge: imported sources a hospital can manage', () => {
  const drug = (name: string, indications: string[]) => ({ type: 'drug', name, indications });
  const version1 = jsonl([drug('氟拉替尼片', ['急性髓系白血病']), drug('本院试剂甲', ['试用一']), drug('本院试剂乙', ['试用二'])]);
  const version2 = jsonl([drug('氟拉替尼片', ['急性髓系白血病', '骨髓增生异常综合征']), drug('本院试剂甲', ['试用一'])]);
  const names = (kb: KnowledgeService, label: string): string[] => kb.source(label, 100).entries.map((e) => e.name).sort();

  it('keeps the name the hospital imported, with its generic key linking it', async () => {
    const { kb } = fresh();
    await kb.import(params(write('v1.jsonl', version1), { source: '本院药品' }));
    const [hit] = kb.search('氟拉替尼');
    expect(kb.entry(hit!.id).name).toBe('氟拉替尼片');
  });

  it('re-imports a source as its file is now: entries gone from the file are removed, and the old version can be rolled back', async () => {
    const { kb } = fresh();
    await kb.import(params(write('v1.jsonl', version1), { source: '本院药品' }));
    expect(names(kb, '本院药品')).toEqual(['本院试剂乙', '本院试剂甲', '氟拉替尼片']);

    const report = await kb.import(params(write('v2.jsonl', version2), { source: '本院药品' }));
    expect(report).toMatchObject({ committed: true, updated: 1, unchanged: 1, removed: 1 });
    expect(names(kb, '本院药品')).toEqual(['本院试剂甲', '氟拉替尼片']);
    expect(kb.search('本院试剂乙').map((h) => h.name)).not.toContain('本院试剂乙');
    expect(kb.stats().sources.find((s) => s.label === '本院药品')!.previous).toMatchObject({ version: expect.stringMatching(/^sha256:/) });

    const restored = kb.rollbackSource('本院药品');
    expect(restored.previous).toBeUndefined();
    expect(names(kb, '本院药品')).toEqual(['本院试剂乙', '本院试剂甲', '氟拉替尼片']);
    const [hit] = kb.search('氟拉替尼片');
    expect(kb.entry(hit!.id).facts.find((f) => f.field === 'indications')!.value).toEqual(['急性髓系白血病']);
    expect(kb.ask('本院试剂乙的适应症是什么？').grounded).toBe(true);
    // One version is kept: a second rollback has nothing to go back to.
    expect(() => kb.rollbackSource('本院药品')).toThrow(/没有可回滚的上一版本/);
  });

  it('removes a source with what it says, keeping what other sources say about the same entries', async () => {
    const { kb, file } = fresh();
    const starterId = kb.search('利伐沙班')[0]!.id;
    await kb.import(params(write('labels.jsonl', jsonl([{ name: '利伐沙班片', label: { 适应症: '用于治疗成人深静脉血栓形成。' } }])), { format: 'label', source: '本院说明书' }));
    await kb.import(params(write('v1.jsonl', version1), { source: '本院药品' }));
    const before = snapshot(file);

    expect(kb.removeSource('本院药品')).toEqual({ label: '本院药品', entriesRemoved: 3 });
    expect(kb.search('氟拉替尼').map((h) => h.name)).not.toContain('氟拉替尼片');
    expect(kb.stats().sources.map((s) => s.label)).toEqual(['本院说明书', STARTER_LABEL]);

    kb.removeSource('本院说明书');
    expect(kb.entry(starterId).facts.map((f) => f.source.label)).not.toContain('本院说明书');
    expect(kb.entry(starterId).name).toBe('利伐沙班');
    // A citation to an entry whose only source was removed no longer opens: a clear error, not a stale entry.
    expect(() => kb.entry('drug:0000000000000000')).toThrow(XinglinError);
    expect(snapshot(file)).not.toBe(before);
  });

  it('refuses to remove or roll back the starter set or an unknown source, changing nothing', async () => {
    const { kb, file } = fresh();
    const before = snapshot(file);
    expect(() => kb.removeSource(STARTER_LABEL)).toThrow(/入门知识库随应用提供，不能删除/);
    expect(() => kb.rollbackSource(STARTER_LABEL)).toThrow(/不能回滚/);
    expect(() => kb.removeSource('不存在的来源')).toThrow(/没有来源“不存在的来源”/);
    expect(snapshot(file)).toBe(before);
  });

  it('keeps the previous version when a re-import fails, and replaces nothing', async () => {
    const { kb, file } = fresh();
    await kb.import(params(write('v1.jsonl', version1), { source: '本院药品' }));
    const before = snapshot(file);
    const report = await kb.import(params(write('bad.jsonl', `${version2}{"type":"drug"}\n`), { source: '本院药品' }));
    expect(report).toMatchObject({ committed: false, errors: [{ line: 3, message: expect.stringContaining('第 3 行') }] });
    expect(snapshot(file)).toBe(before);
  });

  it('imports every downloadable example file as it stands (the templates the Knowledge pane offers)', async () => {
    const { kb } = fresh();
    const mapping = JSON.parse(IMPORT_EXAMPLES.find((e) => e.label === 'kb.import.example.mapping')!.content) as KbCsvMapping;
    for (const example of IMPORT_EXAMPLES.filter((e) => e.label !== 'kb.import.example.mapping')) {
      const file = write(example.file, example.content);
      const report = await kb.import(params(file, { format: example.format, dryRun: true, ...(example.format === 'csv' ? { mapping } : {}) }));
      expect({ file: example.file, errors: report.errors, total: report.total > 0 }).toEqual({ file: example.file, errors: [], total: true });
    }
  });
});

describe('knowledge: an import message never quotes the file', () => {
  // Short enough that JSON.parse's own message (its first ten characters) would have quoted it whole.
  const MARKER = 'S3CR3T';
  const passwd = Array.from({ length: 40 }, (_, i) => `${MARKER}${i}:x:${i}:${i}:${MARKER} user:/home/${MARKER}:/bin/sh`).join('\n');
  const binary = Buffer.concat(Array.from({ length: 40 }, () => Buffer.concat([Buffer.from(MARKER), Buffer.from([0xff, 0xfe, 0x00, 0x81]), Buffer.from(`${MARKER}\n`)])));
  const drugMapping: KbCsvMapping = { type: 'drug', columns: { 通用名: 'name', 适应症: 'indications' } };
  const brokenRows = ['通用名,适应症', `${MARKER}甲,${MARKER},${MARKER}`, `${MARKER}"乙",${MARKER}`, ...Array.from({ length: 20 }, () => `${MARKER},${MARKER},${MARKER}`)].join('\n');

  const cases: Array<[string, string | Buffer, Partial<ImportRequest>]> = [
    ['a system file imported as jsonl', passwd, { format: 'jsonl' }],
    ['a system file imported as label text', passwd, { format: 'label' }],
    ['a system file imported as csv', passwd, { format: 'csv', mapping: drugMapping }],
    ['a binary file imported as jsonl', binary, { format: 'jsonl' }],
    ['JSON values that are not objects', Array.from({ length: 20 }, () => `"${MARKER}"\n[1, "${MARKER}"]`).join('\n'), { format: 'jsonl' }],
    ['csv rows that do not fit the header', brokenRows, { format: 'csv', mapping: drugMapping }],
  ];

  for (const [what, content, options] of cases) {
    it(`${what}: names lines only, stops after a few, and imports nothing`, async () => {
      const { kb, file } = fresh();
      const before = snapshot(file);
      const report = await kb.import(params(write('upload.bin', content), options));
      expect(report.committed).toBe(false);
      expect(report.errors.length).toBeGreaterThan(0);
      expect(JSON.stringify(report)).not.toContain(MARKER);
      for (const error of report.errors) expect(error.message).toMatch(/^第 \d+ 行/);
      // Reading stops early: a file that is not the format is not read to its end.
      expect(Math.max(...report.errors.map((e) => e.line))).toBeLessThanOrEqual(7);
      expect(snapshot(file)).toBe(before);
    });
  }

  it('says why it stopped reading: five lines that are not the declared format', async () => {
    const { kb } = fresh();
    const report = await kb.import(params(write('passwd', passwd)));
    expect(report.errors.map((e) => e.line)).toEqual([1, 2, 3, 4, 5, 5]);
    expect(report.errors.slice(0, 5).map((e) => e.message)).toEqual([1, 2, 3, 4, 5].map((n) => `第 ${n} 行：不是有效的 JSON`));
    expect(report.errors[5]!.message).toBe('第 5 行起不再读取：已有 5 行不是有效的 JSONL，请确认文件与所选格式一致');
    expect(report.moreErrors).toBe(0);
  });

  it('quotes at most the start of the field value or name that failed', async () => {
    const { kb } = fresh();
    const long = `${'很长的值'.repeat(10)}${MARKER}`;
    const csv = await kb.import(params(write('types.csv', `类型,通用名\n${long},布洛芬\n`), { format: 'csv', mapping: { columns: { 类型: 'type', 通用名: 'name' } } }));
    expect(csv.errors).toEqual([{ line: 2, message: `第 2 行：列“类型”的类型“${[...long].slice(0, 30).join('')}…”无效（应为 drug/disease 或 药品/疾病）` }]);
    const key = await kb.import(params(write('keys.jsonl', `${JSON.stringify({ type: 'drug', name: '布洛芬', [long]: 1 })}\n`)));
    expect(key.errors[0]!.message).toContain('包含未知字段：很长的值');
    for (const report of [csv, key]) expect(JSON.stringify(report)).not.toContain(MARKER);
  });
});
