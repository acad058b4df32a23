import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XinglinError } from '../../src-main/contract/index.js';
import { KnowledgeService, readSynonyms, SYNONYM_SOURCES } from '../../src-main/core/knowledge/index.js';
import { silentLog, type LogEvent, type Logger } from '../../src-main/core/log.js';
import { STARTER_DIR } from '../helpers/env.js';

const shipped = path.join(STARTER_DIR, 'synonyms.tsv');
const temp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-synonyms-'));

function table(lines: string[]): string {
  const file = path.join(temp(), 'synonyms.tsv');
  fs.writeFileSync(file, ['term\tpreferred\tsource', ...lines].join('\n'));
  return file;
}

function failure(file: string): XinglinError {
  try {
    readSynonyms(file);
  } catch (error) {
    return error as XinglinError;
  }
  throw new Error('expected the table to be refused');
}

describe('knowledge: the synonym table', () => {
  it('ships at least 300 exact pairs, each with its source kind', () => {
    const synonyms = readSynonyms(shipped);
    expect(synonyms.length).toBeGreaterThanOrEqual(300);
    expect(new Set(synonyms.map((s) => s.source))).toEqual(new Set(SYNONYM_SOURCES));
    expect(synonyms).toEqual(expect.arrayContaining([
      expect.objectContaining({ term: '非胰岛素依赖型糖尿病', preferred: '2型糖尿病' }),
      expect.objectContaining({ term: '原发性高血压', preferred: '高血压' }),
      expect.objectContaining({ term: '戒烟', preferred: '烟草依赖' }),
      expect.objectContaining({ term: 'HIV-1感染', preferred: '人免疫缺陷病毒感染' }),
    ]));
  });

  it('refuses a chain or cycle, a term given twice, an unknown source and a wrong header, naming the line', () => {
    const cycle = failure(table(['甲病\t乙病\tclinical', '乙病\t甲病\tclinical']));
    expect(cycle).toMatchObject({ code: 'STARTER_INVALID' });
    expect(cycle.message).toMatch(/第 [23] 行：「[甲乙]病」既是同义词又是第 [23] 行的首选名称/);
    expect(failure(table(['甲病\t乙病\tclinical', '甲病\t丙病\tICD-10'])).message).toMatch(/第 3 行：「甲病」已在第 2 行定义为「乙病」的同义词/);
    expect(failure(table(['甲病\t乙病\tblog'])).message).toMatch(/第 2 行：来源“blog”无效/);
    expect(failure(table(['甲病\t乙病'])).message).toMatch(/第 2 行：需要三列/);
    const header = path.join(temp(), 'synonyms.tsv');
    fs.writeFileSync(header, '同义词,首选\n甲病,乙病\n');
    expect(failure(header).message).toMatch(/第 1 行：表头应为/);
  });
});

describe('knowledge: synonyms in answers', () => {
  let kb: KnowledgeService;
  beforeAll(() => {
    kb = KnowledgeService.open({ file: path.join(temp(), 'knowledge.db'), starterDir: STARTER_DIR });
  });
  afterAll(() => kb.close());

  it('finds a condition under its synonym, as exactly as under its name', () => {
    const byName = kb.ask('心房颤动挂什么科');
    const bySynonym = kb.ask('心房纤颤挂什么科');
    expect(bySynonym.entities).toEqual(byName.entities);
    expect(bySynonym).toMatchObject({ grounded: true, support: 'knowledge' });
  });

  it('a broken table leaves the base as it is: the app opens and names still resolve', () => {
    const starter = temp();
    for (const file of fs.readdirSync(STARTER_DIR).filter((f) => f.endsWith('.jsonl'))) fs.copyFileSync(path.join(STARTER_DIR, file), path.join(starter, file));
    fs.writeFileSync(path.join(starter, 'synonyms.tsv'), 'term\tpreferred\tsource\n甲病\t乙病\tclinical\n乙病\t甲病\tclinical\n');
    const errors: LogEvent[] = [];
    const log: Logger = { ...silentLog, error: (event) => errors.push(event) };
    const broken = KnowledgeService.open({ file: path.join(temp(), 'knowledge.db'), starterDir: starter, log });
    expect(broken.ask('心房颤动挂什么科').grounded).toBe(true);
    expect(broken.ask('心房纤颤挂什么科').grounded).toBe(false);
    broken.close();
    // The log names what failed and where, never the table's words.
    expect(errors).toEqual([{ event: 'kb.synonyms.failed', code: 'STARTER_INVALID', line: 3 }]);
  });
});
