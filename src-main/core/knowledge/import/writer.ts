import { createHash } from 'node:crypto';
import type { KbEntityType } from '../../../contract/index.js';
import type { KbStore, NameRow, StoredFact } from '../kb-store.js';
import { entityKey } from '../names.js';
import { factsOf, type EntityRecord, type Originals } from '../entry-schema.js';

export type WriteOutcome = 'added' | 'updated' | 'unchanged';

export interface WriteSource {
  id: number;
  version: string;
  importedAt: number;
}

/** Stable across workstations and package replacements: derived from the type and generic key. */
function entityIdOf(type: KbEntityType, key: string): string {
  return `${type}:${createHash('sha256').update(`${type}\u0000${key}`).digest('hex').slice(0, 16)}`;
}

/** The key under which two lines of one file would land on the same entry (a duplicate). */
export function recordKey(record: EntityRecord): string {
  return `${record.type}\u0000${entityKey(record.type, record.name)}`;
}

/**
 * Writes what one source says about one entity. The entity is found by its generic key (so
 * 利伐沙班片 from a label joins 利伐沙班 from the starter set) or created; the source's previous
 * names and facts for it are replaced, so a re-import updates and never duplicates.
 */
export function writeRecord(kb: KbStore, record: EntityRecord, source: WriteSource, originals: Originals = {}): { id: string; outcome: WriteOutcome } {
  const key = entityKey(record.type, record.name);
  const existing = kb.entityByKey(record.type, key);
  const id = existing?.id ?? entityIdOf(record.type, key);
  // A new entry keeps the name its source gave (氟拉替尼片); the generic key (氟拉替尼) links it across sources.
  if (!existing) kb.insertEntity(id, record.type, record.name, key);

  const names = namesOf(record);
  const facts: StoredFact[] = factsOf(record).map(([field, value]) => ({ field, value: JSON.stringify(value), original: originals[field] ?? null }));
  if (existing && same(kb.namesOfSource(id, source.id), names) && same(kb.factsOfSource(id, source.id), facts)) return { id, outcome: 'unchanged' };
  kb.replace(id, source.id, names, facts, source.version, source.importedAt, !existing);
  return { id, outcome: existing ? 'updated' : 'added' };
}

function namesOf(record: EntityRecord): NameRow[] {
  const rows = new Map<string, NameRow>();
  const add = (kind: NameRow['kind'], name: string): void => {
    const id = `${kind}\u0000${name}`;
    if (!rows.has(id)) rows.set(id, { kind, name, key: entityKey(record.type, name) });
  };
  add('name', record.name);
  for (const alias of record.aliases) add('alias', alias);
  if (record.type === 'drug') for (const brand of record.brands) add('brand', brand);
  return [...rows.values()];
}

/** Order-insensitive equality of rows (the store returns them sorted; records come in file order). */
function same<T extends object>(stored: T[], fresh: T[]): boolean {
  const canon = (rows: T[]): string => rows.map((r) => JSON.stringify(Object.values(r))).sort().join('\n');
  return stored.length === fresh.length && canon(stored) === canon(fresh);
}

