import { KB_FIELD_LABELS, type KbCitation, type KbEntry, type KbFactValue, type KbField, type KbInteraction } from '../../../contract/index.js';
import { fieldsFor } from './intent.js';
import { normalizeName } from '../names.js';
import type { Retrieval } from './recognize.js';
import type { Substance } from '../substances.js';

/** One cited sentence: what one source says about one field of one entry. */
export interface Statement {
  citation: KbCitation;
  text: string;
}

export interface Statements {
  statements: Statement[];
  /** Sentences about what the base does not record, or how a class was read; never cited facts. */
  notes: string[];
}

/** The groups a question names (孕妇, 儿童 …), as the keys of 特殊人群用药 and 用法用量 write them. */
const POPULATIONS: ReadonlyArray<[string, RegExp]> = [
  ['孕妇', /孕妇|妊娠|怀孕|孕期/u],
  ['哺乳期', /哺乳|喂奶|母乳/u],
  ['儿童', /儿童|小孩|小儿|婴幼儿|婴儿|新生儿|孩子/u],
  ['老年人', /老年|老人/u],
  ['肝功能不全', /肝功能不全|肝功能损害|肝损|肝硬化/u],
  ['肾功能不全', /肾功能不全|肾功能损害|肾衰|肾损|透析/u],
];

/** Members of a class shown one by one; the rest are named in a note. */
const MAX_CLASS_MEMBERS_SHOWN = 6;

/**
 * The facts that answer the question, one statement per (entry, field, source), the hospital's
 * sources first, for every intent the question asks; and a note for each asked point the base does
 * not record. Shared by knowledge mode (the answer itself) and LLM mode (the numbered context).
 */
export function statementsFor(retrieval: Retrieval): Statements {
  const statements: Statement[] = [];
  const notes: string[] = classNotes(retrieval);
  const seen = new Set<string>();
  const add = (statement: Statement): void => {
    const key = `${statement.citation.id}\u0000${statement.citation.field}\u0000${statement.citation.source}`;
    if (!seen.has(key)) statements.push(statement);
    seen.add(key);
  };
  const missing: Array<{ entry: KbEntry; fields: KbField[] }> = [];
  const groups = POPULATIONS.filter(([, re]) => re.test(retrieval.question)).map(([group]) => group);
  for (const intent of retrieval.intents) {
    if (intent === 'interactions' && interactionQuestion(retrieval)) {
      const found = interactions(retrieval);
      found.statements.forEach(add);
      notes.push(...found.notes);
      continue;
    }
    for (const entry of shown(retrieval)) {
      const fields = fieldsFor(entry.type, intent);
      // 儿童能用吗, 肾功能不全怎么调整: of a per-group fact, only the groups asked about.
      const facts = fields.flatMap((field) => entry.facts.filter((f) => f.field === field)).map((fact) => ({ ...fact, value: forGroups(fact.value, groups) }));
      const stated = facts.filter((fact) => !isEmpty(fact.value));
      for (const fact of stated) add(statement(entry, fact.field, fact.source.label, fact.value));
      if (fields.length > 0 && stated.length === 0 && intent !== 'overview') {
        missing.push({ entry, fields });
        if (facts.length > 0) notes.push(`知识库中“${entry.name}”条目没有记载${groups.join('、')}的${fields.map((f) => KB_FIELD_LABELS[f]).join('、')}。`);
      }
    }
  }
  for (const { entry, fields } of missing.filter((m) => !m.entry.facts.some((f) => m.fields.includes(f.field)))) {
    const known = statements.length === 0 ? [...new Set(entry.facts.map((f) => KB_FIELD_LABELS[f.field]))] : [];
    notes.push(`知识库中“${entry.name}”条目没有记载${fields.map((f) => KB_FIELD_LABELS[f]).join('、')}${known.length ? `（已记载：${known.join('、')}）` : ''}。`);
  }
  return { statements, notes };
}

/** Entries answered one by one: those named, and the first members of a named class. */
function shown(retrieval: Retrieval): KbEntry[] {
  const byClass = new Set(retrieval.classes.flatMap((c) => c.ids.slice(MAX_CLASS_MEMBERS_SHOWN)));
  return retrieval.entries.filter((e) => !byClass.has(e.id));
}

