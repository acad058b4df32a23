import type { KbEntityType, KbEntry, KbFact, KbFactValue, KbField, KbImportError, KbInteraction, KbSourceKind } from '$contract';
import type { MessageKey } from '../i18n/index.js';

/** How each entity type's facts are laid out: what a doctor looks for first comes first. */
export const FIELD_ORDER: Readonly<Record<KbEntityType, readonly KbField[]>> = {
  drug: ['category', 'class', 'controlled', 'dosageForms', 'indications', 'indicationNotes', 'dosage', 'contraindications', 'cautions', 'adverseReactions', 'interactions', 'allergyClass', 'specialPopulations'],
  disease: ['departments', 'symptoms', 'examinations', 'treatments', 'drugs', 'otherDrugs', 'differentials'],
};

/** The i18n key of a fact field's readable label. */
export function fieldKey(field: KbField): MessageKey {
  return `kb.field.${field}` as const;
}

export function typeKey(type: KbEntityType): MessageKey {
  return `kb.type.${type}` as const;
}

/** The i18n key of a source's kind: the starter set (pending review) or what the hospital imported. */
export function kindKey(kind: KbSourceKind): MessageKey {
  return `kb.kind.${kind}` as const;
}

export interface FactGroup {
  field: KbField;
  /** In the order the host sent them: the hospital's own sources before the starter set. */
  facts: KbFact[];
}

/** The facts grouped by field, fields in `FIELD_ORDER`, anything else after in order of appearance. */
export function groupFacts(entry: Pick<KbEntry, 'type' | 'facts'>): FactGroup[] {
  const byField = new Map<KbField, KbFact[]>();
  for (const fact of entry.facts) {
    const list = byField.get(fact.field);
    if (list) list.push(fact);
    else byField.set(fact.field, [fact]);
  }
  const order = FIELD_ORDER[entry.type] ?? [];
  const fields = [...order.filter((f) => byField.has(f)), ...[...byField.keys()].filter((f) => !order.includes(f))];
  return fields.map((field) => ({ field, facts: byField.get(field) ?? [] }));
}

/** What a fact's value looks like on screen. */
export type FactView =
  | { kind: 'text'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'interactions'; items: KbInteraction[] }
  | { kind: 'record'; items: Array<[string, string]> };

export function viewOf(value: KbFactValue): FactView {
  if (typeof value === 'string') return { kind: 'text', text: value };
  if (Array.isArray(value)) {
    if (value.every((item): item is string => typeof item === 'string')) return { kind: 'list', items: value };
    return { kind: 'interactions', items: value.filter((item): item is KbInteraction => typeof item === 'object' && item !== null) };
  }
  return { kind: 'record', items: Object.entries(value) };
}

/** The entry's other names: aliases and brands, each once, without the entry's own name. */
export function otherNames(entry: Pick<KbEntry, 'name' | 'names'>): { aliases: string[]; brands: string[] } {
  const seen = new Set([entry.name]);
  const aliases: string[] = [];
  const brands: string[] = [];
  for (const { name, kind } of entry.names) {
    if (kind === 'name' || seen.has(name)) continue;
    seen.add(name);
    (kind === 'brand' ? brands : aliases).push(name);
  }
  return { aliases, brands };
}

/** An import error's message without its leading "第 N 行：", which the UI shows apart (and translated). */
export function errorMessage(error: KbImportError): string {
  return error.message.replace(/^第\s*\d+\s*行[：:]\s*/, '');
}
