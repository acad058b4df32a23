import fs from 'node:fs';
import path from 'node:path';
import { STARTER_DIR } from '../helpers/env.js';

/**
 * Chinese chat text for the load bench, made from the starter knowledge base's own drug, disease
 * and symptom names, so the search index holds the words doctors search for and knowledge-mode
 * questions find entries.
 */

export interface Vocabulary {
  drugs: string[];
  diseases: string[];
  symptoms: string[];
  exams: string[];
}

interface StarterLine {
  type: string;
  name: string;
  symptoms?: string[];
  examinations?: string[];
}

/** Short names only: they read like real sentences and are what people type into a search box. */
const short = (s: string): boolean => /^\p{Script=Han}{2,6}$/u.test(s);

export function starterVocabulary(): Vocabulary {
  const drugs = new Set<string>();
  const diseases = new Set<string>();
  const symptoms = new Set<string>();
  const exams = new Set<string>();
  for (const file of fs.readdirSync(STARTER_DIR).filter((f) => f.endsWith('.jsonl')).sort()) {
    for (const line of fs.readFileSync(path.join(STARTER_DIR, file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const entry = JSON.parse(line) as StarterLine;
      if (!short(entry.name)) continue;
      if (entry.type === 'drug') drugs.add(entry.name);
      if (entry.type !== 'disease') continue;
      diseases.add(entry.name);
      for (const s of entry.symptoms ?? []) if (short(s)) symptoms.add(s);
      for (const e of entry.examinations ?? []) if (short(e)) exams.add(e);
    }
  }
  return { drugs: [...drugs], diseases: [...diseases], symptoms: [...symptoms], exams: [...exams] };
}

type Next = () => number;
const pick = <T>(next: Next, items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
const fill = (template: string, v: Vocabulary, next: Next): string =>
  template
    .replace(/\{drug\}/gu, () => pick(next, v.drugs))
    .replace(/\{disease\}/gu, () => pick(next, v.diseases))
    .replace(/\{symptom\}/gu, () => pick(next, v.symptoms))
    .replace(/\{exam\}/gu, () => pick(next, v.exams));

const QUESTIONS = [
  '{disease}的典型症状是什么？', '{drug}的适应症有哪些？', '{drug}和{drug}能一起吃吗？', '{disease}的病人{drug}一天吃几次？',
  '最近老是{symptom}，还有点{symptom}，会不会是{disease}？', '{disease}需要做哪些检查？', '{drug}有什么禁忌？孕妇能用吗？',
  '患者男，62岁，{disease}多年，近一周{symptom}加重，下一步怎么处理？', '哪些药物能治疗{disease}？', '{drug}的不良反应多吗？',
  '老年人肾功能不全，{drug}要减量吗？', '{symptom}三天，伴{symptom}，查{exam}有必要吗？',
];

const ANSWER_SENTENCES = [
  '{disease}常见的表现包括{symptom}、{symptom}和{symptom}。', '建议完善{exam}和{exam}，明确诊断后再调整治疗。',
  '{drug}一般从小剂量开始，根据疗效和耐受情况逐渐加量。', '合用{drug}时需注意相互作用，必要时监测肝肾功能。',
  '如出现{symptom}加重或新发{symptom}，应及时复诊。', '{disease}患者应低盐低脂饮食，规律作息，戒烟限酒。',
  '老年患者使用{drug}应关注跌倒风险和体位性低血压。', '孕妇及哺乳期妇女使用{drug}前应权衡利弊。',
  '对{drug}过敏者禁用，既往有{disease}病史者慎用。', '鉴别诊断需考虑{disease}和{disease}，结合{exam}结果判断。',
  '治疗{disease}的常用药物有{drug}、{drug}等，具体方案请结合指南和患者情况。', '本回答依据知识库条目整理，仅供临床参考。',
];

/** A question of 10 to 60 characters. */
export function question(v: Vocabulary, next: Next): string {
  return fill(pick(next, QUESTIONS), v, next);
}

/** An answer of 2 to 14 sentences (about 50 to 600 characters): chat answers vary that much. */
export function answer(v: Vocabulary, next: Next): string {
  const sentences = 2 + Math.floor(next() * next() * 13);
  return Array.from({ length: sentences }, () => fill(pick(next, ANSWER_SENTENCES), v, next)).join('');
}

/** 2 to 4 character words that occur in the text: drug, disease and symptom names. */
export function searchQueries(v: Vocabulary, next: Next, count: number): string[] {
  const words = [...v.drugs, ...v.diseases, ...v.symptoms].filter((w) => w.length >= 2 && w.length <= 4);
  return Array.from({ length: count }, () => pick(next, words));
}