/** How a class in the question was read: 头孢 → the cephalosporins the base holds. */
function classNotes(retrieval: Retrieval): string[] {
  const names = new Map(retrieval.entries.map((e) => [e.id, e.name]));
  return retrieval.classes.map(({ term, ids }) => {
    const members = ids.map((id) => names.get(id)).filter(Boolean);
    const rest = members.length > MAX_CLASS_MEMBERS_SHOWN ? `等 ${members.length} 种` : '';
    return `「${term}」按药品类别理解，知识库中属于这一类的有：${members.slice(0, 12).join('、')}${rest}。`;
  });
}

/** An interaction question about drugs: with each other, with a substance (酒), or everything one records. */
function interactionQuestion(retrieval: Retrieval): boolean {
  return retrieval.entries.some((e) => e.type === 'drug');
}

/**
 * 华法林和阿司匹林能否同服, 头孢和酒能一起吃吗: the interactions each drug's entries record with the
 * other drugs or substances named. What is not recorded is said, with the reminder that it is not
 * proof of safety.
 */
function interactions(retrieval: Retrieval): Statements {
  const drugs = retrieval.entries.filter((e) => e.type === 'drug');
  const statements: Statement[] = [];
  const notes: string[] = [];
  const partners = (drug: KbEntry): Array<(item: KbInteraction) => boolean> => [
    ...retrieval.substances.map((s) => (item: KbInteraction) => s.partner.test(item.with)),
    ...drugs.filter((d) => d !== drug && !sameClassMention(retrieval, d, drug)).map((other) => (item: KbInteraction) => concerns(item, other)),
  ];
  const without: string[] = [];
  for (const drug of drugs) {
    const tests = partners(drug);
    if (tests.length === 0) {
      // One drug and nothing else named: everything it records.
      for (const fact of drug.facts) if (fact.field === 'interactions') statements.push(statement(drug, 'interactions', fact.source.label, fact.value));
      continue;
    }
    let found = false;
    for (const fact of drug.facts) {
      if (fact.field !== 'interactions') continue;
      const items = (fact.value as KbInteraction[]).filter((item) => tests.some((test) => test(item)));
      if (items.length) statements.push(statement(drug, 'interactions', fact.source.label, items));
      found ||= items.length > 0;
    }
    if (!found) without.push(drug.name);
  }
  const named = retrieval.substances.map((s: Substance) => s.name);
  if (without.length > 0 && (named.length > 0 || drugs.length >= 2)) {
    const withWhat = named.length ? `与${named.join('、')}` : '之间';
    notes.push(`知识库未记载${without.join('、')}${withWhat}的相互作用（未记载不等于可以同用，请查阅说明书）。`);
  }
  return { statements, notes };
}

/** Two members of one class named as a class are not each other's partners. */
function sameClassMention(retrieval: Retrieval, a: KbEntry, b: KbEntry): boolean {
  return retrieval.classes.some(({ ids }) => ids.includes(a.id) && ids.includes(b.id));
}

function statement(entry: KbEntry, field: KbCitation['field'], source: string, value: KbFactValue): Statement {
  return { citation: { id: entry.id, name: entry.name, field, source }, text: `${entry.name}的${KB_FIELD_LABELS[field]}：${render(value)}` };
}

/** Whether an interaction's partner ("华法林", "非甾体抗炎药") denotes the other drug or its class. */
function concerns(item: KbInteraction, other: KbEntry): boolean {
  const partner = normalizeName(item.with);
  if (partner.length < 2) return false;
  const names = [other.name, ...other.names.map((n) => n.name)];
  for (const fact of other.facts) if (fact.field === 'class' || fact.field === 'category' || fact.field === 'allergyClass') names.push(...(Array.isArray(fact.value) ? fact.value.map(String) : [String(fact.value)]));
  return names.map(normalizeName).some((n) => n.length >= 2 && (n.includes(partner) || partner.includes(n)));
}

/** A per-group fact (孕妇 → …) cut to the groups asked about; other values, or no groups asked, as they are. */
function forGroups(value: KbFactValue, groups: readonly string[]): KbFactValue {
  if (groups.length === 0 || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([group]) => groups.includes(group)));
}

function isEmpty(value: KbFactValue): boolean {
  return typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;
}

function render(value: KbFactValue): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const items = value.map((v) => (typeof v === 'string' ? v : `与${v.with}：${v.effect}`));
    // 、 lists short items; items that are sentences themselves are kept apart with ；.
    return items.join(items.some((i) => /[，,、；;]/u.test(i)) || typeof value[0] !== 'string' ? '；' : '、');
  }
  return Object.entries(value).map(([who, text]) => `${who}：${text.replace(/[。；;\s]+$/u, '')}`).join('；');
}

