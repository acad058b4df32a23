import type BetterSqlite3 from 'better-sqlite3';
import { XinglinError } from '../../contract/index.js';

type Db = BetterSqlite3.Database;

/** One step of the schema. Steps are never edited once shipped: a change is a new, higher version. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Db): void;
}

/*
 * v1. Notes on choices that are easy to undo by accident:
 * - STRICT tables so a wrong type is an error, not a silently stored string.
 * - `seq` is global and unique: it orders messages inside a session and is also the rowid of the
 *   full-text row. The implicit rowid of `messages` cannot serve, because VACUUM may renumber it.
 * - `messages_fts` is contentless (it stores no text, only the index of a segmented shadow text,
 *   see segment.ts); `contentless_delete` lets the trigger remove rows by rowid, so a cascade from
 *   `sessions` also clears the index. Inserts are done by the store in the same transaction,
 *   because the segmentation runs in JavaScript.
 * - The `ascii` tokenizer splits only on ASCII spaces/punctuation and keeps every non-ASCII code
 *   point, so the tokens we write are indexed exactly as written, independent of SQLite's
 *   Unicode tables.
 * - Text and seq are immutable: an UPDATE would leave the index stale, so it is refused.
 */
const v1 = `
CREATE TABLE sessions (
  id          TEXT    NOT NULL PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  title       TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_updated_at ON sessions (updated_at DESC);

CREATE TABLE messages (
  id          TEXT    NOT NULL PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  session_id  TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL UNIQUE,
  role        TEXT    NOT NULL CHECK (role IN ('user', 'assistant')),
  text        TEXT    NOT NULL,
  status      TEXT    NOT NULL CHECK (status IN ('complete', 'stopped', 'error')),
  provenance  TEXT    CHECK (provenance IS NULL OR json_valid(provenance)),
  error       TEXT    CHECK (error IS NULL OR json_valid(error)),
  created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_session_seq ON messages (session_id, seq);

CREATE VIRTUAL TABLE messages_fts USING fts5 (
  uni, bi,
  content = '', contentless_delete = 1, tokenize = 'ascii'
);

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  DELETE FROM messages_fts WHERE rowid = old.seq;
END;

CREATE TRIGGER messages_immutable BEFORE UPDATE OF text, seq ON messages BEGIN
  SELECT RAISE(ABORT, 'messages.text and messages.seq are immutable (the full-text index would go stale)');
END;
`;

export const migrations: readonly Migration[] = [
  { version: 1, name: 'sessions, messages, full-text index', up: (db) => db.exec(v1) },
];

export const LATEST_SCHEMA_VERSION: number = migrations.at(-1)?.version ?? 0;

const createVersionTable = `
CREATE TABLE IF NOT EXISTS schema_version (
  version     INTEGER NOT NULL PRIMARY KEY,
  name        TEXT    NOT NULL,
  applied_at  INTEGER NOT NULL
) STRICT`;

/** 0 for a new, empty database. */
export function readSchemaVersion(db: Db): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (!table) return 0;
  const row = db.prepare('SELECT max(version) AS version FROM schema_version').get() as { version: number | null };
  return row.version ?? 0;
}

function assertOrdered(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`store migrations must be numbered 1, 2, 3…; found ${m.version} at position ${i}`);
  });
}

/**
 * Applies the missing steps, each in its own IMMEDIATE transaction (so two processes opening the
 * same file cannot both run a step: the second waits, re-reads the version and skips it).
 */
export function migrate(db: Db, list: readonly Migration[] = migrations): void {
  assertOrdered(list);
  const current = readSchemaVersion(db);
  for (const m of list) {
    if (m.version <= current) continue;
    const step = db.transaction(() => {
      db.exec(createVersionTable);
      if (readSchemaVersion(db) >= m.version) return;
      m.up(db);
      db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
    });
    try {
      step.immediate();
    } catch (cause) {
      throw new XinglinError('INTERNAL', `数据库升级失败（第 ${m.version} 步：${m.name}），该步已回滚：${errorText(cause)}`, {
        version: m.version,
      });
    }
  }
}

function errorText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
