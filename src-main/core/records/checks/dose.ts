import { KB_FIELD_LABELS, type RecordWarning } from '../../../contract/index.js';
import { groupsOf } from './entry-facts.js';
import type { Patient } from './populations.js';
import type { DrugMention } from './reading.js';
import { normalText } from './text.js';
import { cited, drugWarning } from './warning.js';

/**
 * 剂量与途径: a planned order's dose and route against what the entry's dosage states, where it
 * states them. A dose is over when it exceeds the highest single or daily amount the entry gives
 * in the same unit (per kg where the record gives the weight); a route is outside when the entry
 * names its routes and not this one, or forbids it (不得静脉使用).
 */

type Family = 'mass' | 'volume' | 'unit' | `count:${string}`;
interface Amount {
  value: number;
  family: Family;
  perKg: boolean;
  daily: boolean;
  /** Stated as a limit (极量, 最大, 不超过), not as a usual dose. */
  limit: boolean;
  /** As written. */
  said: string;
}

const UNITS: ReadonlyArray<[RegExp, Family | 'count', number]> = [
  [/^(?:万单位|万u|万iu)/u, 'unit', 10_000],
  [/^(?:mg|毫克)/u, 'mass', 1],
  [/^(?:μg|ug|mcg|微克)/u, 'mass', 0.001],
  [/^(?:g|克)(?![a-z])/u, 'mass', 1000],
  [/^(?:ml|毫升)/u, 'volume', 1],
  [/^(?:iu|u|单位)(?![a-z])/u, 'unit', 1],
  [/^(?:片|粒|丸|袋|支|滴|喷|揿|贴)/u, 'count', 1],
];
const NUMBER = /(\d+(?:\.\d+)?)(?:[~\-至—–](\d+(?:\.\d+)?))?/gu;
const DAILY = /一日|每日|日剂量|一天|每天|日总量|日量|全日|\/日|\/d(?![a-z])/u;
const SINGLE = /一次|每次|单次|\/次/u;
const LIMIT = /极量|最大|最高|不超过|不得超过|不宜超过|最多/u;
/** Rates and strengths are no dose (肌酐清除率30ml/min, 1000mg/m2 by body surface, 0.625g/片). */
const NOT_A_DOSE = /^\/(?:min|h|小时|分|m2|l|100ml|片|粒|支|袋|瓶)|^%/u;

function amounts(text: string): Amount[] {
  const out: Amount[] = [];
  let from = 0;
  for (const m of text.matchAll(NUMBER)) {
    const end = m.index + m[0].length;
    const unit = UNITS.find(([re]) => re.test(text.slice(end)));
    if (!unit) continue;
    const unitText = unit[0].exec(text.slice(end))![0];
    const after = text.slice(end + unitText.length);
    // The words since the previous amount or the clause's start (normal form: NFKC makes ，； into ,;).
    const clauseStart = Math.max(...[',', ';', '。'].map((p) => text.lastIndexOf(p, m.index) + 1));
    const context = text.slice(Math.max(from, clauseStart), m.index);
    from = end + unitText.length;
    if (NOT_A_DOSE.test(after)) continue;
    const perKg = /^\/kg/u.test(after) || /按体重/u.test(context);
    const dailyAt = context.search(DAILY);
    const singleAt = context.search(SINGLE);
    const daily = (dailyAt >= 0 && dailyAt > singleAt) || /^\/(?:日|d(?![a-z]))/u.test(after) || /^[^,;。]{0,4}分\d/u.test(after);
    const value = Number(m[2] ?? m[1]) * unit[2];
    const limit = LIMIT.test(context);
    out.push({ value, family: unit[1] === 'count' ? `count:${unitText}` : unit[1], perKg, daily, limit, said: text.slice(m.index, end + unitText.length) });
  }
  return out;
}

const FREQUENCIES: ReadonlyArray<[RegExp, (m: RegExpExecArray) => number]> = [
  [/(?<![a-z])qd(?![a-z])|(?<![a-z])qn(?![a-z])|每晚/u, () => 1],
  [/(?<![a-z])bid(?![a-z])/u, () => 2],
  [/(?<![a-z])tid(?![a-z])/u, () => 3],
  [/(?<![a-z])qid(?![a-z])/u, () => 4],
  [/(?<![a-z])q(\d{1,2})h(?![a-z])|每(\d{1,2})小时(?:一|1)次/u, (m) => 24 / Number(m[1] ?? m[2])],
  [/(?:每日|一日|每天|一天)([一二两三四五六\d])次|(\d)次\/(?:日|天|d)/u, (m) => chineseDigit(m[1] ?? m[2]!)],
];

function chineseDigit(d: string): number {
  return '一二三四五六'.indexOf(d) >= 0 ? '一二三四五六'.indexOf(d) + 1 : d === '两' ? 2 : Number(d);
}

function frequency(order: string): number | null {
  for (const [re, count] of FREQUENCIES) {
    const m = re.exec(order);
    if (m) return count(m);
  }
  return null;
}

