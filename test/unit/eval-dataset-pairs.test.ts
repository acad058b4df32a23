/**
 * The hospital's own material in instruction data: question–answer pairs (JSONL) and signed
 * records, with phone and ID numbers and listed names taken out, and doses and dates left alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KnowledgeService } from '../../src-main/core/knowledge/index.js';
import { buildDataset, RECORD_INSTRUCTION, type DatasetRequest } from '../../src-main/core/eval/dataset/index.js';
import { failure } from '../helpers/errors.js';
import { tempDir } from '../helpers/env.js';
import { jsonl, openFixtureKb } from '../integration/knowledge-fixture.js';

type Alpaca = { instruction: string; input: string; output: string };
const request = (change: Partial<DatasetRequest> = {}): DatasetRequest => ({ format: 'alpaca', split: 1, seed: 1, records: false, ...change });
const examples = (content: string) => content.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Alpaca);

function writeFile(name: string, content: string): string {
  const file = path.join(tempDir('xinglin-dataset-'), name);
  fs.writeFileSync(file, content);
  return file;
}

describe('question–answer pairs and signed records in instruction data', () => {
  let kb: KnowledgeService;
  beforeAll(() => {
    kb = openFixtureKb().kb;
  });
  afterAll(() => kb.close());

  /** The built examples that did not come from the knowledge base. */
  const own = async (change: Partial<DatasetRequest>) => {
    const out = await buildDataset({ knowledge: kb }, request(change));
    return { out, examples: examples(out.train.content).filter((e) => !e.output.includes('（来源：')) };
  };

  it('takes both shapes of pair, removes phone and ID numbers and listed names, and leaves doses, dates and readings', async () => {
    const qa = writeFile('qa.jsonl', jsonl([
      { question: '张三丰，电话13812345678，身份证11010519491231002X，咳嗽三天能吃阿莫西林吗？', answer: '可以，阿莫西林一次0.5g、0.25 g/次均见于说明书，每日3次；2024-03-15复诊，请拨010-62345678或0755 1234567。' },
      { instruction: '复诊提醒', input: '李四 手机 +86 139-1234-5678，上次就诊 20240315，血压130/85mmHg，体温38.5℃', output: '请李四于2024年3月15日前复诊，住院号A123456。' },
    ]));
    const names = writeFile('names.txt', '张三丰\n\n李四\n张三\n');
    const { out, examples: pairs } = await own({ qaPath: qa, namesPath: names });
    expect(pairs).toEqual([
      {
        instruction: '【姓名】，电话【电话】，身份证【身份证号】，咳嗽三天能吃阿莫西林吗？',
        input: '',
        output: '可以，阿莫西林一次0.5g、0.25 g/次均见于说明书，每日3次；2024-03-15复诊，请拨【电话】或【电话】。',
      },
      { instruction: '复诊提醒', input: '【姓名】 手机 【电话】，上次就诊 20240315，血压130/85mmHg，体温38.5℃', output: '请【姓名】于2024年3月15日前复诊，住院号A123456。' },
    ]);
    expect(out.redactions).toBe(8);
    expect(out.counts.qa).toBe(2);
  });

  it('without a names file only the numbers go; a repeated pair (whitespace aside) is removed and counted', async () => {
    const qa = writeFile('qa.jsonl', [
      JSON.stringify({ question: '王五 的电话是 15912345678', answer: '已记录' }),
      JSON.stringify({ question: '王五  的电话是 15912345678 ', answer: '已记录' }),
      '',
      JSON.stringify({ question: '高血压怎么挂号', answer: '心血管内科' }),
    ].join('\n'));
    const { out, examples: pairs } = await own({ qaPath: qa });
    expect(pairs.map((p) => p.instruction)).toEqual(['王五 的电话是 【电话】', '高血压怎么挂号']);
    expect(out).toMatchObject({ duplicatesRemoved: 1, redactions: 1 });
    expect(out.counts.qa).toBe(2);
  });

  it('a pair file with malformed lines is refused whole, naming the first ten lines', async () => {
    const good = JSON.stringify({ question: '问', answer: '答' });
    const qa = writeFile('bad.jsonl', [good, '{"question": "缺少答案"', good, JSON.stringify({ question: '只有问题' }), JSON.stringify({ question: '', answer: '空问题' })].join('\n'));
    const error = await failure(buildDataset({ knowledge: kb }, request({ qaPath: qa })));
    expect(error.code).toBe('IMPORT_INVALID');
    expect(error.message).toMatch(/问答文件 bad\.jsonl 有 3 行格式有误，未生成任何数据：第 2 行不是有效的 JSON；第 4 行需要非空的 "question" 与 "answer"[^；]*；第 5 行/u);
    expect(error.details).toMatchObject({ file: 'bad.jsonl', lines: '2,4,5', count: 3 });

    const many = writeFile('many.jsonl', Array.from({ length: 12 }, (_, i) => (i === 0 ? good : `not json ${i}`)).join('\n'));
    const more = await failure(buildDataset({ knowledge: kb }, request({ qaPath: many })));
    expect(more.details).toMatchObject({ lines: '2,3,4,5,6,7,8,9,10,11', count: 11 });
    expect(more.message).not.toContain('第 12 行');
    expect(more.message).toMatch(/有 11 行.*；……$/u);

    expect((await failure(buildDataset({ knowledge: kb }, request({ qaPath: writeFile('empty.jsonl', '\n\n') })))).message).toContain('没有问答对');
  });

  it('a names file with a one-character name is refused: it would take that character out of every text', async () => {
    const error = await failure(buildDataset({ knowledge: kb }, request({ qaPath: writeFile('qa.jsonl', jsonl([{ question: '问', answer: '答' }])), namesPath: writeFile('names.txt', '张三\n李\n') })));
    expect(error.code).toBe('IMPORT_INVALID');
    expect(error.message).toMatch(/姓名表 names\.txt 有 1 行无法使用.*第 2 行“李”只有一个字/u);
  });

  it('signed records become drafting examples, de-identified, only when asked for', async () => {
    const signed = () => [
      { dialogue: '医生：您好，请问怎么称呼？\n患者：我叫赵六，手机13698765432。头痛两天。', record: '主诉：头痛2天。\n现病史：患者赵六2天前出现头痛。' },
      { dialogue: '  ', record: '无对话的病历不作为例子' },
    ];
    const names = writeFile('names.txt', '赵六\n');
    const { out, examples: records } = await own({ records: true, namesPath: names });
    const sources = { knowledge: kb, signedRecords: signed };
    expect(records).toEqual([]);
    expect(out.counts.records).toBe(0);

    const withRecords = await buildDataset(sources, request({ records: true, namesPath: names }));
    expect(examples(withRecords.train.content).filter((e) => e.instruction === RECORD_INSTRUCTION)).toEqual([
      { instruction: RECORD_INSTRUCTION, input: '医生：您好，请问怎么称呼？\n患者：我叫【姓名】，手机【电话】。头痛两天。', output: '主诉：头痛2天。\n现病史：患者【姓名】2天前出现头痛。' },
    ]);
    expect(withRecords.counts.records).toBe(1);
    expect(withRecords.redactions).toBe(3);

    const without = await buildDataset(sources, request());
    expect(examples(without.train.content).some((e) => e.instruction === RECORD_INSTRUCTION)).toBe(false);
    expect(without.counts).not.toHaveProperty('records');
  });

  it('pairs and records are groups of their own in the split, and ShareGPT puts a record’s dialogue under its instruction', async () => {
    const qa = writeFile('qa.jsonl', jsonl(Array.from({ length: 20 }, (_, i) => ({ question: `问题${i}`, answer: `回答${i}` }))));
    const signed = () => [{ dialogue: '患者：咳嗽。', record: '主诉：咳嗽。' }];
    const out = await buildDataset({ knowledge: kb, signedRecords: signed }, request({ qaPath: qa, records: true, split: 0.5, seed: 3, format: 'sharegpt' }));
    const humans = (content: string) => content.split('\n').filter(Boolean).map((line) => JSON.parse(line).conversations[0].value as string);
    const questions = (content: string) => humans(content).filter((q) => q.startsWith('问题'));
    // 9 entities, 20 pairs and a record: 30 groups, 15 on each side; the pairs fall on both.
    expect(questions(out.train.content).length).toBeGreaterThan(0);
    expect(questions(out.test.content).length).toBeGreaterThan(0);
    expect(questions(out.train.content).length + questions(out.test.content).length).toBe(20);
    expect([...humans(out.train.content), ...humans(out.test.content)]).toContain(`${RECORD_INSTRUCTION}\n\n患者：咳嗽。`);
  });
});
