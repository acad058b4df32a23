import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FindingCategory, XinglinError } from '../../../contract/index.js';

/**
 * The findings vocabulary: standard terms (胸痛, 心电图, 阿司匹林 …) with the words patients and
 * doctors use for them, kept as data (vocabulary/*.tsv) so a department can extend it without code.
 * A line is `category⇥term⇥synonyms`, synonyms separated by `|`. A synonym starting with `!` names
 * the item as abnormal or absent (失眠 for 睡眠, 纳差 for 饮食): spoken plainly it is a 阴性 finding.
 */

/** Bumped when the extraction rules change, so the version of a draft's findings changes with them. */
export const EXTRACTOR_REVISION = 'findings-2';

const HEADER = 'category\tterm\tsynonyms';

export interface VocabularyEntry {
  category: FindingCategory;
  term: string;
}

/** One surface form as the matcher reads it (lookup form), with every entry it can stand for. */
export interface VocabularyForm {
  form: string;
  entries: { entry: VocabularyEntry; abnormal: boolean }[];
}

export interface ExtraTerm {
  category: FindingCategory;
  term: string;
  synonyms: string[];
}

export interface Vocabulary {
  /** A short digest of the extractor's revision and every term it knows. */
  readonly version: string;
  readonly entries: readonly VocabularyEntry[];
  /** Forms by their first character, longest first: the matcher's index. */
  readonly byFirstChar: ReadonlyMap<string, readonly VocabularyForm[]>;
  /** The same vocabulary with more terms (the knowledge base's drug names); forms it already has are kept as they are. */
  withTerms(extra: readonly ExtraTerm[]): Vocabulary;
}

/** NFKC (full-width → ordinary), lowercase, no spaces: how text and forms are compared. */
export const lookupForm = (text: string): string => text.normalize('NFKC').toLowerCase().replace(/\s+/gu, '');

interface Line {
  category: FindingCategory;
  term: string;
  forms: { form: string; abnormal: boolean }[];
}

/** The folder of the data files: beside this module from source, beside the bundle (findings-vocabulary) when built. */
export function defaultVocabularyDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const source = path.join(here, 'vocabulary');
  return fs.existsSync(source) ? source : path.join(here, 'findings-vocabulary');
}

/** Reads and checks every `*.tsv` of the folder; the first problem is an error naming its file and line. */
export function loadVocabulary(dir: string = defaultVocabularyDir()): Vocabulary {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.tsv')).sort() : [];
  if (files.length === 0) throw new XinglinError('STARTER_INVALID', `病历词表缺失：${dir} 中没有 .tsv 文件，请重新安装`, { file: dir, line: 0 });
  const hash = createHash('sha256').update(EXTRACTOR_REVISION);
  const lines: Line[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    hash.update(`\u0000${file}\u0000`).update(text);
    readFile(file, text, lines, seen);
  }
  return build(lines, hash.digest('hex').slice(0, 12));
}

function readFile(file: string, text: string, out: Line[], seen: Map<string, string>): void {
  const rows = text.split(/\r?\n/u);
  const fail = (line: number, message: string): never => {
    throw new XinglinError('STARTER_INVALID', `病历词表 ${file} 第 ${line} 行：${message}`, { file, line });
  };
  if (rows[0]?.replace(/^\uFEFF/u, '') !== HEADER) fail(1, `表头应为“${HEADER.replaceAll('\t', '⇥')}”`);
  rows.forEach((row, i) => {
    if (i === 0 || !row.trim() || row.startsWith('#')) return;
    const line = i + 1;
    const fields = row.split('\t').map((f) => f.trim());
    if (fields.length < 2 || fields.length > 3) fail(line, '需要三列：类别、标准名称、同义词（以 | 分隔），以制表符分隔');
    const [category, term, synonyms = ''] = fields as [string, string, string?];
    const parsedCategory = FindingCategory.safeParse(category);
    if (!parsedCategory.success) fail(line, `类别“${category}”无效（可用：${FindingCategory.options.join('、')}）`);
    if (!term || term.includes('|') || term.startsWith('!')) fail(line, '标准名称为空或含有 | 或以 ! 开头');
    const forms = [{ form: lookupForm(term), abnormal: false }];
    for (const raw of synonyms.split('|')) {
      if (!raw.trim() && synonyms.trim()) fail(line, '同义词之间有空项（连续的 |）');
      if (!raw.trim()) continue;
      const abnormal = raw.startsWith('!');
      const form = lookupForm(abnormal ? raw.slice(1) : raw);
      if (!form) fail(line, '“!”后缺少同义词');
      forms.push({ form, abnormal });
    }
    for (const { form } of forms) {
      const key = `${category}\u0000${form}`;
      const earlier = seen.get(key);
      if (earlier) fail(line, `「${form}」在类别“${category}”中已出现（${earlier}）`);
      seen.set(key, `${file} 第 ${line} 行`);
    }
    out.push({ category: parsedCategory.data as FindingCategory, term, forms });
  });
}

function build(lines: readonly Line[], version: string): Vocabulary {
  const entries: VocabularyEntry[] = [];
  const byForm = new Map<string, VocabularyForm>();
  for (const line of lines) {
    const entry = { category: line.category, term: line.term };
    entries.push(entry);
    for (const { form, abnormal } of line.forms) {
      const known = byForm.get(form) ?? { form, entries: [] };
      if (known.entries.some((e) => e.entry.category === entry.category)) continue;
      known.entries.push({ entry, abnormal });
      byForm.set(form, known);
    }
  }
  const byFirstChar = new Map<string, VocabularyForm[]>();
  for (const form of byForm.values()) {
    const first = String.fromCodePoint(form.form.codePointAt(0) ?? 0);
    byFirstChar.set(first, [...(byFirstChar.get(first) ?? []), form]);
  }
  for (const forms of byFirstChar.values()) forms.sort((a, b) => b.form.length - a.form.length);
  return {
    version,
    entries,
    byFirstChar,
    withTerms(extra) {
      const added: Line[] = extra
        .map((x) => ({
          category: x.category,
          term: x.term.trim(),
          forms: [x.term, ...x.synonyms].map((s) => ({ form: lookupForm(s), abnormal: false })).filter((f) => f.form),
        }))
        .filter((x) => x.term && x.forms.length > 0);
      const digest = createHash('sha256').update(version);
      for (const x of added) digest.update(`\u0000${x.category}\u0000${x.forms.map((f) => f.form).join('|')}`);
      return build([...lines, ...added], digest.digest('hex').slice(0, 12));
    },
  };
}
