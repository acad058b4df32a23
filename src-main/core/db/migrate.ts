import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { XinglinError } from '../../contract/index.js';

type Db = BetterSqlite3.Database;

/**
 * One step of a database's schema, in a file of its own under the owning slice's `migrations/`.
 * Steps are never edited once shipped: a change is a new, higher version. Versions count per
 * database file; a slice adding to a shared file takes the next free number.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Db): void;
}

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
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 1, 2, 3…; found ${m.version} at position ${i}`);
  });
}

/**
 * Applies the missing steps, each in its own IMMEDIATE transaction (so two processes opening the
 * same file cannot both run a step: the second waits, re-reads the version and skips it).
 */
export function migrate(db: Db, list: readonly Migration[]): void {
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
      throw new XinglinError('MIGRATION_FAILED', `数据库升级失败（第 ${m.version} 步：${m.name}），该步已回滚：${errorText(cause)}`, {
        version: m.version,
      });
    }
  }
}

function errorText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
