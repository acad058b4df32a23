import type { Migration } from '../../db/index.js';

/*
 * A source's previous version, kept on each re-import of a changed file so that the hospital can
 * roll it back. Entities are copied by value (type, name, key): an entry the new version removed is
 * gone from `entities`, and a rollback recreates it under the same derived id.
 */
const sql = `
ALTER TABLE sources ADD COLUMN previous_version TEXT;
ALTER TABLE sources ADD COLUMN previous_imported_at INTEGER;

CREATE TABLE previous_names (
  source_id    INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  entity_id    TEXT    NOT NULL,
  entity_type  TEXT    NOT NULL,
  entity_name  TEXT    NOT NULL,
  entity_key   TEXT    NOT NULL,
  kind         TEXT    NOT NULL,
  name         TEXT    NOT NULL,
  key          TEXT    NOT NULL
) STRICT;
CREATE INDEX previous_names_source ON previous_names (source_id);

CREATE TABLE previous_facts (
  source_id    INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  entity_id    TEXT    NOT NULL,
  field        TEXT    NOT NULL,
  value        TEXT    NOT NULL,
  original     TEXT,
  version      TEXT    NOT NULL,
  imported_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX previous_facts_source ON previous_facts (source_id);
`;

export const previousVersion: Migration = { version: 2, name: "knowledge: a source's previous version, for rollback", up: (db) => db.exec(sql) };
