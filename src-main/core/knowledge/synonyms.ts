import fs from 'node:fs';
import { XinglinError } from '../../contract/index.js';
import { lookupForm } from './names.js';

/**
 * The synonym table (starter/synonyms.tsv): names that mean exactly one condition or drug
 * (非胰岛素依赖型糖尿病 = 2型糖尿病), each with where the pairing comes from. Data, not code: the
 * pharmacy edits it. Tab-separated with no quoting, so it is read line by line: a CSV library
 * would add nothing.
 */
export const SYNONYM_SOURCES = ['ICD-10', 'label', 'clinical', 'colloquial'] as const;
export type SynonymSource = (typeof SYNONYM_SOURCES)[number];

export interface Synonym {
  term: string;
  preferred: string;
  source: SynonymSource;
  line: number;
}

const HEADER = 'term\tpreferred\tsource';

/**
 * Reads and checks the table: every line three fields with a known source, each term once, and
 * no term that is itself a preferred name (a chain or a cycle). The first problem is an error
 * naming its line.
 */
export function readSynonyms(file: string): Synonym[] {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/u);
  const fail = (line: number, message: string): never => {
    throw new XinglinError('STARTER_INVALID', `同义词表 ${file} 第 ${line} 行：${message}`, { file, line });
  };
  if (lines[0]?.replace(/^\uFEFF/u, '') !== HEADER) fail(1, `表头应为“${HEADER.replaceAll('\t', '⇥')}”`);
  const synonyms: Synonym[] = [];
  const byTerm = new Map<string, Synonym>();
  lines.forEach((text, i) => {
    if (i === 0 || !text.trim() || text.startsWith('#')) return;
    const line = i + 1;
    const fields = text.split('\t').map((f) => f.trim());
    if (fields.length !== 3 || fields.some((f) => !f)) fail(line, '需要三列：同义词、首选名称、来源，以制表符分隔');
    const [term, preferred, source] = fields as [string, string, string];
    if (!(SYNONYM_SOURCES as readonly string[]).includes(source)) fail(line, `来源“${source}”无效（可用：${SYNONYM_SOURCES.join('、')}）`);
    if (lookupForm(term) === lookupForm(preferred)) fail(line, `「${term}」与首选名称相同`);
    const earlier = byTerm.get(lookupForm(term));
    if (earlier) fail(line, `「${term}」已在第 ${earlier.line} 行定义为「${earlier.preferred}」的同义词`);
    const synonym = { term, preferred, source: source as SynonymSource, line };
    byTerm.set(lookupForm(term), synonym);
    synonyms.push(synonym);
  });
  for (const synonym of synonyms) {
    const chained = byTerm.get(lookupForm(synonym.preferred));
    if (chained) fail(chained.line, `「${chained.term}」既是同义词又是第 ${synonym.line} 行的首选名称（同义词不能成链或成环）`);
  }
  return synonyms;
}
