import type { Migration } from '../../db/index.js';

/*
 * Profiles and comparison (issue 11): a session is a conversation (`chat`) or one question put to
 * two or three profiles (`compare`); it names the profile its answers come from, and an answer
 * names the profile it was asked of (a compare session's column). ADD COLUMN keeps every row and
 * seq (the full-text rowids) as they are, so nothing is copied and the index is untouched. A
 * profile id is not a foreign key: profiles live in the models folder's manifest, and an answer
 * keeps naming the profile after it is deleted.
 */
const sql = `
ALTER TABLE sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'chat' CHECK (kind IN ('chat', 'compare'));
ALTER TABLE sessions ADD COLUMN profile_id TEXT CHECK (profile_id IS NULL OR length(profile_id) BETWEEN 1 AND 64);
ALTER TABLE messages ADD COLUMN profile_id TEXT CHECK (profile_id IS NULL OR length(profile_id) BETWEEN 1 AND 64);
`;

export const profilesAndCompare: Migration = { version: 3, name: 'session kind and profile, answer profile', up: (db) => db.exec(sql) };
