import type { RecordKind, RecordSection, RecordWarning, WarningKind } from '../../../contract/index.js';

/**
 * The record's form (病历书写基本规范): 主诉 names a symptom and its duration in a few words,
 * 现病史 tells more than the 主诉, the sections of the kind are there and filled, and every
 * drafted sentence rests on the dialogue.
 */

export const MAX_CHIEF_COMPLAINT_CHARS = 20;
/** The sections each kind must have, whatever the template (the template may require more). */
const REQUIRED: Record<RecordKind, Array<[string, string]>> = {
  初诊: [['chiefComplaint', '主诉'], ['presentIllness', '现病史'], ['pastHistory', '既往史'], ['allergyHistory', '过敏史'], ['physicalExam', '体格检查'], ['diagnosis', '初步诊断'], ['plan', '处理意见']],
  复诊: [['chiefComplaint', '主诉'], ['history', '病史'], ['diagnosis', '诊断'], ['plan', '治疗处理意见']],
};
const DURATION = /(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百半数几]+)\s*(?:余|多|个|十余|十多)?\s*(?:秒|分钟|小时|天|日|周|星期|个月|月|年)(?:余|多|许|左右)?|半(?:天|日|月|年)/u;
/** Words of a complaint that are no symptom themselves. */
const FILLER = /反复|间断|持续|阵发性?|加重|伴|再发|复发|发现|于|近|约|共|后|来|前|、|，|,|\s|[\p{P}]/gu;
/** A near copy: this much of the longer text may differ. */
const COPY_SIMILARITY = 0.8;
const COPY_EXTRA_CHARS = 5;

const textOf = (section: RecordSection): string => section.sentences.map((s) => s.text).join('').trim();
const compact = (text: string): string => text.replace(/[\s\p{P}]/gu, '');

function formWarning(kind: WarningKind, message: string, section: string): RecordWarning {
  return { kind, severity: 'warning', message, entry: null, field: null, quote: null, section, drugs: [] };
}

export function formWarnings(kind: RecordKind, sections: RecordSection[]): RecordWarning[] {
  const out: RecordWarning[] = [];
  const byKey = new Map(sections.map((s) => [s.key, s]));
  const filled = (key: string): boolean => byKey.has(key) && compact(textOf(byKey.get(key)!)).length > 0;

  const missing = new Map<string, string>();
  for (const [key, title] of REQUIRED[kind]) if (!filled(key)) missing.set(key, byKey.get(key)?.title ?? title);
  for (const s of sections) if (s.required && !filled(s.key)) missing.set(s.key, s.title);
  for (const [key, title] of missing) out.push(formWarning('missingSection', `${kind}病历缺少“${title}”，签名前请补充`, key));

  const chief = byKey.get('chiefComplaint');
  const chiefText = chief ? compact(textOf(chief)) : '';
  if (chiefText) {
    const duration = DURATION.exec(chiefText);
    const rest = chiefText.replace(new RegExp(DURATION.source, 'gu'), '').replace(FILLER, '');
    if (!/\p{Script=Han}{2}/u.test(rest)) out.push(formWarning('chiefComplaint', `主诉“${chiefText}”未写明症状`, 'chiefComplaint'));
    if (!duration) out.push(formWarning('chiefComplaint', `主诉“${chiefText}”未写明持续时间（如“3天”）`, 'chiefComplaint'));
    if ([...chiefText].length > MAX_CHIEF_COMPLAINT_CHARS) out.push(formWarning('chiefComplaint', `主诉有${[...chiefText].length}个字，应精炼在${MAX_CHIEF_COMPLAINT_CHARS}字以内`, 'chiefComplaint'));
  }

  for (const key of ['presentIllness', 'history']) {
    const section = byKey.get(key);
    const text = section ? compact(textOf(section)) : '';
    if (chiefText && text && isCopy(chiefText, text)) out.push(formWarning('presentIllness', `${section!.title}与主诉几乎相同，应写明起病、经过、伴随症状和诊治经过`, key));
  }

  for (const section of sections) {
    for (const sentence of section.sentences) {
      if (sentence.origin === 'draft' && sentence.evidence.length === 0 && sentence.text.trim()) out.push(formWarning('unsupported', `${section.title}中这句在对话中找不到依据：“${sentence.text.trim()}”`, section.key));
    }
  }
  return out;
}

function isCopy(chief: string, illness: string): boolean {
  if (illness.includes(chief) && [...illness].length - [...chief].length <= COPY_EXTRA_CHARS) return true;
  const longer = Math.max([...chief].length, [...illness].length);
  return 1 - editDistance(chief, illness) / longer >= COPY_SIMILARITY;
}

function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    row = next;
  }
  return row[y.length]!;
}
