import type { Migration } from '../../db/index.js';

/*
 * The sessions list shows each session's message count. Counting per list walked every message's
 * index entry (half the list's time at 100,000 messages, `npm run bench -- load`); the count is
 * now kept on the session by triggers, so any connection's writes keep it right. Messages never
 * move between sessions, so insert and delete are all there is to count.
 */
const sql = `
ALTER TABLE sessions ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0 CHECK (message_count >= 0);
UPDATE sessions SET message_count = (SELECT count(*) FROM messages m WHERE m.session_id = sessions.id);

CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN
  UPDATE sessions SET message_count = message_count + 1 WHERE id = new.session_id;
END;

CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN
  UPDATE sessions SET message_count = message_count - 1 WHERE id = old.session_id;
END;
`;

export const messageCount: Migration = { version: 4, name: 'message count kept on the session', up: (db) => db.exec(sql) };
