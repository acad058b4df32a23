/**
 * What the knowledge base says about the medicines a consultation names, for the model's prompt: the
 * entries the base recognises exactly by name, alias or brand (a near name is another drug; a class
 * such as 头孢 names no one entry).
 */
import { KB_FIELD_LABELS, type Finding, type KbFactValue, type KbField } from '../../../contract/index.js';
import type { KnowledgeService } from '../../knowledge/index.js';
import type { DrugFact } from './prompt.js';

const PROMPT_FIELDS: readonly KbField[] = ['indications', 'contraindications', 'dosage', 'allergyClass', 'interactions', 'specialPopulations'];
const MAX_DRUGS = 6;

export function drugFacts(knowledge: KnowledgeService, findings: readonly Finding[]): DrugFact[] {
  const drugs = [...new Set(findings.filter((f) => f.category === '药物' && f.status !== '阴性').map((f) => f.item))];
  if (drugs.length === 0) return [];
  const retrieval = knowledge.retrieve(drugs.join('，'));
  const named = new Set(retrieval.entities.filter((e) => e.matchedBy !== 'class').map((e) => e.id));
  const entries = retrieval.entries.filter((e) => e.type === 'drug' && named.has(e.id)).slice(0, MAX_DRUGS);
  return entries.flatMap((entry) =>
    PROMPT_FIELDS.flatMap((field) => {
      const fact = entry.facts.find((f) => f.field === field);
      return fact ? [{ drug: entry.name, field: KB_FIELD_LABELS[field], text: factText(fact.value) }] : [];
    }),
  );
}

function factText(value: KbFactValue): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : `${v.with}：${v.effect}`)).join('；');
  return Object.entries(value).map(([k, v]) => `${k}：${v}`).join('；');
}
