import type { KbCitation, KbEntry, KbFactValue, KbInteraction } from '../../contract/index.js';
import { fieldsFor } from './intent.js';
import { normalizeName } from './names.js';
import { FIELD_LABELS } from './record.js';
import type { Retrieval } from './recognize.js';

/** One cited sentence: what one source says about one field of one entry. */
export interface Statement {
  citation: KbCitation;
  text: string;
}

export interface Statements {
  statements: Statement[];
  /** A sentence about what the base does not record (a pair of drugs with no interaction on file). */
  note?: string;
}

/**
 * The facts that answer the question, one statement per (entry, field, source), the hospital's
 * sources first. Shared by knowledge mode (the answer itself) and LLM mode (the numbered context).
 */
export function statementsFor(retrieval: Retrieval): Statements {
  const drugs = retrieval.entries.filter((e) => e.type === 'drug');
  if (retrieval.intent === 'interactions' && drugs.length >= 2) return pairwise(drugs);
  const statements: Statement[] = [];
  for (const entry of retrieval.entries) {
    for (const field of fieldsFor(entry.type, retrieval.intent)) {
      for (const fact of entry.facts) if (fact.field === field) statements.push(statement(entry, field, fact.source.label, fact.value));
    }
  }
  return { statements };
}

function statement(entry: KbEntry, field: KbCitation['field'], source: string, value: KbFactValue): Statement {
  return { citation: { id: entry.id, name: entry.name, field, source }, text: `${entry.name}的${FIELD_LABELS[field]}：${render(value)}` };
}

/** 华法林和阿司匹林能否同服: the interactions each drug's entries record with the other. */
function pairwise(drugs: KbEntry[]): Statements {
  const statements: Statement[] = [];
  for (const drug of drugs) {
    const others = drugs.filter((d) => d !== drug);
    for (const fact of drug.facts) {
      if (fact.field !== 'interactions') continue;
      const items = (fact.value as KbInteraction[]).filter((i) => others.some((o) => concerns(i, o)));
      if (items.length) statements.push(statement(drug, 'interactions', fact.source.label, items));
    }
  }
  if (statements.length) return { statements };
  const all = drugs.flatMap((d) => d.facts.filter((f) => f.field === 'interactions').map((f) => statement(d, 'interactions', f.source.label, f.value)));
  return { statements: all, note: `知识库未记载${drugs.map((d) => d.name).join('与')}之间的相互作用。` };
}

/** Whether an interaction's partner ("华法林", "非甾体抗炎药") denotes the other drug or its class. */
function concerns(item: KbInteraction, other: KbEntry): boolean {
  const partner = normalizeName(item.with);
  if (partner.length < 2) return false;
  const names = [other.name, ...other.names.map((n) => n.name)];
  for (const fact of other.facts) if (fact.field === 'class' || fact.field === 'category' || fact.field === 'allergyClass') names.push(String(fact.value));
  return names.map(normalizeName).some((n) => n.length >= 2 && (n.includes(partner) || partner.includes(n)));
}

function render(value: KbFactValue): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const items = value.map((v) => (typeof v === 'string' ? v : `与${v.with}：${v.effect}`));
    // 、 lists short items; items that are sentences themselves are kept apart with ；.
    return items.join(items.some((i) => /[，,、；;]/u.test(i)) || typeof value[0] !== 'string' ? '；' : '、');
  }
  return Object.entries(value).map(([who, text]) => `${who}：${text}`).join('；');
}
