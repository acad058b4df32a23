/**
 * What the knowledge base says about the medicines a consultation names, for the model's prompt: only
 * entries whose name, alias or brand is exactly the finding's (a near name is another drug).
 */
import { KB_FIELD_LABELS, type Finding, type KbFactValue, type KbField } from '../../../contract/index.js';
import { normalizeName, type KnowledgeService } from '../../knowledge/index.js';
import type { DrugFact } from './prompt.js';

const PROMPT_FIELDS: readonly KbField[] = ['indications', 'contraindications', 'dosage', 'allergyClass', 'interactions', 'specialPopulations'];
const MAX_DRUGS = 6;

export function drugFacts(knowledge: KnowledgeService, findings: readonly Finding[]): DrugFact[] {
  const drugs = [...new Set(findings.filter((f) => f.category === '药物' && f.status !== '阴性').map((f) => f.item))].slice(0, MAX_DRUGS);
  const facts: DrugFact[] = [];
  for (const drug of drugs) {
    const hit = knowledge.search(drug, 5).find((h) => h.type === 'drug' && knowledge.entry(h.id).names.some((n) => normalizeName(n.name) === normalizeName(drug)));
    if (!hit) continue;
    const entry = knowledge.entry(hit.id);
    for (const field of PROMPT_FIELDS) {
      const fact = entry.facts.find((f) => f.field === field);
      if (fact) facts.push({ drug: entry.name, field: KB_FIELD_LABELS[field], text: factText(fact.value) });
    }
  }
  return facts;
}

function factText(value: KbFactValue): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : `${v.with}：${v.effect}`)).join('；');
  return Object.entries(value).map(([k, v]) => `${k}：${v}`).join('；');
}
