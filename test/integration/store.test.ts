import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MARK_END, MARK_START, type Provenance } from '../../src-main/contract/index.js';
import { chatMigrations as migrations, ChatStore as Store } from '../../src-main/core/chat/index.js';
import type { LogEvent, Logger } from '../../src-main/core/log.js';
import { expectError } from '../helpers/errors.js';
import { olderChatDb } from '../helpers/older-chat-db.js';

const LATEST_SCHEMA_VERSION = migrations.at(-1)!.version;

const posix = process.platform !== 'win32';
const GOUT = '患者三天前出现左足第一跖趾关节红肿，考虑痛风急性发作。';
const DIZZY = '女，62岁，反复头晕两周，晨起明显，伴恶心，无视物旋转，血压160/95 mmHg。';

let dir: string;
let file: string;
let open: Store[] = [];

function openStore(f = file, options?: Parameters<typeof Store.open>[1]): Store {
  const store = Store.open(f, options);
  open.push(store);
  return store;
}

/** A second, raw connection to look at what the store wrote. */
function raw(f = file): Database.Database {
  return new Database(f, { readonly: true, fileMustExist: true });
}

const strip = (s: string): string => s.replaceAll(MARK_START, '').replaceAll(MARK_END, '');

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-'));
  file = path.join(dir, 'data', 'xinglin.db');
});

