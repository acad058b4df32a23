/**
 * The instruction-data builder on a real knowledge base: the fixture set for exact answers, the
 * shipped starter set for the whole (every answer made of its entry's facts, the split by entity).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KbEntry } from '../../src-main/contract/index.js';
import { STARTER_LABEL, KnowledgeService } from '../../src-main/core/knowledge/index.js';
import { buildDataset, type DatasetRequest } from '../../src-main/core/eval/dataset/index.js';
import { failure } from '../helpers/errors.js';
import { STARTER_DIR, tempDir } from '../helpers/env.js';
import { jsonl, openFixtureKb } from '../integration/knowledge-fixture.js';

const request = (change: Partial<DatasetRequest> = {}): DatasetRequest => ({ format: 'alpaca', split: 1, seed: 1, records: false, ...change });
const lines = (content: string): Array<Record<string, unknown>> => content.split('\n').filter(Boolean).map((line) => JSON.parse(line));
type Alpaca = { instruction: string; input: string; output: string };
const alpaca = (content: string) => lines(content) as Alpaca[];

/** The answer's opening names the entry and the field it lists; FIELDS_OF_LEAD gives the fact fields behind it. */
const LEAD = /^(.+?)(的适应病症包括|的禁忌包括|可能出现的不良反应包括|的药物相互作用包括|的典型症状包括|常用的检查包括|的常用治疗药物包括|一般到以下科室就诊)：(.+?)。（来源：(.+?)，版本 (.+?)）$/u;
const FIELDS_OF_LEAD: Record<string, string[]> = {
  的适应病症包括: ['indications'], 的禁忌包括: ['contraindications'], 可能出现的不良反应包括: ['adverseReactions'], 的药物相互作用包括: ['interactions'],
  的典型症状包括: ['symptoms'], 常用的检查包括: ['examinations'], 的常用治疗药物包括: ['drugs', 'otherDrugs'], 一般到以下科室就诊: ['departments'],
};

/** The entry's facts of these fields as the items of a list (an interaction as 与…合用：…). */
function flattenFacts(entry: KbEntry, fields: string[]): string[] {
  return entry.facts
    .filter((fact) => fields.includes(fact.field))
    .flatMap((fact) => (Array.isArray(fact.value) ? fact.value : [String(fact.value)]).map((v) => (typeof v === 'string' ? v : `与${v.with}合用：${v.effect}`)))
    .map((item) => item.replace(/[。；;]+$/u, ''));
}

function writeFile(name: string, content: string): string {
  const file = path.join(tempDir('xinglin-dataset-'), name);
  fs.writeFileSync(file, content);
  return file;
}

