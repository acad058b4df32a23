import { KB_FIELD_LABELS, type KbEntry, type RecordWarning } from '../../../contract/index.js';
import { classBase, interactionsOf, textOf } from './entry-facts.js';
import type { DrugMention, Names } from './reading.js';
import { namesMedicine } from './partners.js';
import { cited, drugWarning } from './warning.js';

/** Interactions a label calls dangerous in so many words. */
const DANGEROUS = /禁止|禁用|禁忌|不得合用|不可合用|致死|致命/u;

/**
 * 相互作用: a listed interaction between a planned medicine and another planned one or one the
 * patient takes now, read from either medicine's entry (the planned one's first). A partner is
 * named by its own name or by a class it belongs to (非甾体抗炎药, 抗凝药).
 */
export function interactionWarnings(planned: DrugMention[], current: DrugMention[], names: Names): RecordWarning[] {
  const out: RecordWarning[] = [];
  const pairs: Array<[DrugMention, DrugMention, string]> = [];
  planned.forEach((a, i) => {
    for (const b of planned.slice(i + 1)) if (b.entry.id !== a.entry.id) pairs.push([a, b, '同时拟用']);
    for (const b of current) pairs.push([a, b, '正在使用']);
  });
  const seen = new Set<string>();
  for (const [a, b, how] of pairs) {
    const key = [a.entry.id, b.entry.id].sort().join('|');
    if (seen.has(key)) continue;
    const found = listed(a.entry, b.entry, names) ?? listed(b.entry, a.entry, names);
    if (!found) continue;
    seen.add(key);
    const quote = `${found.interaction.with}：${found.interaction.effect}`;
    const severity = DANGEROUS.test(found.interaction.effect) ? 'error' : 'warning';
    out.push(drugWarning('interaction', severity, `相互作用：拟用${a.said}，${how}${b.said}（${cited(found.entry, KB_FIELD_LABELS.interactions, quote)}）`, found.entry, 'interactions', quote, [a.said, b.said]));
  }
  return out;
}

function listed(entry: KbEntry, partner: KbEntry, names: Names): { entry: KbEntry; interaction: { with: string; effect: string } } | null {
  const interaction = interactionsOf(entry).find((i) => namesMedicine(i.with, partner, names));
  return interaction ? { entry, interaction } : null;
}

/** 重复用药: two planned medicines of one class (the entry's class, its bracketed subclass aside). */
export function duplicateWarnings(planned: DrugMention[]): RecordWarning[] {
  const out: RecordWarning[] = [];
  const seen = new Set<string>();
  planned.forEach((a, i) => {
    const cls = classBase(a.entry);
    for (const b of planned.slice(i + 1)) {
      const key = [a.entry.id, b.entry.id].sort().join('|');
      if (!cls || seen.has(key) || classBase(b.entry) !== cls) continue;
      seen.add(key);
      const quote = textOf(a.entry, 'class')!;
      const same = a.entry.id === b.entry.id ? `（同一药品）` : '';
      out.push(drugWarning('duplicate', 'warning', `重复用药：拟用${a.said}与${b.said}${same}同属${cls}（${cited(a.entry, KB_FIELD_LABELS.class, quote)}${a.entry.id === b.entry.id ? '' : `；知识库“${b.entry.name}”${KB_FIELD_LABELS.class}：${textOf(b.entry, 'class')}`}）`, a.entry, 'class', quote, [a.said, b.said]));
    }
  });
  return out;
}
