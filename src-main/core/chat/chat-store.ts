import { randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { DEFAULT_SESSION_TITLE, MessageRole, MessageStatus, ProfileId, Provenance, XinglinError } from '../../contract/index.js';
import type { Message, SearchHit, Session, SessionKind } from '../../contract/index.js';
import { ftsQuery, indexColumns, makeSnippet, openDatabase, queryPieces, slowQueryTimer, type Db, type OpenDatabaseOptions } from '../db/index.js';
import { silentLog, type Logger } from '../log.js';
import { chatMigrations } from './migrations/index.js';
import { toMessage, toSearchHit, toSession, type MessageRow, type SearchRow, type SessionRow } from './rows.js';

export interface ChatStoreOptions extends Partial<OpenDatabaseOptions> {
  /** Operations slower than this are logged (default 50 ms). */
  slowQueryMs?: number;
  log?: Logger;
}

export interface NewMessage {
  /** Given when the id was announced before the row exists (a streaming answer's id). */
  id?: string | undefined;
  sessionId: string;
  role: Message['role'];
  text: string;
  status: Message['status'];
  provenance?: Message['provenance'] | undefined;
  error?: Message['error'] | undefined;
  /** The profile asked for this answer (a compare session's column). */
  profileId?: string | null | undefined;
}

export const MAX_SEARCH_LIMIT = 1000;

type Stmt<P extends unknown[], R = unknown> = BetterSqlite3.Statement<P, R>;

const SESSION_COLUMNS = 's.id, s.title, s.kind, s.profile_id, s.created_at, s.updated_at, s.message_count';
const MESSAGE_COLUMNS = 'id, session_id, role, text, status, provenance, error, profile_id, created_at';

/** SQLite behind one typed interface: every read and write of sessions and messages goes through here. */
export class ChatStore {
  private readonly timed: <T>(op: string, fn: () => T) => T;
  // Prepared once: SQLite compiles each statement a single time per connection.
  private readonly q: {
    listSessions: Stmt<[], SessionRow>;
    getSession: Stmt<[string], SessionRow>;
    insertSession: Stmt<[string, string, SessionKind, string | null, number, number]>;
    renameSession: Stmt<[string, string]>;
    setSessionProfile: Stmt<[string | null, string]>;
    deleteSession: Stmt<[string]>;
    optimizeIndex: Stmt<[]>;
    touchSession: Stmt<[number, string]>;
    listMessages: Stmt<[string], MessageRow>;
    getMessage: Stmt<[string], MessageRow>;
    insertMessage: Stmt<[string, string, string, string, string, string | null, string | null, string | null, number], { seq: number }>;
    insertIndex: Stmt<[number, string, string]>;
    deleteMessage: Stmt<[string]>;
    saveStreamingText: Stmt<[string, string]>;
    finishAnswer: Stmt<[string, string, string | null, string | null, string], { seq: number; session_id: string; profile_id: string | null; created_at: number }>;
    listStreaming: Stmt<[], { id: string; session_id: string; text: string }>;
    search: Stmt<[string, number], SearchRow>;
    schemaVersion: Stmt<[], { version: number | null }>;
  };

  private constructor(private readonly db: Db, options: ChatStoreOptions) {
    this.timed = slowQueryTimer({ db: 'chat', log: options.log ?? silentLog, ...(options.slowQueryMs === undefined ? {} : { thresholdMs: options.slowQueryMs }) });
    this.q = {
      listSessions: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions s ORDER BY s.updated_at DESC, s.created_at DESC, s.id`),
      getSession: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.id = ?`),
      insertSession: db.prepare('INSERT INTO sessions (id, title, kind, profile_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)'),
      renameSession: db.prepare('UPDATE sessions SET title = ? WHERE id = ?'),
      setSessionProfile: db.prepare('UPDATE sessions SET profile_id = ? WHERE id = ?'),
      deleteSession: db.prepare('DELETE FROM sessions WHERE id = ?'),
      optimizeIndex: db.prepare("INSERT INTO messages_fts (messages_fts) VALUES ('optimize')"),
      // max(): a clock stepped backwards must not move a session down the list.
      touchSession: db.prepare('UPDATE sessions SET updated_at = max(updated_at, ?) WHERE id = ?'),
      listMessages: db.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session_id = ? ORDER BY seq`),
      getMessage: db.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`),
      // Runs inside a write transaction, so max(seq) + 1 cannot race another writer.
      insertMessage: db.prepare(
        `INSERT INTO messages (id, session_id, seq, role, text, status, provenance, error, profile_id, created_at)
         VALUES (?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM messages), ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
      ),
      insertIndex: db.prepare('INSERT INTO messages_fts (rowid, uni, bi) VALUES (?, ?, ?)'),
      // The AFTER DELETE trigger removes the index row; a session delete cascades the same way.
      deleteMessage: db.prepare('DELETE FROM messages WHERE id = ?'),
      saveStreamingText: db.prepare("UPDATE messages SET text = ? WHERE id = ? AND status = 'streaming'"),
      finishAnswer: db.prepare(
        `UPDATE messages SET text = ?, status = ?, provenance = ?, error = ?
         WHERE id = ? AND status = 'streaming' RETURNING seq, session_id, profile_id, created_at`,
      ),
      listStreaming: db.prepare("SELECT id, session_id, text FROM messages WHERE status = 'streaming'"),
      // bm25: lower is better; ties (rare) go to the newer message.
      search: db.prepare(
        `SELECT m.id, m.session_id, s.title AS session_title, m.role, m.text, m.created_at
         FROM messages_fts
         JOIN messages m ON m.seq = messages_fts.rowid
         JOIN sessions s ON s.id = m.session_id
         WHERE messages_fts MATCH ?
         ORDER BY bm25(messages_fts), m.created_at DESC, m.seq DESC
         LIMIT ?`,
      ),
      schemaVersion: db.prepare('SELECT max(version) AS version FROM schema_version'),
    };
  }

  /** Opens (creating and migrating if needed) the database file; ':memory:' for a throwaway store. */
  static open(file: string, options: ChatStoreOptions = {}): ChatStore {
    return new ChatStore(openDatabase(file, { ...options, migrations: options.migrations ?? chatMigrations }), options);
  }

  close(): void {
    if (!this.db.open) return;
    try {
      this.db.pragma('optimize'); // cheap; keeps the planner's statistics fresh for the next start
    } finally {
      this.db.close();
    }
  }

  schemaVersion(): number {
    return this.q.schemaVersion.get()?.version ?? 0;
  }

  listSessions(): Session[] {
    return this.timed('sessions.list', () => this.q.listSessions.all()).map(toSession);
  }

  getSession(id: string): Session {
    const row = this.timed('sessions.get', () => this.q.getSession.get(id));
    if (!row) throw sessionNotFound(id);
    return toSession(row);
  }

  hasSession(id: string): boolean {
    return this.timed('sessions.get', () => this.q.getSession.get(id)) !== undefined;
  }

  createSession(title: string = DEFAULT_SESSION_TITLE, options: { kind?: SessionKind; profileId?: string | null } = {}): Session {
    const id = randomUUID();
    const now = Date.now();
    const { kind = 'chat', profileId = null } = options;
    if (profileId !== null) checkProfileId(profileId);
    this.timed('sessions.create', () => this.q.insertSession.run(id, title, kind, profileId, now, now));
    return { id, title, kind, profileId, createdAt: now, updatedAt: now, messageCount: 0 };
  }

  /** Renaming does not move the session in the list: only new messages do. */
  renameSession(id: string, title: string): Session {
    const { changes } = this.timed('sessions.rename', () => this.q.renameSession.run(title, id));
    if (changes === 0) throw sessionNotFound(id);
    return this.getSession(id);
  }

  /** The profile the session's next answers come from; like a rename, it does not move the session in the list. */
  setSessionProfile(id: string, profileId: string | null): Session {
    if (profileId !== null) checkProfileId(profileId);
    const { changes } = this.timed('sessions.setProfile', () => this.q.setSessionProfile.run(profileId, id));
    if (changes === 0) throw sessionNotFound(id);
    return this.getSession(id);
  }

  /** Removes the session, its messages and their search index rows, atomically, leaving no byte of their text (see `#purge`). */
  deleteSession(id: string): void {
    this.#purge('sessions.delete', () => {
      if (this.q.deleteSession.run(id).changes === 0) throw sessionNotFound(id);
    });
  }

  /** Removes messages (an answer being regenerated) the same way: atomically, and gone from the files. */
  deleteMessages(ids: readonly string[]): void {
    this.#purge('messages.delete', () => {
      for (const id of ids) if (this.q.deleteMessage.run(id).changes === 0) throw messageNotFound(id);
    });
  }

  /**
   * Deleted text must not stay in the files. secure_delete (set at open) zeroes the freed rows;
   * the contentless index only marks deleted rows, so 'optimize' rewrites its segments without
   * them; the TRUNCATE checkpoint copies the zeroed pages into the database and empties the -wal
   * that still held the text.
   */
  #purge(op: string, remove: () => void): void {
    this.timed(op, () =>
      this.transactional(() => {
        remove();
        this.q.optimizeIndex.run();
      }),
    );
    this.timed(`${op}.checkpoint`, () => this.db.pragma('wal_checkpoint(TRUNCATE)'));
  }

  listMessages(sessionId: string): Message[] {
    return this.timed('messages.list', () =>
      this.transactional(() => {
        const rows = this.q.listMessages.all(sessionId);
        if (rows.length === 0 && !this.q.getSession.get(sessionId)) throw sessionNotFound(sessionId);
        return rows;
      }),
    ).map(toMessage);
  }

  getMessage(id: string): Message {
    const row = this.timed('messages.get', () => this.q.getMessage.get(id));
    if (!row) throw messageNotFound(id);
    return toMessage(row);
  }

  /** Saves a message, indexes it for search and moves its session to the top, in one transaction. */
  addMessage(input: NewMessage): Message {
    const { id = randomUUID(), ...rest } = input;
    const fields = validateMessage(rest);
    const now = Date.now();
    const { uni, bi } = indexColumns(fields.text);
    this.timed('messages.add', () =>
      this.transactional(() => {
        if (this.q.touchSession.run(now, fields.sessionId).changes === 0) throw sessionNotFound(fields.sessionId);
        const provenance = fields.provenance ? JSON.stringify(fields.provenance) : null;
        const error = fields.error ? JSON.stringify(fields.error) : null;
        const inserted = this.q.insertMessage.get(id, fields.sessionId, fields.role, fields.text, fields.status, provenance, error, fields.profileId, now);
        this.q.insertIndex.run(inserted!.seq, uni, bi);
      }),
    );
    return { id, ...fields, createdAt: now };
  }

  /**
   * The row of an answer that starts streaming: empty, `streaming`, not yet searchable. Its text
   * is saved as it grows (`saveStreamingText`) and it ends once (`finishAnswer`).
   */
  beginAnswer(id: string, sessionId: string, profileId: string | null = null): void {
    if (profileId !== null) checkProfileId(profileId);
    const now = Date.now();
    this.timed('messages.begin', () =>
      this.transactional(() => {
        if (this.q.touchSession.run(now, sessionId).changes === 0) throw sessionNotFound(sessionId);
        this.q.insertMessage.get(id, sessionId, 'assistant', '', 'streaming', null, null, profileId, now);
      }),
    );
  }

  /** One small write; a row that has ended (or was deleted with its session) is left alone. */
  saveStreamingText(id: string, text: string): void {
    this.timed('messages.stream', () => this.q.saveStreamingText.run(text, id));
  }

  /** Ends a streaming answer with its final text, status and provenance, and indexes it for search. */
  finishAnswer(id: string, fields: Pick<Message, 'text' | 'status' | 'provenance' | 'error'>): Message {
    if (fields.status === 'streaming') throw new XinglinError('INVALID_INPUT', '结束的回答不能仍是“生成中”状态', { field: 'status' });
    const { uni, bi } = indexColumns(fields.text);
    const now = Date.now();
    const row = this.timed('messages.finish', () =>
      this.transactional(() => {
        const ended = this.q.finishAnswer.get(fields.text, fields.status, fields.provenance ? JSON.stringify(fields.provenance) : null, fields.error ? JSON.stringify(fields.error) : null, id);
        if (!ended) throw messageNotFound(id);
        this.q.insertIndex.run(ended.seq, uni, bi);
        this.q.touchSession.run(now, ended.session_id);
        return ended;
      }),
    );
    return { id, sessionId: row.session_id, role: 'assistant', ...fields, profileId: row.profile_id, createdAt: row.created_at };
  }

  /**
   * At start: answers left `streaming` were cut off by a crash of the app; they keep their saved
   * text and become `interrupted`. Returns how many.
   */
  interruptStreaming(): number {
    const rows = this.q.listStreaming.all();
    for (const row of rows) this.finishAnswer(row.id, { text: row.text, status: 'interrupted', provenance: null, error: null });
    return rows.length;
  }

  /**
   * Full-text search over every message: best bm25 rank first, then the newest. A query with
   * nothing searchable in it (punctuation, emoji, FTS operators alone) finds nothing; it never throws.
   */
  search(query: string, limit: number = 50): SearchHit[] {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT) {
      throw new XinglinError('INVALID_INPUT', `搜索结果数量必须是 1 到 ${MAX_SEARCH_LIMIT} 之间的整数`, { field: 'limit', max: MAX_SEARCH_LIMIT });
    }
    const pieces = queryPieces(String(query));
    const match = ftsQuery(pieces);
    if (match === null) return [];
    const rows = this.timed('messages.search', () => this.q.search.all(match, limit));
    return rows.map((row) => toSearchHit(row, makeSnippet(row.text, pieces)));
  }

  /**
   * Runs `fn` in one transaction (a savepoint when nested): all of its writes or none. `fn` must be
   * synchronous; better-sqlite3 would commit before an awaited promise settles.
   */
  transaction<T>(fn: () => T): T {
    return this.transactional(() => {
      const result = fn();
      if (result !== null && typeof (result as { then?: unknown } | undefined)?.then === 'function') {
        throw new XinglinError('INTERNAL', '数据库事务不能包含异步操作，已回滚');
      }
      return result;
    });
  }

  private transactional<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}

