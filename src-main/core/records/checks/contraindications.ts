import { KB_FIELD_LABELS, type KbEntry, type RecordWarning } from '../../../contract/index.js';
import { lookupForm } from '../../knowledge/index.js';
import { groupsOf, listOf } from './entry-facts.js';
import { childrenReached, elderlyReached, formatAge, POPULATIONS, pregnancyReached, type Patient, type Population } from './populations.js';
import type { DrugMention, Names, RecordReading } from './reading.js';
import { namesMedicine } from './partners.js';
import { affirmed, normalText } from './text.js';
import { cited, drugWarning } from './warning.js';

/**
 * 禁忌 and 特殊人群: each planned medicine's contraindications read against the conditions the
 * record affirms (诊断, 既往史, 现病史), the other medicines, and the patient's special
 * populations; then its specialPopulations sentences that restrict use for a population the
 * patient belongs to.
 */

/** Qualifiers around a condition in a contraindication: 严重|肝功能不全|者, 活动性|消化性溃疡. */
const QUALIFIER_BEFORE = /^(?:严重的?|重度|中重度|重症(?!肌)|活动性|急性发作期的?|未控制的?|未经控制的|既往有|伴有|患有|有)/u;
const QUALIFIER_AFTER = /(?:患者|个人史|病史|史|者|发作时|发作期|期间|时)$/u;
/** A part of a contraindication that is not the patient's condition (a family history, the drug itself). */
const NO_CONDITION = /家族|本品/u;
/** Contraindications that rest on another medicine: 正在使用利福平, 与阿利吉仑合用. */
const WITH_DRUG = /使用|服用|合用|联用|应用|治疗/u;

/** Whether a specialPopulations sentence restricts use, and how strongly; null where it allows it (可以使用, 无需调整). */
function restriction(sentence: string): 'error' | 'warning' | null {
  const cleared = sentence.replace(/(?:无需|不需|无须|不必|一般无需|通常无需)(?:调整|减量|减少)[^，。；]*/gu, '');
  if (/禁用|禁止|禁忌|不得使用|不可使用/u.test(cleared)) return 'error';
  if (/不推荐|避免|不宜|慎用|减量|减少剂量|调整剂量|剂量调整|延长给药间隔|停止哺乳|暂停哺乳|不建议|不应|应停药/u.test(cleared)) return 'warning';
  return null;
}

function reached(population: Population, words: string, patient: Patient): boolean {
  if (population === '儿童') return childrenReached(words, patient);
  if (population === '老年') return elderlyReached(words, patient);
  if (!patient.populations.has(population)) return false;
  return population === '妊娠' ? pregnancyReached(words, patient) : true;
}

const DEGREE = /^[一二三四\dⅰⅱⅲⅳ]+度/u;

function conditionParts(item: string): string[] {
  const base = normalText(item.replace(/[（(][^（）()]*[）)]/gu, ''));
  const parts = base.split(/或|及|、|和|伴/u);
  // 二度或三度房室传导阻滞: a degree alone takes the condition of the part after it.
  const whole = parts.map((part, i) => (DEGREE.test(part) && part.replace(DEGREE, '') === '' ? part + (parts[i + 1] ?? '').replace(DEGREE, '') : part));
  return whole.map((part) => {
    let core = part;
    for (let again = true; again; ) {
      const next = core.replace(QUALIFIER_BEFORE, '').replace(QUALIFIER_AFTER, '');
      again = next !== core;
      core = next;
    }
    return core;
  }).filter((core) => core.length >= 2 && !NO_CONDITION.test(core));
}

function populationLabel(population: Population, patient: Patient): string {
  return patient.populations.get(population) ?? (patient.ageYears !== null ? formatAge(patient.ageYears) : population);
}

export function contraindicationWarnings(reading: RecordReading, names: Names): RecordWarning[] {
  const out: RecordWarning[] = [];
  const { planned, current, conditions, diseases, patient } = reading;
  const others = (drug: DrugMention): DrugMention[] => [...planned, ...current].filter((d) => d.entry.id !== drug.entry.id);

  for (const drug of planned) {
    const warned = new Set<Population>();
    const contra = (kind: 'contraindication' | 'specialPopulation', what: string, quote: string, drugs: string[]): void => {
      out.push(drugWarning(kind, 'error', `${kind === 'contraindication' ? '禁忌' : '特殊人群禁忌'}：${what}，拟用${drug.said}（${cited(drug.entry, KB_FIELD_LABELS.contraindications, quote)}）`, drug.entry, 'contraindications', quote, drugs));
    };
    for (const item of listOf(drug.entry, 'contraindications')) {
      if (/过敏|皮肤试验阳性/u.test(item)) continue;
      const populations = (Object.keys(POPULATIONS) as Population[]).filter((p) => POPULATIONS[p].entry.test(item));
      if (populations.length > 0) {
        for (const p of populations) {
          if (warned.has(p) || !reached(p, item, patient)) continue;
          warned.add(p);
          contra('specialPopulation', `记录示${populationLabel(p, patient)}`, item, [drug.said]);
        }
        continue;
      }
      const norm = normalText(item);
      if (WITH_DRUG.test(item)) {
        const other = others(drug).find((d) => namesMedicine(item, d.entry, names));
        if (other) {
          contra('contraindication', `记录中有${other.said}`, item, [drug.said, other.said]);
          continue;
        }
      }
      const part = conditionParts(item).find((core) => conditions.some((clause) => affirmed(clause, core)));
      const disease = part ? undefined : diseases.find((d) => namesOf(d.entry).some((n) => n.length >= 2 && norm.includes(n)));
      if (part || disease) contra('contraindication', `记录示${part ?? disease!.entry.name}`, item, [drug.said]);
    }
    const sentences = groupsOf(drug.entry, 'specialPopulations');
    for (const p of Object.keys(POPULATIONS) as Population[]) {
      const sentence = sentences[POPULATIONS[p].key];
      if (warned.has(p) || !sentence) continue;
      // Each part of the sentence says its own (妊娠30周起禁用，妊娠早、中期应尽量避免): the strongest part that reaches the patient counts.
      const levels = sentence.split(/[，；。,;]/u).filter((part) => reached(p, part, patient)).map(restriction);
      const severity = levels.includes('error') ? 'error' : levels.includes('warning') ? 'warning' : null;
      if (!severity) continue;
      warned.add(p);
      out.push(drugWarning('specialPopulation', severity, `特殊人群：记录示${populationLabel(p, patient)}，拟用${drug.said}（${cited(drug.entry, `${KB_FIELD_LABELS.specialPopulations}（${POPULATIONS[p].key}）`, sentence)}）`, drug.entry, 'specialPopulations', sentence, [drug.said]));
    }
  }
  return out;
}

function namesOf(entry: KbEntry): string[] {
  return [entry.name, ...entry.names.map((n) => n.name)].map(lookupForm);
}
