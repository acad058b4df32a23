import type { Migration } from '../../db/index.js';

/*
 * Notes on choices that are easy to undo by accident:
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
const sql = `
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

export const sessionsAndMessages: Migration = { version: 1, name: 'sessions, messages, full-text index', up: (db) => db.exec(sql) };
