import type { Migration } from '../../db/index.js';

/*
 * An answer row exists from its first token (status `streaming`) and its text is saved while it
 * grows, so a crash leaves the partial answer, which the next start marks `interrupted`.
 * - SQLite cannot alter a CHECK constraint: the table is rebuilt with the same rows and seq (the
 *   full-text rowids), after dropping the triggers so the copy does not touch the index.
 * - Text may change only while the row streams; a streaming row is not indexed until it ends
 *   (the store indexes it when it finishes), so the index never goes stale.
 */
const sql = `
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_immutable;

CREATE TABLE messages_new (
  id          TEXT    NOT NULL PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  session_id  TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL UNIQUE,
  role        TEXT    NOT NULL CHECK (role IN ('user', 'assistant')),
  text        TEXT    NOT NULL,
  status      TEXT    NOT NULL CHECK (status IN ('complete', 'stopped', 'error', 'streaming', 'interrupted')),
  provenance  TEXT    CHECK (provenance IS NULL OR json_valid(provenance)),
  error       TEXT    CHECK (error IS NULL OR json_valid(error)),
  created_at  INTEGER NOT NULL
) STRICT;
INSERT INTO messages_new SELECT id, session_id, seq, role, text, status, provenance, error, created_at FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE INDEX messages_session_seq ON messages (session_id, seq);
CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming';

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  DELETE FROM messages_fts WHERE rowid = old.seq;
END;

CREATE TRIGGER messages_immutable BEFORE UPDATE OF text, seq ON messages
WHEN old.status <> 'streaming' OR new.seq <> old.seq BEGIN
  SELECT RAISE(ABORT, 'messages.text and messages.seq are immutable once an answer ends (the full-text index would go stale)');
END;
`;

export const streamingAnswers: Migration = { version: 2, name: 'answers saved while they stream', up: (db) => db.exec(sql) };
