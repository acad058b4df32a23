import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import type { KbEntityType, KbFact, KbFactValue, KbField, KbImportFormat, KbSource } from '../../contract/index.js';
import { indexColumns, type Db } from '../db/index.js';

type Stmt<P extends unknown[], R = unknown> = BetterSqlite3.Statement<P, R>;

export interface EntityRow {
  seq: number;
  id: string;
  type: KbEntityType;
  name: string;
  key: string;
}

export interface NameRow {
  kind: 'name' | 'alias' | 'brand';
  name: string;
  key: string;
}

export interface StoredFact {
  field: KbField;
  value: string;
  original: string | null;
}

interface FactRow extends StoredFact {
  entity_id: string;
  version: string;
  imported_at: number;
  label: string;
  kind: KbSource['kind'];
  format: KbImportFormat;
}

export interface IndexNameRow {
  id: string;
  type: KbEntityType;
  entity_name: string;
  entity_key: string;
  name: string;
  kind: NameRow['kind'];
}

export interface IndexFactRow {
  id: string;
  field: 'class' | 'allergyClass' | 'departments';
  /** JSON, as stored. */
  value: string;
}

interface SourceRow {
  id: number;
  label: string;
  kind: KbSource['kind'];
  format: KbImportFormat;
  version: string;
  imported_at: number;
  previous_version: string | null;
  previous_imported_at: number | null;
}

export interface SourceStats extends KbSource {
  entries: number;
  facts: number;
}

/** The hospital's own sources rank before the starter set; among them, the latest import first. */
const SOURCE_RANK = `(s.kind = 'starter'), s.imported_at DESC, s.id`;

/**
 * Every SQL statement of knowledge.db, prepared once per connection. The importer holds one on
 * its own connection (its open transaction stays invisible to readers until COMMIT, WAL);
 * the service holds one for reads.
 */
export class KbStore {
  private readonly q;

