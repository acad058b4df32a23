import type { KbEntry, KbField, KbInteraction } from '../../../contract/index.js';

/** An entry's facts as the checks read them: the best-ranked source's value of a field (the hospital's before the starter set). */

function value(entry: KbEntry, field: KbField): unknown {
  return entry.facts.find((f) => f.field === field)?.value;
}

export function textOf(entry: KbEntry, field: KbField): string | null {
  const v = value(entry, field);
  return typeof v === 'string' ? v : null;
}

export function listOf(entry: KbEntry, field: KbField): string[] {
  const v = value(entry, field);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function groupsOf(entry: KbEntry, field: KbField): Record<string, string> {
  const v = value(entry, field);
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : {};
}

export function interactionsOf(entry: KbEntry): KbInteraction[] {
  const v = value(entry, 'interactions');
  return Array.isArray(v) ? v.filter((x): x is KbInteraction => typeof x === 'object' && x !== null && 'with' in x) : [];
}

/** A class without its bracketed subclass: 非甾体抗炎药（丙酸类） and 非甾体抗炎药（乙酸类） are one class. */
export function classBase(entry: KbEntry): string | null {
  const cls = textOf(entry, 'class');
  return cls === null ? null : cls.replace(/[（(][^（）()]*[）)]$/u, '').trim();
}