describe('instruction data from the fixture knowledge base', () => {
  let kb: KnowledgeService;
  let version: string;
  beforeAll(() => {
    kb = openFixtureKb().kb;
    version = kb.stats().sources[0]!.version;
  });
  afterAll(() => kb.close());

  it('asks every field an entry records in at least three phrasings, each answered with the entry’s facts and their source', async () => {
    const out = await buildDataset({ knowledge: kb }, request());
    const examples = alpaca(out.train.content);
    const source = `（来源：${STARTER_LABEL}，版本 ${version}）`;
    const about = (output: string) => examples.filter((e) => e.output === output).map((e) => e.instruction);

    const indications = about(`阿莫西林的适应病症包括：上呼吸道感染、急性中耳炎。${source}`);
    expect(indications.length).toBeGreaterThanOrEqual(3);
    expect(new Set(indications).size).toBe(indications.length);
    expect(indications.every((q) => q.includes('阿莫西林'))).toBe(true);
    expect(about(`利伐沙班的药物相互作用包括：与酮康唑合用：血药浓度升高，出血风险增加。${source}`).length).toBeGreaterThanOrEqual(3);
    expect(about(`痛风的常用治疗药物包括：非布司他、秋水仙碱。${source}`).length).toBeGreaterThanOrEqual(3);
    expect(about(`2型糖尿病一般到以下科室就诊：内分泌科。${source}`).length).toBeGreaterThanOrEqual(3);
    // Every answer has a question in each of its phrasings, and one field per answer.
    for (const output of new Set(examples.map((e) => e.output))) expect(about(output).length).toBeGreaterThanOrEqual(3);

    // 阿莫西林 records no interactions: nothing is asked about them, nothing made up.
    expect(examples.filter((e) => e.instruction.includes('阿莫西林') && /相互作用|合用/u.test(e.instruction))).toEqual([]);
    expect(out.counts).toEqual({
      'kb:drug:indications': 6 * 4, 'kb:drug:contraindications': 6 * 3, 'kb:drug:adverseReactions': 6 * 3, 'kb:drug:interactions': 3 * 3,
      'kb:disease:symptoms': 3 * 3, 'kb:disease:examinations': 3 * 3, 'kb:disease:drugs': 3 * 3, 'kb:disease:departments': 3 * 3,
    });
    expect(out.train.count).toBe(Object.values(out.counts).reduce((a, b) => a + b));
    expect(out.duplicatesRemoved).toBe(0);
    expect(out.test).toEqual({ fileName: 'instructions-alpaca-test.jsonl', count: 0, content: '' });
    expect(out.train.fileName).toBe('instructions-alpaca-train.jsonl');
  });

  it('writes clean lines: Alpaca’s three keys, or ShareGPT’s conversation of a human and a gpt turn', async () => {
    const a = await buildDataset({ knowledge: kb }, request({ format: 'alpaca' }));
    for (const line of lines(a.train.content)) {
      expect(Object.keys(line)).toEqual(['instruction', 'input', 'output']);
      expect(line.input).toBe('');
    }
    const s = await buildDataset({ knowledge: kb }, request({ format: 'sharegpt' }));
    expect(s.train.fileName).toBe('instructions-sharegpt-train.jsonl');
    expect(s.train.count).toBe(a.train.count);
    const conversations = lines(s.train.content);
    for (const line of conversations) {
      expect(Object.keys(line)).toEqual(['conversations']);
      const turns = line.conversations as Array<Record<string, string>>;
      expect(turns.map((t) => t.from)).toEqual(['human', 'gpt']);
      expect(turns.every((t) => Object.keys(t).join() === 'from,value' && t.value!.length > 0)).toBe(true);
    }
    expect(conversations.map((l) => (l.conversations as Array<{ value: string }>).map((t) => t.value))).toEqual(alpaca(a.train.content).map((e) => [e.instruction, e.output]));
  });

  it('a templates file replaces the phrasings of the fields it names; a phrasing given twice is a duplicate, removed and counted', async () => {
    const file = writeFile('templates.json', JSON.stringify({ drug: { indications: ['请介绍{name}的适应症。', '{name}能治什么？', '请介绍{name}的适应症。 '] } }));
    const out = await buildDataset({ knowledge: kb }, request({ templatesPath: file }));
    const examples = alpaca(out.train.content);
    const indications = examples.filter((e) => e.output.startsWith('阿莫西林的适应病症')).map((e) => e.instruction);
    expect(indications).toEqual(['请介绍阿莫西林的适应症。', '阿莫西林能治什么？']);
    expect(out.counts['kb:drug:indications']).toBe(6 * 2);
    // Six drugs record indications; the repeated phrasing (trailing space aside) is each one's duplicate.
    expect(out.duplicatesRemoved).toBe(6);
    expect(out.counts['kb:drug:contraindications']).toBe(6 * 3);
  });

  it('a templates file with an unknown field, a phrasing without {name} or an unknown slot is refused, naming the place', async () => {
    const refused = async (content: string) => {
      const error = await failure(buildDataset({ knowledge: kb }, request({ templatesPath: writeFile('mine.json', content) })));
      expect(error.code).toBe('IMPORT_INVALID');
      expect(error.message).toContain('模板文件 mine.json 有误');
      return error.message;
    };
    expect(await refused(JSON.stringify({ drug: { dosage: ['{name}怎么吃？'] } }))).toMatch(/drug有未知字段 dosage（可用：indications、contraindications、adverseReactions、interactions）/u);
    expect(await refused(JSON.stringify({ drugs: {} }))).toMatch(/顶层有未知字段 drugs（可用：drug、disease）/u);
    expect(await refused(JSON.stringify({ disease: { symptoms: ['{name}有什么症状？', '有什么症状？'] } }))).toMatch(/disease\.symptoms\[1\]“有什么症状？”缺少 \{name\}/u);
    expect(await refused(JSON.stringify({ drug: { interactions: ['{name}和{drug}能合用吗？'] } }))).toMatch(/drug\.interactions\[0\].*未知的占位符 \{drug\}/u);
    expect(await refused(JSON.stringify({ drug: { indications: [] } }))).toMatch(/drug\.indications 至少需要一个问法/u);
    expect(await refused('{"drug": ')).toMatch(/不是有效的 JSON/u);
  });

  it('splits by entity with a seed: the same seed the same files, another seed another split', async () => {
    const build = (seed: number) => buildDataset({ knowledge: kb }, request({ split: 0.5, seed }));
    const first = await build(11);
    expect(await build(11)).toEqual(first);
    const entities = (content: string) => new Set(alpaca(content).map((e) => LEAD.exec(e.output)![1]));
    const train = entities(first.train.content);
    const test = entities(first.test.content);
    expect([...train].filter((name) => test.has(name))).toEqual([]);
    // Nine entities, each on one side, both sides used.
    expect(train.size + test.size).toBe(9);
    expect(Math.min(train.size, test.size)).toBeGreaterThan(0);
    expect(first.test.fileName).toBe('instructions-alpaca-test.jsonl');
    const splits = await Promise.all([12, 13, 14].map(async (seed) => [...entities((await build(seed)).test.content)].sort().join()));
    expect(splits.some((s) => s !== [...test].sort().join())).toBe(true);
  });

  it('answers from two sources: the better-ranked source first, then what only the other adds, each with its source', async () => {
    const { kb: withHospital } = openFixtureKb();
    try {
      const file = writeFile('hospital.jsonl', jsonl([{ type: 'drug', name: '阿莫西林', dosageForms: ['胶囊'], indications: ['急性中耳炎', '社区获得性肺炎'] }]));
      const report = await withHospital.import({ path: file, format: 'jsonl', dryRun: false, source: '本院药学部', kind: 'hospital' });
      expect(report.committed).toBe(true);
      const hospital = withHospital.stats().sources.find((s) => s.label === '本院药学部')!;
      const out = await buildDataset({ knowledge: withHospital }, request());
      const answer = alpaca(out.train.content).find((e) => e.instruction === '阿莫西林的适应病症是什么？')!.output;
      expect(answer).toBe(`阿莫西林的适应病症包括：急性中耳炎、社区获得性肺炎。（来源：本院药学部，版本 ${hospital.version}）此外还有：上呼吸道感染。（来源：${STARTER_LABEL}，版本 ${version}）`);
    } finally {
      withHospital.close();
    }
  });

  it('reports progress up to the whole, and a cancel ends it with CANCELLED', async () => {
    const seen: Array<[number, number]> = [];
    await buildDataset({ knowledge: kb }, request({ onProgress: (done, total) => seen.push([done, total]) }));
    expect(seen.at(-1)).toEqual([9, 9]);
    expect(seen.every(([done], i) => i === 0 || done >= seen[i - 1]![0])).toBe(true);

    const abort = new AbortController();
    const error = await failure(buildDataset({ knowledge: kb }, request({ signal: abort.signal, onProgress: () => abort.abort() })));
    expect(error.code).toBe('CANCELLED');
  });
});

