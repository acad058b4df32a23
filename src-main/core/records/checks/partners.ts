import type { KbEntry } from '../../../contract/index.js';
import { lookupForm } from '../../knowledge/index.js';
import { textOf } from './entry-facts.js';
import type { Names } from './reading.js';
import { normalText } from './text.js';

/** Words around a medicine or class named in an entry's words: 正在使用|血管紧张素转换酶抑制剂, 含|钾补充剂, 其他|非甾体抗炎药. */
const BEFORE = /^(?:正在使用|正在服用|使用|服用|合用|联用|与|其他|含有|含|强效|高剂量|大剂量)+/u;
const AFTER = /(?:类药物|类药|药物|制剂|类|合用|治疗|的患者|患者)$/u;

/**
 * Whether an entry's words (an interaction's partner, a contraindication) name this medicine: by
 * its own names, or by a class it belongs to (非甾体抗炎药 names 布洛芬, whose class is
 * 非甾体抗炎药（丙酸类）; 利尿剂 names 呋塞米, a 袢利尿剂).
 */
export function namesMedicine(words: string, medicine: KbEntry, names: Names): boolean {
  const said = normalText(words);
  if (names.retrieve(said).entities.some((e) => e.id === medicine.id)) return true;
  const cls = lookupForm(textOf(medicine, 'class') ?? '');
  if (!cls) return false;
  return said.split(/或|、|和|及|以及|,|，/u).some((part) => {
    const stem = part.replace(/[（(][^（）()]*[）)]/gu, '').replace(BEFORE, '').replace(AFTER, '');
    return stem.length >= 2 && cls.includes(stem);
  });
}