function checkProfileId(profileId: string): void {
  if (!ProfileId.safeParse(profileId).success) throw new XinglinError('INVALID_INPUT', '配置标识无效（profileId）', { field: 'profileId' });
}

function sessionNotFound(id: string): XinglinError {
  return new XinglinError('NOT_FOUND', `找不到会话（id：${id}），它可能已被删除`, { entity: 'session', id });
}

function messageNotFound(id: string): XinglinError {
  return new XinglinError('NOT_FOUND', `找不到消息（id：${id}），它可能已被删除`, { entity: 'message', id });
}

/** The store is a boundary too: a wrong role or a malformed provenance never reaches the file. */
function validateMessage(input: NewMessage): Omit<Message, 'id' | 'createdAt'> {
  const invalid = (field: string, what: string): XinglinError =>
    new XinglinError('INVALID_INPUT', `消息的${what}无效（${field}）`, { field });
  if (typeof input.sessionId !== 'string' || input.sessionId.length === 0) throw invalid('sessionId', '会话 id');
  if (typeof input.text !== 'string') throw invalid('text', '内容');
  const role = MessageRole.safeParse(input.role);
  if (!role.success) throw invalid('role', '角色');
  const status = MessageStatus.safeParse(input.status);
  if (!status.success) throw invalid('status', '状态');
  let provenance: Message['provenance'] = null;
  if (input.provenance != null) {
    const parsed = Provenance.safeParse(input.provenance);
    if (!parsed.success) throw invalid('provenance', '来源信息');
    provenance = parsed.data;
  }
  let error: Message['error'] = null;
  if (input.error != null) {
    if (typeof input.error.code !== 'string' || typeof input.error.message !== 'string') throw invalid('error', '错误信息');
    error = { code: input.error.code, message: input.error.message };
  }
  const profileId = input.profileId ?? null;
  if (profileId !== null) checkProfileId(profileId);
  return { sessionId: input.sessionId, role: role.data, text: input.text, status: status.data, provenance, error, profileId };
}