  constructor(readonly db: Db) {
    this.q = {
      sourceByLabel: db.prepare('SELECT * FROM sources WHERE label = ?') as Stmt<[string], SourceRow>,
      insertSource: db.prepare('INSERT INTO sources (label, kind, format, version, imported_at) VALUES (?, ?, ?, ?, ?) RETURNING id') as Stmt<[string, string, string, string, number], { id: number }>,
      updateSource: db.prepare('UPDATE sources SET kind = ?, format = ?, version = ?, imported_at = ? WHERE id = ?') as Stmt<[string, string, string, number, number]>,
      entityIdsOfSource: db.prepare('SELECT DISTINCT entity_id AS id FROM names WHERE source_id = ?').pluck() as Stmt<[number], string>,
      deleteSource: db.prepare('DELETE FROM sources WHERE id = ?') as Stmt<[number]>,
      deleteOrphans: db.prepare('DELETE FROM entities WHERE id NOT IN (SELECT entity_id FROM names) AND id NOT IN (SELECT entity_id FROM facts)') as Stmt<[]>,
      entityByKey: db.prepare('SELECT * FROM entities WHERE type = ? AND key = ?') as Stmt<[string, string], EntityRow>,
      entityById: db.prepare('SELECT * FROM entities WHERE id = ?') as Stmt<[string], EntityRow>,
      entitiesBySeq: db.prepare('SELECT * FROM entities WHERE seq = ?') as Stmt<[number], EntityRow>,
      insertEntity: db.prepare('INSERT INTO entities (id, type, name, key) VALUES (?, ?, ?, ?) RETURNING seq') as Stmt<[string, string, string, string], { seq: number }>,
      factsOfSource: db.prepare('SELECT field, value, original FROM facts WHERE entity_id = ? AND source_id = ? ORDER BY field') as Stmt<[string, number], StoredFact>,
      namesOfSource: db.prepare('SELECT kind, name, key FROM names WHERE entity_id = ? AND source_id = ? ORDER BY kind, name') as Stmt<[string, number], NameRow>,
      deleteFacts: db.prepare('DELETE FROM facts WHERE entity_id = ? AND source_id = ?') as Stmt<[string, number]>,
      deleteNames: db.prepare('DELETE FROM names WHERE entity_id = ? AND source_id = ?') as Stmt<[string, number]>,
      insertFact: db.prepare('INSERT INTO facts (entity_id, field, source_id, value, original, version, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)') as Stmt<[string, string, number, string, string | null, string, number]>,
      dropSourceNames: db.prepare('DELETE FROM names WHERE source_id = ?') as Stmt<[number]>,
      dropSourceFacts: db.prepare('DELETE FROM facts WHERE source_id = ?') as Stmt<[number]>,
      clearPrevious: db.prepare('UPDATE sources SET previous_version = NULL, previous_imported_at = NULL WHERE id = ?') as Stmt<[number]>,
      clearPreviousNames: db.prepare('DELETE FROM previous_names WHERE source_id = ?') as Stmt<[number]>,
      clearPreviousFacts: db.prepare('DELETE FROM previous_facts WHERE source_id = ?') as Stmt<[number]>,
      keepPreviousNames: db.prepare(
        `INSERT INTO previous_names SELECT n.source_id, n.entity_id, e.type, e.name, e.key, n.kind, n.name, n.key
         FROM names n JOIN entities e ON e.id = n.entity_id WHERE n.source_id = ?`,
      ) as Stmt<[number]>,
      keepPreviousFacts: db.prepare('INSERT INTO previous_facts SELECT source_id, entity_id, field, value, original, version, imported_at FROM facts WHERE source_id = ?') as Stmt<[number]>,
      markPrevious: db.prepare('UPDATE sources SET previous_version = version, previous_imported_at = imported_at WHERE id = ?') as Stmt<[number]>,
      previousEntities: db.prepare('SELECT DISTINCT entity_id AS id, entity_type AS type, entity_name AS name, entity_key AS key FROM previous_names WHERE source_id = ?') as Stmt<[number], Omit<EntityRow, 'seq'>>,
      restoreNames: db.prepare('INSERT OR IGNORE INTO names SELECT entity_id, source_id, kind, name, key FROM previous_names WHERE source_id = ?') as Stmt<[number]>,
      restoreFacts: db.prepare('INSERT OR IGNORE INTO facts SELECT entity_id, field, source_id, value, original, version, imported_at FROM previous_facts WHERE source_id = ? AND entity_id IN (SELECT id FROM entities)') as Stmt<[number]>,
      restoreVersion: db.prepare('UPDATE sources SET version = previous_version, imported_at = previous_imported_at, previous_version = NULL, previous_imported_at = NULL WHERE id = ?') as Stmt<[number]>,
      entityIdsOfSourceFacts: db.prepare('SELECT DISTINCT entity_id AS id FROM facts WHERE source_id = ?').pluck() as Stmt<[number], string>,
      insertName: db.prepare('INSERT OR IGNORE INTO names (entity_id, source_id, kind, name, key) VALUES (?, ?, ?, ?, ?)') as Stmt<[string, number, string, string, string]>,
      allNamesOf: db.prepare('SELECT n.name, s.label AS source, n.kind FROM names n JOIN sources s ON s.id = n.source_id WHERE n.entity_id = ? ORDER BY ' + SOURCE_RANK + ', n.kind, n.name') as Stmt<[string], { name: string; source: string; kind: NameRow['kind'] }>,
      factsOf: db.prepare(
        `SELECT f.entity_id, f.field, f.value, f.original, f.version, f.imported_at, s.label, s.kind, s.format
         FROM facts f JOIN sources s ON s.id = f.source_id WHERE f.entity_id = ? ORDER BY ${SOURCE_RANK}`,
      ) as Stmt<[string], FactRow>,
      deleteIndex: db.prepare('DELETE FROM entities_fts WHERE rowid = ?') as Stmt<[number]>,
      insertIndex: db.prepare('INSERT INTO entities_fts (rowid, uni, bi) VALUES (?, ?, ?)') as Stmt<[number, string, string]>,
      search: db.prepare('SELECT rowid AS seq FROM entities_fts WHERE entities_fts MATCH ? ORDER BY bm25(entities_fts) LIMIT ?') as Stmt<[string, number], { seq: number }>,
      indexNames: db.prepare(
        'SELECT e.id, e.type, e.name AS entity_name, e.key AS entity_key, n.name, n.kind FROM entities e JOIN names n ON n.entity_id = e.id',
      ) as Stmt<[], IndexNameRow>,
      indexFacts: db.prepare(
        `SELECT f.entity_id AS id, f.field, f.value FROM facts f JOIN sources s ON s.id = f.source_id
         WHERE f.field IN ('class', 'allergyClass', 'departments') ORDER BY ${SOURCE_RANK}`,
      ) as Stmt<[], IndexFactRow>,
      factValues: db.prepare('SELECT value FROM facts').pluck() as Stmt<[], string>,
      countByType: db.prepare('SELECT type, count(*) AS n FROM entities GROUP BY type') as Stmt<[], { type: KbEntityType; n: number }>,
      sourceStats: db.prepare(
        `SELECT s.*, (SELECT count(DISTINCT entity_id) FROM names WHERE source_id = s.id) AS entries,
                (SELECT count(*) FROM facts WHERE source_id = s.id) AS facts
         FROM sources s ORDER BY ${SOURCE_RANK}`,
      ) as Stmt<[], SourceRow & { entries: number; facts: number }>,
    };
  }

