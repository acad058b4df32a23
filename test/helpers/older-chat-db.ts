import { randomUUID } from 'node:crypto';
import { chatMigrations } from '../../src-main/core/chat/index.js';
import { indexColumns, openDatabase } from '../../src-main/core/db/index.js';

/**
 * A chat database as an older version of the app left it: only its first `version` migrations,
 * and rows written with the columns that version had (today's store cannot write them), indexed
 * for search as that version indexed them.
 */
export function olderChatDb(file: string, version: number) {
  const db = openDatabase(file, { migrations: chatMigrations.slice(0, version) });
  return {
    session(title: string): string {
      const id = randomUUID();
      db.prepare('INSERT INTO sessions (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)').run(id, title, Date.now(), Date.now());
      return id;
    },
    message(sessionId: string, role: 'user' | 'assistant', text: string, status: string, provenance: object | null = null): string {
      const id = randomUUID();
      const { uni, bi } = indexColumns(text);
      db.transaction(() => {
        const { seq } = db
          .prepare(`INSERT INTO messages (id, session_id, seq, role, text, status, provenance, error, created_at)
                    VALUES (?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM messages), ?, ?, ?, ?, NULL, ?) RETURNING seq`)
          .get(id, sessionId, role, text, status, provenance && JSON.stringify(provenance), Date.now()) as { seq: number };
        db.prepare('INSERT INTO messages_fts (rowid, uni, bi) VALUES (?, ?, ?)').run(seq, uni, bi);
      })();
      return id;
    },
    close: () => db.close(),
  };
}