afterEach(() => {
  for (const store of open) store.close();
  open = [];
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('store: file and schema', () => {
  it('applies the migrations and records each version', () => {
    const store = openStore();
    expect(store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    const db = raw();
    const rows = db.prepare('SELECT version, name, applied_at FROM schema_version ORDER BY version').all() as Array<{ version: number; name: string; applied_at: number }>;
    db.close();
    expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    for (const row of rows) {
      expect(row.name.length).toBeGreaterThan(0);
      expect(Math.abs(row.applied_at - Date.now())).toBeLessThan(60_000);
    }
  });

  it('keeps sessions and messages across a restart', () => {
    const first = openStore();
    const session = first.createSession('门诊 3 号');
    const message = first.addMessage({ sessionId: session.id, role: 'user', text: GOUT, status: 'complete' });
    first.close();

    const second = openStore();
    expect(second.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    expect(second.listSessions()).toEqual([{ ...session, updatedAt: message.createdAt, messageCount: 1 }]);
    expect(second.listMessages(session.id)).toEqual([message]);
    expect(second.search('痛风', 10).map((h) => h.messageId)).toEqual([message.id]);
  });

  it.runIf(posix)('creates the folder 0700 and the file 0600, WAL included, and leaves an existing file mode alone', () => {
    const store = openStore();
    const session = store.createSession('x');
    store.addMessage({ sessionId: session.id, role: 'user', text: GOUT, status: 'complete' });
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(`${file}-wal`).mode & 0o777).toBe(0o600);

    const existing = path.join(dir, 'existing.db');
    fs.writeFileSync(existing, '');
    fs.chmodSync(existing, 0o640);
    openStore(existing);
    expect(fs.statSync(existing).mode & 0o777).toBe(0o640);
  });

  it('uses WAL journaling', () => {
    openStore();
    const db = raw();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses a database written by a newer app', () => {
    openStore().close();
    const db = new Database(file);
    db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(LATEST_SCHEMA_VERSION + 1, 'from the future', Date.now());
    db.close();
    const error = expectError(() => openStore(), 'DATABASE_NEWER');
    expect(error.message).toContain('更新版本');
    expect(error.details).toMatchObject({ version: LATEST_SCHEMA_VERSION + 1, supported: LATEST_SCHEMA_VERSION });
  });

  it('rolls back a failing migration step and keeps the previous version', () => {
    openStore().close();
    const failing = [...migrations, { version: LATEST_SCHEMA_VERSION + 1, name: 'broken', up: (d: Database.Database) => d.exec('CREATE TABLE half (x); SELECT * FROM no_such_table;') }];
    const error = expectError(() => openStore(file, { migrations: failing }), 'MIGRATION_FAILED');
    expect(error.message).toContain('数据库升级失败');
    const db = raw();
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'").get()).toEqual({ n: 0 });
    db.close();
    expect(openStore().schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
  });

  it('names a corrupt file in a typed error', () => {
    const bad = path.join(dir, 'bad.db');
    fs.writeFileSync(bad, 'this is not a database, just some text that is long enough to have a header'.repeat(20));
    const error = expectError(() => openStore(bad), 'DATABASE_CORRUPT');
    expect(error.message).toContain(bad);
  });
});

describe('store: sessions and messages', () => {
  it('lists sessions newest activity first, with message counts', () => {
    let now = 1_700_000_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => (now += 1000));
    const store = openStore();
    const a = store.createSession('甲');
    const b = store.createSession('乙');
    expect(store.listSessions().map((s) => s.title)).toEqual(['乙', '甲']);
    const m = store.addMessage({ sessionId: a.id, role: 'user', text: '头晕', status: 'complete' });
    store.addMessage({ sessionId: a.id, role: 'assistant', text: '请测血压', status: 'complete' });
    const list = store.listSessions();
    expect(list.map((s) => [s.title, s.messageCount])).toEqual([['甲', 2], ['乙', 0]]);
    expect(list[0]!.updatedAt).toBeGreaterThan(m.createdAt);
    expect(store.renameSession(b.id, '乙（复诊）')).toMatchObject({ id: b.id, title: '乙（复诊）', updatedAt: b.updatedAt });
    expect(store.getSession(b.id).title).toBe('乙（复诊）');
  });

  it('keeps message order and round-trips provenance and errors', () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000); // same millisecond: seq keeps the order
    const store = openStore();
    const s = store.createSession('x');
    const provenance: Provenance = {
      mode: 'llm',
      appVersion: '0.1.0',
      model: { file: 'qwen.gguf', sha256: 'ab'.repeat(32), sizeBytes: 1234 },
      adapters: [{ file: 'lora/tcm.gguf', sha256: 'cd'.repeat(32), sizeBytes: 99, scale: 0.5 }],
      template: 'chatml',
      sampling: { temperature: 0.3, topK: 40, topP: 0.9, seed: 42, maxTokens: 1024 },
    };
    const texts = ['一', '二', '三', '四', '五'];
    const added = texts.map((text, i) =>
      store.addMessage({
        sessionId: s.id,
        role: i % 2 ? 'assistant' : 'user',
        text,
        status: i === 4 ? 'error' : 'complete',
        provenance: i % 2 ? provenance : null,
        error: i === 4 ? { code: 'GENERATION_FAILED', message: '生成失败' } : null,
      }),
    );
    const listed = store.listMessages(s.id);
    expect(listed).toEqual(added);
    expect(listed.map((m) => m.text)).toEqual(texts);
    expect(listed[1]!.provenance).toEqual(provenance);
    expect(listed[4]!.error).toEqual({ code: 'GENERATION_FAILED', message: '生成失败' });
    expect(store.getMessage(added[2]!.id)).toEqual(added[2]);
  });

  it('refuses malformed messages with INVALID_INPUT and writes nothing', () => {
    const store = openStore();
    const s = store.createSession('x');
    expectError(() => store.addMessage({ sessionId: s.id, role: 'system' as never, text: 'x', status: 'complete' }), 'INVALID_INPUT');
    expectError(() => store.addMessage({ sessionId: s.id, role: 'user', text: 'x', status: 'done' as never }), 'INVALID_INPUT');
    expectError(() => store.addMessage({ sessionId: s.id, role: 'assistant', text: 'x', status: 'complete', provenance: { mode: 'x' } as never }), 'INVALID_INPUT');
    expect(store.listMessages(s.id)).toEqual([]);
  });

  it('deleting a session cascades to its messages and their search hits', () => {
    const store = openStore();
    const keep = store.createSession('保留');
    const drop = store.createSession('删除');
    store.addMessage({ sessionId: drop.id, role: 'user', text: GOUT, status: 'complete' });
    store.addMessage({ sessionId: drop.id, role: 'assistant', text: '痛风急性期可用秋水仙碱。', status: 'complete' });
    const kept = store.addMessage({ sessionId: keep.id, role: 'user', text: '痛风病史十年', status: 'complete' });
    expect(store.search('痛风', 10)).toHaveLength(3);

    store.deleteSession(drop.id);
    expect(store.search('痛风', 10).map((h) => h.messageId)).toEqual([kept.id]);
    expect(store.search('秋水仙碱', 10)).toEqual([]);
    expectError(() => store.listMessages(drop.id), 'NOT_FOUND');
    const db = raw();
    expect(db.prepare('SELECT count(*) AS n FROM messages').get()).toEqual({ n: 1 });
    db.close();
  });

  it('deleting a message removes its search hit, and a reused position indexes only the new text', () => {
    const store = openStore();
    const s = store.createSession('x');
    store.addMessage({ sessionId: s.id, role: 'user', text: '头晕', status: 'complete' });
    const last = store.addMessage({ sessionId: s.id, role: 'assistant', text: GOUT, status: 'complete' });
    store.deleteMessages([last.id]);
    expect(store.search('痛风', 10)).toEqual([]);
    const next = store.addMessage({ sessionId: s.id, role: 'assistant', text: '建议测量血压', status: 'complete' });
    expect(store.search('痛风', 10)).toEqual([]);
    expect(store.search('血压', 10).map((h) => h.messageId)).toEqual([next.id]);
    expect(store.listMessages(s.id).map((m) => m.text)).toEqual(['头晕', '建议测量血压']);
  });

  it('keeps each session’s message count as messages are added and deleted, and through a deleted session', () => {
    const store = openStore();
    const a = store.createSession('甲');
    const b = store.createSession('乙');
    const ids = ['头晕', '胸闷', '心悸'].map((text) => store.addMessage({ sessionId: a.id, role: 'user', text, status: 'complete' }).id);
    store.addMessage({ sessionId: b.id, role: 'user', text: '发热', status: 'complete' });
    store.deleteMessages(ids.slice(1));
    const counts = () => Object.fromEntries(store.listSessions().map((s) => [s.title, s.messageCount]));
    expect(counts()).toEqual({ 甲: 1, 乙: 1 });
    store.deleteSession(a.id);
    expect(counts()).toEqual({ 乙: 1 });
    const db = raw();
    // Kept by the file's triggers, so a count written by any connection agrees with the rows.
    expect(db.prepare('SELECT message_count AS kept, (SELECT count(*) FROM messages m WHERE m.session_id = s.id) AS rows FROM sessions s').all()).toEqual([{ kept: 1, rows: 1 }]);
    db.close();
  });

  it('answers unknown ids with NOT_FOUND in Chinese, naming the id', () => {
    const store = openStore();
    const id = 'no-such-id';
    for (const fn of [
      () => store.getSession(id),
      () => store.renameSession(id, '新标题'),
      () => store.deleteSession(id),
      () => store.listMessages(id),
      () => store.addMessage({ sessionId: id, role: 'user', text: 'x', status: 'complete' }),
      () => store.getMessage(id),
      () => store.deleteMessages([id]),
    ]) {
      const error = expectError(fn, 'NOT_FOUND');
      expect(error.message).toMatch(/找不到(会话|消息)/u);
      expect(error.message).toContain(id);
    }
  });

  it('rolls back every write of a failed transaction', () => {
    const store = openStore();
    const s = store.createSession('x');
    expect(() =>
      store.transaction(() => {
        store.addMessage({ sessionId: s.id, role: 'user', text: '痛风', status: 'complete' });
        store.createSession('y');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.listSessions()).toHaveLength(1);
    expect(store.search('痛风', 10)).toEqual([]);
    expect(store.transaction(() => store.addMessage({ sessionId: s.id, role: 'user', text: '痛风', status: 'complete' }).text)).toBe('痛风');
    expect(store.search('痛风', 10)).toHaveLength(1);
  });

  it('a second connection to the same file sees committed writes', () => {
    const a = openStore();
    const b = openStore();
    const s = a.createSession('x');
    a.addMessage({ sessionId: s.id, role: 'user', text: DIZZY, status: 'complete' });
    expect(b.search('头晕', 5)).toHaveLength(1);
  });

  it('logs slow operations as JSON without any message or query text', () => {
    const entries: Array<LogEvent & { level: string }> = [];
    const log: Logger = { info: (e) => entries.push({ ...e, level: 'info' }), warn: (e) => entries.push({ ...e, level: 'warn' }), error: (e) => entries.push({ ...e, level: 'error' }) };
    const store = openStore(file, { slowQueryMs: -1, log });
    const s = store.createSession('张三的病历');
    store.addMessage({ sessionId: s.id, role: 'user', text: GOUT, status: 'complete' });
    store.search('痛风', 5);
    store.listMessages(s.id);
    expect(entries.map((e) => (e.event === 'db.slow_query' ? e.op : e.event))).toEqual(['sessions.create', 'messages.add', 'messages.search', 'messages.list']);
    const logged = JSON.stringify(entries);
    for (const secret of ['张三', '痛风', '跖趾', s.id]) expect(logged).not.toContain(secret);
    expect(entries[2]).toMatchObject({ level: 'warn', event: 'db.slow_query', db: 'chat', rows: 1 });
  });
});

describe('store: full-text search', () => {
  let store: Store;
  let ids: Record<string, string>;

  beforeEach(() => {
    let now = 1_700_000_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => (now += 1000));
    store = openStore();
    const s = store.createSession('痛风随访');
    const t = store.createSession('头晕待查');
    const add = (sessionId: string, role: 'user' | 'assistant', text: string): string =>
      store.addMessage({ sessionId, role, text, status: 'complete' }).id;
    ids = {
      gout: add(s.id, 'user', GOUT),
      goutMany: add(s.id, 'assistant', '痛风的诊断：痛风发作时关节红肿热痛，痛风石提示慢性痛风。'),
      dizzy: add(t.id, 'user', DIZZY),
      english: add(t.id, 'assistant', 'Consider Benign Paroxysmal Positional Vertigo (BPPV); check blood pressure again.'),
      separated: add(t.id, 'user', '既往痛风，风湿免疫科随诊。'),
    };
  });

  it('finds two-character Chinese terms inside longer sentences', () => {
    expect(store.search('痛风', 10).map((h) => h.messageId).sort()).toEqual([ids.gout, ids.goutMany, ids.separated].sort());
    const dizzy = store.search('头晕', 10);
    expect(dizzy.map((h) => h.messageId)).toEqual([ids.dizzy]);
    expect(dizzy[0]).toMatchObject({ sessionTitle: '头晕待查', role: 'user' });
  });

  it('finds longer terms as exact phrases, and single characters', () => {
    expect(store.search('跖趾关节', 10).map((h) => h.messageId)).toEqual([ids.gout]);
    expect(store.search('痛风急性发作', 10).map((h) => h.messageId)).toEqual([ids.gout]);
    expect(store.search('急性痛风', 10)).toEqual([]); // same characters, not the same phrase
    expect(store.search('痛风风湿', 10)).toEqual([]); // never across punctuation
    expect(store.search('晕', 10).map((h) => h.messageId)).toEqual([ids.dizzy]);
  });

  it('finds English words case-insensitively, including mixed queries', () => {
    expect(store.search('vertigo', 10).map((h) => h.messageId)).toEqual([ids.english]);
    expect(store.search('BPPV', 10).map((h) => h.messageId)).toEqual([ids.english]);
    expect(store.search('BLOOD pressure', 10).map((h) => h.messageId)).toEqual([ids.english]);
    expect(store.search('mmHg 头晕', 10).map((h) => h.messageId)).toEqual([ids.dizzy]);
    expect(store.search('vertigo 头晕', 10)).toEqual([]); // terms are ANDed
  });

  it('ranks the message with more matches first', () => {
    const hits = store.search('痛风', 10);
    expect(hits[0]!.messageId).toBe(ids.goutMany);
  });

  it('breaks rank ties by recency and respects the limit', () => {
    const s = store.createSession('重复');
    const older = store.addMessage({ sessionId: s.id, role: 'user', text: '复诊：尿酸偏高', status: 'complete' });
    const newer = store.addMessage({ sessionId: s.id, role: 'user', text: '复诊：尿酸偏高', status: 'complete' });
    expect(store.search('尿酸', 10).map((h) => h.messageId)).toEqual([newer.id, older.id]);
    expect(store.search('痛风', 2)).toHaveLength(2);
    expect(store.search('痛风', 1)).toHaveLength(1);
    expectError(() => store.search('痛风', 0), 'INVALID_INPUT');
  });

  it('builds the snippet from the original text with the term marked', () => {
    const [hit] = store.search('痛风', 10).filter((h) => h.messageId === ids.gout);
    expect(hit!.snippet).toContain(`${MARK_START}痛风${MARK_END}`);
    expect(GOUT).toContain(strip(hit!.snippet)); // original characters, punctuation included; no bigrams
    const [english] = store.search('bppv', 10);
    expect(english!.snippet).toContain(`${MARK_START}BPPV${MARK_END}`);
  });

  it('cuts a long message to about 60 characters around the first match', () => {
    const s = store.createSession('长病历');
    const text = '现病史：'.repeat(30) + '突发头晕伴呕吐' + '。既往高血压病史'.repeat(20);
    const long = store.addMessage({ sessionId: s.id, role: 'user', text, status: 'complete' });
    const hit = store.search('头晕', 10).find((h) => h.messageId === long.id);
    expect(hit!.snippet.startsWith('…') && hit!.snippet.endsWith('…')).toBe(true);
    expect(Array.from(strip(hit!.snippet)).length).toBe(62);
    expect(text).toContain(strip(hit!.snippet).slice(1, -1));
    expect(hit!.snippet).toContain(`${MARK_START}头晕${MARK_END}`);
  });

  it('never throws on hostile queries', () => {
    const hostile = ['"', '*', 'NEAR(', 'a OR', '-', "')--", '😀', 'NOT', 'AND AND', '痛风"', '"痛风" OR "头晕"', 'bi:痛风', '{uni bi}: x', '^', '(', ')', '\\', "'; DROP TABLE messages; --", '\u0000', '\uE000', ' ', '痛风*', '-痛风', 'x'.repeat(5000)];
    for (const q of hostile) expect(() => store.search(q, 10), q).not.toThrow();
    expect(store.search('"', 10)).toEqual([]);
    expect(store.search('"痛风" OR "头晕"', 10).map((h) => h.messageId)).toEqual([]); // ANDed words, not an OR
    expect(store.search('痛风*', 10)).toHaveLength(3);
    expect(store.listMessages(store.listSessions()[0]!.id).length).toBeGreaterThan(0);
  });
});

describe('store: answers saved while they stream', () => {
  it('keeps a streaming answer’s saved text, unsearchable until it ends, then indexed', () => {
    const store = openStore();
    const session = store.createSession();
    store.addMessage({ sessionId: session.id, role: 'user', text: '头晕怎么办？', status: 'complete' });
    store.beginAnswer('a1', session.id);
    store.saveStreamingText('a1', DIZZY.slice(0, 10));
    expect(store.listMessages(session.id).at(-1)).toMatchObject({ id: 'a1', status: 'streaming', text: DIZZY.slice(0, 10) });
    expect(store.search('头晕').map((hit) => hit.messageId)).not.toContain('a1');

    const ended = store.finishAnswer('a1', { text: DIZZY, status: 'complete', provenance: null, error: null });
    expect(ended).toMatchObject({ id: 'a1', sessionId: session.id, role: 'assistant', status: 'complete', text: DIZZY });
    expect(store.search('晨起明显').map((hit) => hit.messageId)).toEqual(['a1']);
    // Once ended, the text is fixed: the index cannot go stale.
    store.saveStreamingText('a1', 'changed');
    expect(store.getMessage('a1').text).toBe(DIZZY);
    expectError(() => store.finishAnswer('a1', { text: 'again', status: 'complete', provenance: null, error: null }), 'NOT_FOUND');
  });

  it('marks answers left streaming by a crash as interrupted at the next open, with their text, searchable', () => {
    const crashed = openStore();
    const session = crashed.createSession();
    crashed.beginAnswer('cut', session.id);
    crashed.saveStreamingText('cut', GOUT);
    // The app dies here: the row is never finished.
    const reopened = openStore();
    expect(reopened.interruptStreaming()).toBe(1);
    expect(reopened.getMessage('cut')).toMatchObject({ status: 'interrupted', text: GOUT, error: null });
    expect(reopened.search('跖趾关节').map((hit) => hit.messageId)).toEqual(['cut']);
    expect(reopened.interruptStreaming()).toBe(0);
  });

  it('upgrades a version-1 database in place: rows, order and search intact, deletes still clean the index', () => {
    const v1 = olderChatDb(file, 1);
    const sessionId = v1.session('旧会话');
    const first = v1.message(sessionId, 'user', GOUT, 'complete');
    const second = v1.message(sessionId, 'assistant', DIZZY, 'stopped');
    v1.close();

    const upgraded = openStore();
    expect(upgraded.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    expect(upgraded.listMessages(sessionId).map((m) => [m.id, m.status, m.text])).toEqual([
      [first, 'complete', GOUT],
      [second, 'stopped', DIZZY],
    ]);
    expect(upgraded.search('跖趾关节').map((hit) => hit.messageId)).toEqual([first]);
    upgraded.deleteMessages([first]);
    expect(upgraded.search('跖趾关节')).toEqual([]);
    expect(raw().pragma('integrity_check', { simple: true })).toBe('ok');
  });
});