  source(label: string): (KbSource & { id: number }) | undefined {
    const row = this.q.sourceByLabel.get(label);
    return row && { id: row.id, ...toSource(row) };
  }

  /** Creates the source, or stamps an existing one with this import's kind, version and time. */
  upsertSource(label: string, kind: KbSource['kind'], format: KbImportFormat, version: string, importedAt: number): number {
    const found = this.q.sourceByLabel.get(label);
    if (!found) return this.q.insertSource.get(label, kind, format, version, importedAt)!.id;
    this.q.updateSource.run(kind, format, version, importedAt, found.id);
    return found.id;
  }

  entityIdsOfSource(sourceId: number): string[] {
    return [...new Set([...this.q.entityIdsOfSource.all(sourceId), ...this.q.entityIdsOfSourceFacts.all(sourceId)])];
  }

  /** Keeps what the source says now as its previous version (one kept), before a changed file replaces it. */
  keepPrevious(sourceId: number): void {
    this.q.clearPreviousNames.run(sourceId);
    this.q.clearPreviousFacts.run(sourceId);
    this.q.keepPreviousNames.run(sourceId);
    this.q.keepPreviousFacts.run(sourceId);
    this.q.markPrevious.run(sourceId);
  }

  /**
   * Puts the source back to its previous version: its present names and facts go, the kept ones
   * return (entries the later version removed are recreated under their ids). Returns the ids
   * touched and which of them are new rows, for reindexing.
   */
  restorePrevious(sourceId: number): { touched: string[]; created: Set<string> } {
    const touched = new Set(this.entityIdsOfSource(sourceId));
    const created = new Set<string>();
    this.q.dropSourceNames.run(sourceId);
    this.q.dropSourceFacts.run(sourceId);
    for (const e of this.q.previousEntities.all(sourceId)) {
      touched.add(e.id);
      if (!this.q.entityById.get(e.id) && !this.q.entityByKey.get(e.type, e.key)) {
        this.q.insertEntity.get(e.id, e.type, e.name, e.key);
        created.add(e.id);
      }
    }
    this.q.restoreNames.run(sourceId);
    this.q.restoreFacts.run(sourceId);
    this.q.restoreVersion.run(sourceId);
    this.q.clearPreviousNames.run(sourceId);
    this.q.clearPreviousFacts.run(sourceId);
    this.q.deleteOrphans.run();
    return { touched: [...touched], created };
  }

  /** Everything one source says about one entity goes (the entity stays if another source speaks for it). */
  dropFromSource(entityId: string, sourceId: number): void {
    this.q.deleteFacts.run(entityId, sourceId);
    this.q.deleteNames.run(entityId, sourceId);
  }

  deleteOrphans(): void {
    this.q.deleteOrphans.run();
  }

  /** Removes a source with all its facts and names, and entries no source speaks for any more. */
  deleteSource(id: number): void {
    this.q.deleteSource.run(id);
    this.q.deleteOrphans.run();
  }

  entityByKey(type: KbEntityType, key: string): EntityRow | undefined {
    return this.q.entityByKey.get(type, key);
  }

