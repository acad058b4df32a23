import { affirmed, clauses } from './text.js';

/**
 * The special populations of pharmacy review: how a record states them, and how an entry's
 * contraindications and specialPopulations (FORMAT.md keys) name them.
 */
export type Population = '妊娠' | '哺乳' | '儿童' | '老年' | '肝功能不全' | '肾功能不全';

interface PopulationWords {
  /** The entry's specialPopulations key. */
  key: string;
  /** How a record states it (in normal form, see text.ts). */
  record: RegExp;
  /** How an entry's contraindication names it. */
  entry: RegExp;
}

export const POPULATIONS: Record<Population, PopulationWords> = {
  妊娠: { key: '孕妇', record: /妊娠|孕妇|怀孕|孕期|早孕|孕\d+(?:\+\d)?周|宫内孕|停经\d+周/u, entry: /孕妇|妊娠|孕期|怀孕/u },
  哺乳: { key: '哺乳期', record: /哺乳|母乳喂养/u, entry: /哺乳/u },
  儿童: { key: '儿童', record: /患儿|小儿|婴儿|幼儿|新生儿|早产儿|儿童/u, entry: /儿童|小儿|婴幼儿|婴儿|新生儿|早产儿|未成年|\d+岁以下|青少年/u },
  老年: { key: '老年人', record: /老年/u, entry: /老年|\d+岁以上/u },
  肝功能不全: {
    key: '肝功能不全',
    record: /肝功能(?:不全|异常|损害|受损|衰竭|减退|障碍)|肝硬化|肝衰竭|(?:转氨酶|alt|ast)(?:升高|增高|异常)|肝损害|肝损伤|肝病/u,
    entry: /肝功能不全|肝功能损害|肝功能障碍|肝损害|肝脏疾病|肝病|肝衰竭|肝硬化|转氨酶/u,
  },
  肾功能不全: {
    key: '肾功能不全',
    record: /肾功能(?:不全|异常|损害|受损|衰竭|减退|障碍)|肾衰|尿毒症|肌酐(?:升高|增高|异常)|透析|慢性肾脏病|慢性肾病|ckd|egfr(?:下降|降低)|肾小球滤过率(?:下降|降低)/u,
    entry: /肾功能不全|肾功能损害|肾功能障碍|肾衰竭|肾功能衰竭|肾脏疾病|肌酐清除率|egfr/iu,
  },
};

/** Ages at which the record's patient is a child or elderly, where it gives no words for it. */
const CHILD_BELOW = 14;
const ELDERLY_FROM = 65;
const NEWBORN_BELOW = 28 / 365;
const INFANT_BELOW = 3;

/** What the record states about the patient that pharmacy review weighs. */
export interface Patient {
  /** Each population the record states, with the clause that states it. */
  populations: Map<Population, string>;
  ageYears: number | null;
  pregnancyWeeks: number | null;
  weightKg: number | null;
}

const AGE = /(\d{1,3})(?:岁|周岁)(?!以|前|后|时|起|开始)/u;
const AGE_MONTHS = /(?:年龄[:：]?|月龄)(\d{1,2})个?月|(\d{1,2})个?月(?:龄|大)/u;
const AGE_DAYS = /(?:生后|出生|日龄)(\d{1,2})天|(\d{1,2})天(?:龄|新生儿)/u;
const WEEKS = /(?:妊娠|孕)(\d{1,2})(?:\+\d)?周|停经(\d{1,2})周/u;
const WEIGHT = /体重[:：]?(\d{1,3}(?:\.\d+)?)kg/u;

function firstNumber(texts: string[], re: RegExp): number | null {
  for (const text of texts) {
    const m = re.exec(text);
    const n = m?.slice(1).find((g) => g !== undefined);
    if (n !== undefined) return Number(n);
  }
  return null;
}

