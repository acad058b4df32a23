import type { CriteriaCase, CriteriaKind, KbEntityType, KbEntry, KbEntryRef, KbField } from '../../../contract/index.js';
import { flattenFact, linkedName, type KnowledgeService } from '../../knowledge/index.js';
import { trainsOn } from '../dataset/split.js';
import { seededRandom, shuffle } from '../random.js';

/**
 * QiZhen's questions, word for word where QiZhen has one (its evaluation asked `{药品}的适应病症`
 * of 94 drugs and `哪些药物能治疗{疾病}?`, `{疾病}需要做哪些检查?`, `{疾病}的临床表现有哪些?` of
 * 100 diseases); contraindications are ours, in the same style. The gold items are the entry's
 * facts for the field, as every source of the base records them.
 */
const KINDS: Record<CriteriaKind, { type: KbEntityType; field: KbField; ask: (name: string) => string }> = {
  'drug-indication': { type: 'drug', field: 'indications', ask: (name) => `${name}的适应病症` },
  'drug-contraindication': { type: 'drug', field: 'contraindications', ask: (name) => `${name}的禁忌有哪些?` },
  'disease-symptom': { type: 'disease', field: 'symptoms', ask: (name) => `${name}的临床表现有哪些?` },
  'disease-exam': { type: 'disease', field: 'examinations', ask: (name) => `${name}需要做哪些检查?` },
  'disease-drug': { type: 'disease', field: 'drugs', ask: (name) => `哪些药物能治疗${name}?` },
};

/** The gold items of one field of an entry: every source's items, once each; a disease's drug without its route note. */
function goldOf(entry: KbEntry, field: KbField): string[] {
  const items = entry.facts.filter((fact) => fact.field === field).flatMap((fact) => flattenFact(fact.value));
  return [...new Set(items.map((item) => (field === 'drugs' ? linkedName(item) : item)))];
}

export interface MadeSet {
  cases: CriteriaCase[];
  /** Per kind: how many entries could have been asked (those with the field), and how many were. */
  drawn: Partial<Record<CriteriaKind, { available: number; asked: number }>>;
}

/**
 * `sample` entries per kind, drawn with `seed` from the entries that record the kind's field (and,
 * with `heldOutOf`, that an instruction-data build with that split and seed kept for testing), in a
 * stable order (by name) before the draw, so one base, seed and sample give one set.
 */
export function makeCriteriaSet(
  knowledge: Pick<KnowledgeService, 'entries' | 'entry'>,
  kinds: readonly CriteriaKind[],
  sample: number,
  seed: number,
  heldOutOf?: { split: number; seed: number },
): MadeSet {
  const byType = new Map<KbEntityType, KbEntryRef[]>();
  for (const ref of knowledge.entries()) {
    // An entry the instruction data trained on would measure memory, not the adapter.
    if (heldOutOf && trainsOn(ref.id, heldOutOf.split, heldOutOf.seed)) continue;
    byType.set(ref.type, [...(byType.get(ref.type) ?? []), ref]);
  }
  const cases: CriteriaCase[] = [];
  const drawn: MadeSet['drawn'] = {};
  const random = seededRandom(seed);
  for (const kind of kinds) {
    const { type, field, ask } = KINDS[kind];
    const candidates = (byType.get(type) ?? [])
      .slice()
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1))
      .map((ref) => ({ ref, gold: goldOf(knowledge.entry(ref.id), field) }))
      .filter(({ gold }) => gold.length > 0);
    const chosen = shuffle(candidates, random).slice(0, sample);
    drawn[kind] = { available: candidates.length, asked: chosen.length };
    for (const { ref, gold } of chosen) cases.push({ id: `${kind}:${ref.name}`, instruction: ask(ref.name), gold, kind });
  }
  return { cases, drawn };
}
