import type { Message, Provenance, SearchHit, Session } from '../../contract/index.js';

/** Rows as SQLite returns them (snake_case, JSON as text), and their mapping to contract types. */

export interface SessionRow {
  id: string;
  title: string;
  kind: Session['kind'];
  profile_id: string | null;
  created_at: number;
  updated_at: number;
  message_count: number;
}

export interface MessageRow {
  id: string;
  session_id: string;
  role: Message['role'];
  text: string;
  status: Message['status'];
  provenance: string | null;
  error: string | null;
  profile_id: string | null;
  created_at: number;
}

export interface SearchRow {
  id: string;
  session_id: string;
  session_title: string;
  role: Message['role'];
  text: string;
  created_at: number;
}

export function toSession(row: SessionRow): Session {
  return { id: row.id, title: row.title, kind: row.kind, profileId: row.profile_id, createdAt: row.created_at, updatedAt: row.updated_at, messageCount: row.message_count };
}

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    sessionId: row.session_id,
    role: row.role,
    text: row.text,
    status: row.status,
    provenance: row.provenance === null ? null : (JSON.parse(row.provenance) as Provenance),
    error: row.error === null ? null : (JSON.parse(row.error) as { code: string; message: string }),
    profileId: row.profile_id,
    createdAt: row.created_at,
  };
}

export function toSearchHit(row: SearchRow, snippet: string): SearchHit {
  return {
    sessionId: row.session_id,
    sessionTitle: row.session_title,
    messageId: row.id,
    role: row.role,
    snippet,
    createdAt: row.created_at,
  };
}