  entityById(id: string): EntityRow | undefined {
    return this.q.entityById.get(id);
  }

  insertEntity(id: string, type: KbEntityType, name: string, key: string): number {
    return this.q.insertEntity.get(id, type, name, key)!.seq;
  }

  factsOfSource(entityId: string, sourceId: number): StoredFact[] {
    return this.q.factsOfSource.all(entityId, sourceId);
  }

  namesOfSource(entityId: string, sourceId: number): NameRow[] {
    return this.q.namesOfSource.all(entityId, sourceId);
  }

  /** Replaces what one source says about one entity: its names and facts (nothing to delete for a new one). */
  replace(entityId: string, sourceId: number, names: NameRow[], facts: StoredFact[], version: string, importedAt: number, isNew = false): void {
    if (!isNew) {
      this.q.deleteFacts.run(entityId, sourceId);
      this.q.deleteNames.run(entityId, sourceId);
    }
    for (const n of names) this.q.insertName.run(entityId, sourceId, n.kind, n.name, n.key);
    for (const f of facts) this.q.insertFact.run(entityId, f.field, sourceId, f.value, f.original, version, importedAt);
  }

  /** Rewrites the full-text row of an entity from all its names and facts (a new one has no row yet). */
  reindex(entityId: string, isNew = false): void {
    const entity = this.q.entityById.get(entityId);
    if (!entity) return;
    const parts = [entity.name, ...this.q.allNamesOf.all(entityId).map((n) => n.name)];
    for (const f of this.q.factsOf.all(entityId)) parts.push(...flatten(JSON.parse(f.value) as KbFactValue));
    const { uni, bi } = indexColumns(parts.join('\n'));
    if (!isNew) this.q.deleteIndex.run(entity.seq);
    this.q.insertIndex.run(entity.seq, uni, bi);
  }

  /** Entities whose names or facts match, best bm25 first. */
  search(match: string, limit: number): EntityRow[] {
    return this.q.search.all(match, limit).flatMap((r) => this.q.entitiesBySeq.all(r.seq));
  }

  namesOf(entityId: string): Array<{ name: string; source: string; kind: NameRow['kind'] }> {
    return this.q.allNamesOf.all(entityId);
  }

  /** Every fact of an entity with its source, best-ranked source first. */
  facts(entityId: string): KbFact[] {
    return this.q.factsOf.all(entityId).map((row) => {
      const fact: KbFact = {
        field: row.field,
        value: JSON.parse(row.value) as KbFactValue,
        source: { label: row.label, kind: row.kind, format: row.format, version: row.version, importedAt: row.imported_at },
      };
      if (row.original !== null) fact.original = row.original;
      return fact;
    });
  }

  indexNames(): IndexNameRow[] {
    return this.q.indexNames.all();
  }

  /** Every fact's value (JSON), streamed: how often each character is written in prose rather than in names. */
  factValues(): IterableIterator<string> {
    return this.q.factValues.iterate();
  }

  /** What each entry is (class, allergy class, department), best-ranked source first, for the name index. */
  indexFacts(): IndexFactRow[] {
    return this.q.indexFacts.all();
  }

  countByType(): Record<KbEntityType, number> {
    const counts: Record<KbEntityType, number> = { drug: 0, disease: 0 };
    for (const row of this.q.countByType.all()) counts[row.type] = row.n;
    return counts;
  }

  sourceStats(): SourceStats[] {
    return this.q.sourceStats.all().map((row) => ({ ...toSource(row), entries: row.entries, facts: row.facts }));
  }
}

function toSource(row: SourceRow): KbSource {
  const source: KbSource = { label: row.label, kind: row.kind, format: row.format, version: row.version, importedAt: row.imported_at };
  if (row.previous_version !== null && row.previous_imported_at !== null) source.previous = { version: row.previous_version, importedAt: row.previous_imported_at };
  return source;
}

/** The plain strings of a fact value, for indexing and for matching names against it. */
export function flatten(value: KbFactValue): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap((v) => (typeof v === 'string' ? [v] : [v.with, v.effect]));
  return Object.entries(value).map(([k, v]) => `${k}：${v}`);
}