/** The patient as the record's text (every section but the plan, in normal form) states them. */
export function readPatient(texts: string[]): Patient {
  const days = firstNumber(texts, AGE_DAYS);
  const months = firstNumber(texts, AGE_MONTHS);
  const years = firstNumber(texts, AGE);
  const ageYears = days !== null ? days / 365 : months !== null ? months / 12 : years;
  const populations = new Map<Population, string>();
  for (const text of texts) {
    for (const clause of clauses(text)) {
      for (const [population, words] of Object.entries(POPULATIONS) as Array<[Population, PopulationWords]>) {
        const m = words.record.exec(clause);
        if (m && !populations.has(population) && affirmed(clause, m[0])) populations.set(population, clause);
      }
    }
  }
  if (ageYears !== null && ageYears < CHILD_BELOW && !populations.has('儿童')) populations.set('儿童', formatAge(ageYears));
  if (ageYears !== null && ageYears >= ELDERLY_FROM && !populations.has('老年')) populations.set('老年', formatAge(ageYears));
  return { populations, ageYears, pregnancyWeeks: firstNumber(texts, WEEKS), weightKg: firstNumber(texts, WEIGHT) };
}

export function formatAge(years: number): string {
  if (years >= 1) return `${Math.floor(years)}岁`;
  return years * 12 >= 1 ? `${Math.floor(years * 12)}个月` : `${Math.round(years * 365)}天`;
}

/**
 * Whether an entry's words about children reach this patient: an age limit it states
 * (12岁以下, 6岁以上), newborns and infants by their ages, children otherwise.
 */
export function childrenReached(words: string, patient: Patient): boolean {
  const age = patient.ageYears;
  const stated = patient.populations.get('儿童') ?? '';
  const below = /(\d+)岁以下|不满(\d+)岁|小于(\d+)岁|<(\d+)岁/u.exec(words);
  if (below) return age !== null ? age < Number(below.slice(1).find((g) => g !== undefined)) : stated !== '';
  const above = /(\d+)岁以上/u.exec(words);
  if (above && /儿童|小儿/u.test(words)) return age !== null && age >= Number(above[1]) && age < CHILD_BELOW;
  if (/儿童|小儿|未成年|青少年/u.test(words)) return stated !== '';
  if (/婴幼儿|婴儿/u.test(words)) return age !== null ? age < INFANT_BELOW : /婴|新生儿|早产儿/u.test(stated);
  if (/新生儿|早产儿/u.test(words)) return age !== null ? age < NEWBORN_BELOW : /新生儿|早产儿/u.test(stated);
  return false;
}

/** Whether an entry's words about the elderly reach this patient (65岁以上 by the age, 老年 by being elderly). */
export function elderlyReached(words: string, patient: Patient): boolean {
  const above = /(\d+)岁以上/u.exec(words);
  if (above && patient.ageYears !== null) return patient.ageYears >= Number(above[1]);
  return patient.populations.has('老年');
}

const TRIMESTERS: ReadonlyArray<[RegExp, number, number]> = [
  [/妊娠早|孕早|妊娠初|前3个月|头3个月/u, 0, 13],
  [/中期/u, 14, 27],
  [/妊娠晚|孕晚|妊娠后期|妊娠末期|后3个月|最后3个月/u, 28, 45],
];

/**
 * Whether an entry's words about pregnancy reach this pregnancy: from or until a week they name
 * (妊娠30周及以上), the trimesters they name (妊娠早、中期), all of it otherwise — and all of it
 * when the record gives no week.
 */
export function pregnancyReached(words: string, patient: Patient): boolean {
  const weeks = patient.pregnancyWeeks;
  if (weeks === null) return true;
  const from = /(\d+)周(?:及以上|以上|起|后|以后)/u.exec(words);
  if (from) return weeks >= Number(from[1]);
  const until = /(\d+)周(?:以前|以内|前|以下)/u.exec(words);
  if (until) return weeks <= Number(until[1]);
  const named = TRIMESTERS.filter(([re]) => re.test(words));
  return named.length === 0 || named.some(([, first, last]) => weeks >= first && weeks <= last);
}