const ROUTES: ReadonlyArray<[string, RegExp]> = [
  ['口服', /口服|(?<![a-z])po(?![a-z])|吞服|嚼服|顿服/u],
  ['静脉', /静脉|静滴|静推|(?<![a-z])iv(?:_?gtt)?(?![a-z])/u],
  ['肌内注射', /肌内|肌肉注射|肌注|(?<![a-z])im(?![a-z])/u],
  ['皮下注射', /皮下|(?<![a-z])(?:ih|sc)(?![a-z])/u],
  ['注射', /(?<!静脉|肌内|肌肉|皮下)注射/u],
  ['外用', /外用|外涂|涂于|涂抹|涂患处/u],
  ['吸入', /吸入|雾化/u],
  ['舌下', /舌下/u],
  ['直肠', /直肠|塞肛|肛塞|纳肛|灌肠/u],
  ['阴道', /阴道/u],
  ['滴眼', /滴眼|点眼|眼用|结膜囊/u],
];
/** An injection stated without its kind covers the kinds of injection. */
const INJECTIONS = new Set(['静脉', '肌内注射', '皮下注射']);
const FORBIDDING = /(?:不得|禁止|严禁|不可|不能|不宜|勿)(?:用于)?$/u;

function routesIn(text: string): { allowed: Set<string>; forbidden: Set<string> } {
  const allowed = new Set<string>();
  const forbidden = new Set<string>();
  for (const [route, re] of ROUTES) {
    for (const m of text.matchAll(new RegExp(re.source, 'gu'))) (FORBIDDING.test(text.slice(Math.max(0, m.index - 4), m.index)) ? forbidden : allowed).add(route);
  }
  return { allowed, forbidden };
}

function plannedRoute(order: string): string | null {
  let first: [string, number] | null = null;
  for (const [route, re] of ROUTES) {
    const m = re.exec(order);
    if (m && (!first || m.index < first[1])) first = [route, m.index];
  }
  return first?.[0] ?? null;
}

interface Limits {
  /** The highest single amount stated, and whether one is stated as a limit. */
  single: number | null;
  singleIsLimit: boolean;
  daily: number | null;
}

function limits(text: string, family: Family, weightKg: number | null): Limits {
  const out: Limits = { single: null, singleIsLimit: false, daily: null };
  for (const a of amounts(text)) {
    if (a.family !== family || (a.perKg && (weightKg === null || a.family !== 'mass'))) continue;
    const value = a.perKg ? a.value * weightKg! : a.value;
    if (a.daily) out.daily = Math.max(out.daily ?? 0, value);
    else {
      out.single = Math.max(out.single ?? 0, value);
      out.singleIsLimit ||= a.limit;
    }
  }
  return out;
}

/**
 * What the planned dose exceeds, if anything: a single amount stated as a limit; the daily amount
 * where the entry gives one (its usual single doses are starting doses, not limits); the highest
 * single amount where it gives no daily one or the order no frequency.
 */
function exceeded(single: number | null, daily: number | null, bound: Limits): [string, number] | null {
  const over = (value: number | null, max: number | null): boolean => value !== null && max !== null && value > max * EPSILON;
  if (over(single, bound.single) && (bound.singleIsLimit || bound.daily === null || daily === null)) return ['单次剂量', single! / bound.single!];
  if (over(daily, bound.daily)) return ['日剂量', daily! / bound.daily!];
  if (daily === null && over(single, bound.daily)) return ['单次剂量', single! / bound.daily!];
  return null;
}

const EPSILON = 1.0001;
/** Twice the highest stated dose is no rounding: an error to resolve before signing. */
const DANGEROUS_RATIO = 2;

export function doseWarnings(planned: DrugMention[], patient: Patient): RecordWarning[] {
  const out: RecordWarning[] = [];
  const child = patient.populations.has('儿童');
  for (const drug of planned) {
    const dosage = groupsOf(drug.entry, 'dosage');
    const group = child && dosage['儿童'] ? '儿童' : '成人';
    const stated = dosage[group];
    if (!stated) continue;
    const text = normalText(stated);
    const label = `${KB_FIELD_LABELS.dosage}（${group}）`;
    const order = drug.order.slice(drug.said.length);

    const route = plannedRoute(order);
    const routes = routesIn(normalText(Object.values(dosage).join('。')));
    const covered = route !== null && (routes.allowed.has(route) || (INJECTIONS.has(route) && routes.allowed.has('注射')) || (route === '注射' && [...INJECTIONS].some((r) => routes.allowed.has(r))));
    if (route && routes.forbidden.has(route)) {
      out.push(drugWarning('dose', 'error', `给药途径：拟${route}使用${drug.said}，知识库禁止此途径（${cited(drug.entry, label, stated)}）`, drug.entry, 'dosage', stated, [drug.said]));
      continue;
    }
    if (route && routes.allowed.size > 0 && !covered) {
      out.push(drugWarning('dose', 'warning', `给药途径：拟${route}使用${drug.said}，知识库所述途径为${[...routes.allowed].join('、')}（${cited(drug.entry, label, stated)}）`, drug.entry, 'dosage', stated, [drug.said]));
      continue;
    }

    const dose = amounts(order).find((a) => !a.perKg);
    if (!dose) continue;
    let bound = limits(text, dose.family, patient.weightKg);
    // A child's dose is never above the adult's: where the children's text states no amount in this unit, the adult's bounds it.
    if (group === '儿童' && bound.single === null && bound.daily === null) bound = limits(normalText(dosage['成人'] ?? ''), dose.family, null);
    const times = frequency(order);
    const single = dose.daily ? null : dose.value;
    const daily = dose.daily ? dose.value : times !== null ? dose.value * times : null;
    const over = exceeded(single, daily, bound);
    if (!over) continue;
    out.push(drugWarning('dose', over[1] > DANGEROUS_RATIO ? 'error' : 'warning', `剂量：拟用${drug.said}${order.replace(/_/gu, ' ')}，${over[0]}超过知识库所述（${cited(drug.entry, label, stated)}）`, drug.entry, 'dosage', stated, [drug.said]));
  }
  return out;
}