describe('instruction data from the shipped starter set', () => {
  let kb: KnowledgeService;
  beforeAll(() => {
    kb = KnowledgeService.open({ file: path.join(tempDir('xinglin-dataset-kb-'), 'knowledge.db'), starterDir: STARTER_DIR });
  });
  afterAll(() => kb.close());

  it('every answer lists exactly its entry’s facts of the asked field, ending with the source; no entity is on both sides of the split', async () => {
    const out = await buildDataset({ knowledge: kb }, request({ split: 0.9, seed: 7, format: 'sharegpt' }));
    const byName = new Map(kb.entries().map((ref) => [ref.name, kb.entry(ref.id)]));
    const version = kb.stats().sources[0]!.version;
    const sides = { train: new Set<string>(), test: new Set<string>() };
    const wrong: string[] = [];
    for (const side of ['train', 'test'] as const) {
      for (const line of lines(out[side].content)) {
        const [question, answer] = (line.conversations as Array<{ value: string }>).map((t) => t.value) as [string, string];
        const match = LEAD.exec(answer);
        if (!match) {
          wrong.push(`not an answer: ${answer}`);
          continue;
        }
        const [, name, lead, list, label, sourceVersion] = match as unknown as [string, string, string, string, string, string];
        if (!question.includes(name)) wrong.push(`question without its name: ${question} → ${name}`);
        if (label !== STARTER_LABEL || sourceVersion !== version) wrong.push(`source: ${answer}`);
        const facts = flattenFacts(byName.get(name)!, FIELDS_OF_LEAD[lead]!);
        // Every piece of the list is part of a fact, and every fact is in the list.
        for (const piece of list.split(/[；、]/u)) if (!facts.some((fact) => fact.includes(piece))) wrong.push(`not a fact of ${name}: ${piece}`);
        for (const fact of facts) if (!list.includes(fact)) wrong.push(`fact left out of ${name}: ${fact}`);
        sides[side].add(name);
      }
    }
    expect(wrong).toEqual([]);
    expect([...sides.train].filter((name) => sides.test.has(name))).toEqual([]);
    const entities = sides.train.size + sides.test.size;
    // Each entity's side is its own hash against 0.9: about nine in ten train.
    expect(sides.train.size / entities).toBeGreaterThan(0.85);
    expect(sides.train.size / entities).toBeLessThan(0.95);
    expect(Object.values(out.counts).every((n) => n > 0)).toBe(true);
  });
});
