import type { Finding, KbEntry, RecordSection } from '../../../contract/index.js';
import type { KnowledgeService, Retrieval } from '../../knowledge/index.js';
import { readPatient, type Patient } from './populations.js';
import { clauses, denied, normalText, stopped } from './text.js';

/**
 * What pharmacy review reads from a record: the medicines planned (处理意见) and taken now, the
 * allergies, the conditions (诊断, 既往史, 现病史), and the patient's special populations. Names
 * are recognised by the knowledge base, exactly (a near name is never a medicine of the record).
 */

export interface DrugMention {
  entry: KbEntry;
  /** As the record writes it (normal form). */
  said: string;
  /** For a planned medicine: its order, from its name to the next medicine's (dose, route, frequency). */
  order: string;
}

export interface Allergy {
  /** The clause stating it (normal form). */
  said: string;
  /** The medicines it names. */
  drugs: KbEntry[];
  /** The classes it names (头孢 → the cephalosporins' ids). */
  classes: Array<{ term: string; ids: string[] }>;
}

export interface RecordReading {
  planned: DrugMention[];
  current: DrugMention[];
  allergies: Allergy[];
  /** Clauses of the diagnosis and history sections (normal form), where conditions are stated or denied. */
  conditions: string[];
  /** Diseases of the base the record affirms, with the clause that does. */
  diseases: Array<{ entry: KbEntry; clause: string }>;
  patient: Patient;
}

const PLAN = ['plan'];
const CONDITIONS = ['diagnosis', 'pastHistory', 'presentIllness', 'history', 'personalHistory'];
/** Where a record says what the patient takes now. */
const MEDICATION_HISTORY = ['presentIllness', 'pastHistory', 'history', 'personalHistory'];
/** Clauses about an allergy, or a past use (曾服用), are no current medication. */
const NOT_CURRENT = /过敏|皮试|曾/u;
const ALLERGY = /过敏|皮试阳性|皮肤试验阳性/u;
const ALLERGY_WORDS = /过敏史|过敏反应|过敏|皮试阳性|皮肤试验阳性|(?<=^|曾|既往|有|均)对(?!乙酰)/gu;
/** An order of the plan: numbered items (1. 2、 (3)), sentences and lines. */
const ORDER_BREAK = /[。；;\n]|(?<![\d.])\d{1,2}[、)](?=\D)|(?<![\d.])\d{1,2}\.(?=\p{Script=Han})|\(\d{1,2}\)/u;

/** A section's words as the checks read them: normal form, a sentence per line (the editor joins them with the contract's `sectionText`). */
const wordsOf = (section: RecordSection): string => normalText(section.sentences.map((s) => s.text).join('\n'));

/** Recognition through the knowledge base, once per text. */
class Names {
  readonly #seen = new Map<string, Retrieval>();
  constructor(private readonly kb: KnowledgeService) {}

  retrieve(text: string): Retrieval {
    let found = this.#seen.get(text);
    if (!found) this.#seen.set(text, (found = this.kb.retrieve(text)));
    return found;
  }

  /** The entries the text names by their own names (not as members of a class), where it names them. */
  named(text: string, type: KbEntry['type']): Array<{ entry: KbEntry; start: number; end: number; said: string }> {
    const retrieval = this.retrieve(text);
    const out: Array<{ entry: KbEntry; start: number; end: number; said: string }> = [];
    for (const entity of retrieval.entities) {
      const entry = retrieval.entries.find((e) => e.id === entity.id);
      if (!entry || entity.matchedBy === 'class' || entry.type !== type) continue;
      for (let at = text.indexOf(entity.surface); at >= 0; at = text.indexOf(entity.surface, at + 1)) out.push({ entry, start: at, end: at + entity.surface.length, said: entity.surface });
    }
    return out.sort((a, b) => a.start - b.start);
  }
}

export function readRecord(sections: RecordSection[], findings: Finding[], kb: KnowledgeService): RecordReading & { names: Names } {
  const names = new Names(kb);
  const textOf = (keys: string[]): string[] => keys.flatMap((k) => sections.filter((s) => s.key === k)).map(wordsOf).filter((t) => t.length > 0);

  const planned: DrugMention[] = [];
  for (const order of textOf(PLAN).flatMap((t) => t.split(ORDER_BREAK)).filter((o) => o.length > 0)) {
    const found = names.named(order, 'drug');
    found.forEach((m, i) => {
      if (stopped(order, m.start) || denied(order, m.start, m.end)) return;
      planned.push({ entry: m.entry, said: m.said, order: order.slice(m.start, found[i + 1]?.start ?? order.length) });
    });
  }
  const plannedIds = new Set(planned.map((p) => p.entry.id));

  const current: DrugMention[] = [];
  const addCurrent = (entry: KbEntry, said: string): void => {
    if (!plannedIds.has(entry.id) && !current.some((c) => c.entry.id === entry.id)) current.push({ entry, said, order: '' });
  };
  for (const clause of textOf(MEDICATION_HISTORY).flatMap(clauses)) {
    if (NOT_CURRENT.test(clause)) continue;
    for (const m of names.named(clause, 'drug')) if (!denied(clause, m.start, m.end) && !stopped(clause, m.start)) addCurrent(m.entry, m.said);
  }
  for (const finding of findings) {
    if (finding.category !== '药物' || finding.status !== '阳性') continue;
    for (const m of names.named(normalText(finding.item), 'drug')) addCurrent(m.entry, m.said);
  }

  const allergyClauses = [
    ...textOf(['allergyHistory']).flatMap(clauses),
    ...textOf(MEDICATION_HISTORY).flatMap(clauses).filter((c) => ALLERGY.test(c)),
    ...findings.filter((f) => f.category === '过敏' && f.status === '阳性').map((f) => normalText(f.item)),
  ];
  const allergies = allergyClauses.map((said): Allergy => {
    // 对头孢类药物过敏: the words of allergy set apart, the class stands as a mention of its own (same offsets).
    const masked = said.replace(ALLERGY_WORDS, (w) => '，'.repeat(w.length));
    const drugs = names.named(masked, 'drug').filter((m) => !denied(said, m.start, m.end)).map((m) => m.entry);
    const classes = names.retrieve(masked).classes.filter((c) => {
      const at = masked.indexOf(c.term);
      return at < 0 || !denied(said, at, at + c.term.length);
    });
    return { said, drugs, classes };
  });

  const conditions = textOf(CONDITIONS).flatMap(clauses);
  const diseases = conditions.flatMap((clause) => names.named(clause, 'disease').filter((m) => !denied(clause, m.start, m.end)).map((m) => ({ entry: m.entry, clause })));

  const patient = readPatient(sections.filter((s) => s.key !== 'plan').map(wordsOf));
  return { planned, current, allergies, conditions, diseases, patient, names };
}

export type { Names };
