import type { Migration } from '../../db/index.js';

/*
 * knowledge.db: its own file, so a hospital can replace the whole base as a package.
 * - `facts` is keyed by (entity, field, source): one drug imported from a label and from the
 *   starter set keeps both statements, each with its source's version and import time.
 * - Entity ids are derived from (type, generic key), so the same drug has the same id on every
 *   workstation and after a package is replaced: citations saved in messages keep resolving.
 * - `entities.seq` is the full-text rowid (an INTEGER PRIMARY KEY survives VACUUM).
 * - `entities_fts` is contentless over a segmented shadow text (store/segment.ts), rebuilt by the
 *   importer for each entity it touched.
 */
const sql = `
CREATE TABLE sources (
  id           INTEGER PRIMARY KEY,
  label        TEXT    NOT NULL UNIQUE CHECK (length(label) BETWEEN 1 AND 100),
  kind         TEXT    NOT NULL CHECK (kind IN ('starter', 'hospital', 'label', 'guideline')),
  format       TEXT    NOT NULL CHECK (format IN ('jsonl', 'csv', 'label')),
  version      TEXT    NOT NULL,
  imported_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE entities (
  seq   INTEGER PRIMARY KEY,
  id    TEXT NOT NULL UNIQUE,
  type  TEXT NOT NULL CHECK (type IN ('drug', 'disease')),
  name  TEXT NOT NULL,
  key   TEXT NOT NULL,
  UNIQUE (type, key)
) STRICT;

CREATE TABLE names (
  entity_id  TEXT    NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
  source_id  INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  kind       TEXT    NOT NULL CHECK (kind IN ('name', 'alias', 'brand')),
  name       TEXT    NOT NULL,
  key        TEXT    NOT NULL,
  PRIMARY KEY (entity_id, source_id, kind, name)
) STRICT, WITHOUT ROWID;
CREATE INDEX names_key ON names (key);
CREATE INDEX names_source ON names (source_id);

CREATE TABLE facts (
  entity_id    TEXT    NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
  field        TEXT    NOT NULL,
  source_id    INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  value        TEXT    NOT NULL CHECK (json_valid(value)),
  original     TEXT,
  version      TEXT    NOT NULL,
  imported_at  INTEGER NOT NULL,
  PRIMARY KEY (entity_id, field, source_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX facts_source ON facts (source_id);

CREATE VIRTUAL TABLE entities_fts USING fts5 (
  uni, bi,
  content = '', contentless_delete = 1, tokenize = 'ascii'
);

CREATE TRIGGER entities_fts_delete AFTER DELETE ON entities BEGIN
  DELETE FROM entities_fts WHERE rowid = old.seq;
END;
`;

export const sourcesEntitiesFacts: Migration = { version: 1, name: 'knowledge: sources, entities, names, facts, full-text index', up: (db) => db.exec(sql) };
