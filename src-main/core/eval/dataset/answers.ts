import type { KbEntry, KbFactValue, KbSource } from '../../../contract/index.js';
import type { Template } from './templates.js';

/**
 * The answer to a template's question about one entry, made of the entry's facts only: one sentence
 * per source (best-ranked first), each ending with the source it comes from. Items a better source
 * already gave are not repeated; null when the entry records nothing for the field (never invented).
 */
export function answerFor(entry: KbEntry, template: Template): string | null {
  const bySource = new Map<string, { source: KbSource; items: string[] }>();
  for (const fact of entry.facts) {
    if (!template.facts.includes(fact.field)) continue;
    const key = `${fact.source.label}\u0000${fact.source.version}`;
    const group = bySource.get(key) ?? { source: fact.source, items: [] };
    group.items.push(...itemsOf(fact.value));
    bySource.set(key, group);
  }
  const said = new Set<string>();
  const sentences: string[] = [];
  for (const { source, items } of bySource.values()) {
    const fresh = [...new Set(items)].filter((item) => !said.has(item));
    if (fresh.length === 0) continue;
    fresh.forEach((item) => said.add(item));
    sentences.push(`${sentences.length ? '此外还有：' : template.lead(entry.name)}${list(fresh)}。（来源：${source.label}，版本 ${source.version}）`);
  }
  return sentences.length ? sentences.join('') : null;
}

function itemsOf(value: KbFactValue): string[] {
  const items = typeof value === 'string' ? [value] : Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : `与${v.with}合用：${v.effect}`)) : Object.entries(value).map(([who, text]) => `${who}：${text}`);
  return items.map((item) => item.trim().replace(/[。；;]+$/u, '')).filter(Boolean);
}

/** 、 lists short items; items that are phrases with punctuation of their own are kept apart with ；. */
function list(items: string[]): string {
  return items.join(items.some((item) => /[，,、；;：:]/u.test(item)) ? '；' : '、');
}
