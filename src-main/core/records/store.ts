import { randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { z } from 'zod';
import { AuditEntry, ErrorData, Finding, RecordKind, RecordProvenance, RecordSection, sectionText, Turn, XinglinError } from '../../contract/index.js';
import type { RecordAddendum, RecordSummary, RecordVersion } from '../../contract/index.js';
import { openDatabase, slowQueryTimer, type Db, type OpenDatabaseOptions } from '../db/index.js';
import { silentLog, type Logger } from '../log.js';
import { recordMigrations } from './migrations/index.js';
import { toAddendum, toAuditEntry, toStoredRecord, toSummary, toVersion, type AddendumRow, type AuditRow, type RecordRow, type StoredRecord, type SummaryRow, type VersionRow } from './rows.js';

export type { StoredRecord } from './rows.js';

export interface RecordStoreOptions extends Partial<OpenDatabaseOptions> {
  /** Operations slower than this are logged (default 50 ms). */
  slowQueryMs?: number;
  log?: Logger;
}

export interface NewRecord {
  kind: RecordKind;
  templateId: string;
  department: string;
  sessionId: string | null;
  dialogue: Turn[];
  findings: Finding[];
  /** Version 1: the draft as generated. */
  sections: RecordSection[];
  provenance: RecordProvenance;
  author: string;
  /** `drafting` when the model goes on to rewrite it. */
  state: 'draft' | 'drafting';
}

export interface ModelDraft {
  sections: RecordSection[];
  provenance: RecordProvenance;
  author: string;
}

export type NewAuditEntry = Omit<AuditEntry, 'at'>;

/** Who writes the audit lines no person caused (a model draft cut off by a crash). */
export const SYSTEM_ACTOR = '杏林';
/** The list shows the 主诉 up to this many characters. */
export const TITLE_CHARS = 40;
export const MAX_LIST_LIMIT = 1000;

const INTERRUPTED: ErrorData = { code: 'RUNTIME_CRASHED', message: '起草在应用退出时中断，已保留规则草稿' };

type Stmt<P extends unknown[], R = unknown> = BetterSqlite3.Statement<P, R>;
type Head = Pick<RecordRow, 'state' | 'version' | 'signed_at' | 'signed_by' | 'drafting_sections'>;
type Refusal = XinglinError;

const SUMMARY_COLUMNS = 'id, kind, department, title, state, version, created_at, updated_at, signed_at, signed_by';

/**
 * SQLite behind one typed interface: every read and write of records, their versions, addenda and
 * audit trail goes through here. What may change is enforced twice: here, with a message for the
 * doctor, and by the file's triggers, which refuse the same writes from any connection.
 */
export class RecordStore {
  private readonly timed: <T>(op: string, fn: () => T) => T;
  private readonly q: {
    list: Stmt<[number], SummaryRow>;
    get: Stmt<[string], RecordRow>;
    head: Stmt<[string], Head>;
    versionInfo: Stmt<[string, number], Pick<VersionRow, 'author' | 'saved_at'>>;
    versionSections: Stmt<[string, number], { sections: string }>;
    insertRecord: Stmt<[string, string, string, string, string | null, string, string, string, string, string, number, number]>;
    insertVersion: Stmt<[string, number, string, number, string, string]>;
    advance: Stmt<[number, string, number, string]>;
    sign: Stmt<[number, number, string, number, string]>;
    saveDrafting: Stmt<[string, string]>;
    endDrafting: Stmt<[number, string | null, string | null, string | null, number, string]>;
    listDrafting: Stmt<[], { id: string }>;
    versions: Stmt<[string], VersionRow>;
    addenda: Stmt<[string], AddendumRow>;
    insertAddendum: Stmt<[string, string, string, string, number]>;
    audit: Stmt<[string], AuditRow>;
    insertAudit: Stmt<[string, number, string, string, number | null, string]>;
  };

  private constructor(private readonly db: Db, options: RecordStoreOptions) {
    this.timed = slowQueryTimer({ db: 'records', log: options.log ?? silentLog, ...(options.slowQueryMs === undefined ? {} : { thresholdMs: options.slowQueryMs }) });
    this.q = {
      list: db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM records ORDER BY created_at DESC, id LIMIT ?`),
      get: db.prepare(
        `SELECT r.*, v.sections FROM records r
         JOIN record_versions v ON v.record_id = r.id AND v.version = r.version WHERE r.id = ?`,
      ),
      head: db.prepare('SELECT state, version, signed_at, signed_by, drafting_sections FROM records WHERE id = ?'),
      versionInfo: db.prepare('SELECT author, saved_at FROM record_versions WHERE record_id = ? AND version = ?'),
      versionSections: db.prepare('SELECT sections FROM record_versions WHERE record_id = ? AND version = ?'),
      insertRecord: db.prepare(
        `INSERT INTO records (id, kind, template_id, department, session_id, state, version, title, dialogue, findings, provenance, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)`,
      ),
      insertVersion: db.prepare('INSERT INTO record_versions (record_id, version, author, saved_at, action, sections) VALUES (?, ?, ?, ?, ?, ?)'),
      // max(): a clock stepped backwards must not make a record look older than it is.
      advance: db.prepare('UPDATE records SET version = ?, title = ?, updated_at = max(updated_at, ?) WHERE id = ?'),
      sign: db.prepare(
        "UPDATE records SET state = 'signed', version = ?, signed_at = ?, signed_by = ?, updated_at = max(updated_at, ?) WHERE id = ?",
      ),
      saveDrafting: db.prepare("UPDATE records SET drafting_sections = ? WHERE id = ? AND state = 'drafting'"),
      // Ends a model draft either way: its version (and title, provenance) or the error that stopped it.
      endDrafting: db.prepare(
        `UPDATE records SET state = 'draft', version = ?, title = coalesce(?, title), provenance = coalesce(?, provenance),
         draft_error = ?, drafting_sections = NULL, updated_at = max(updated_at, ?) WHERE id = ?`,
      ),
      listDrafting: db.prepare("SELECT id FROM records WHERE state = 'drafting'"),
      versions: db.prepare('SELECT version, author, saved_at, action, sections FROM record_versions WHERE record_id = ? ORDER BY version'),
      addenda: db.prepare('SELECT id, text, author, created_at FROM record_addenda WHERE record_id = ? ORDER BY created_at, rowid'),
      insertAddendum: db.prepare('INSERT INTO record_addenda (id, record_id, text, author, created_at) VALUES (?, ?, ?, ?, ?)'),
      audit: db.prepare('SELECT at, actor, action, version, details FROM record_audit WHERE record_id = ? ORDER BY seq'),
      insertAudit: db.prepare('INSERT INTO record_audit (record_id, at, actor, action, version, details) VALUES (?, ?, ?, ?, ?, ?)'),
    };
  }

  /** Opens (creating and migrating if needed) the database file; ':memory:' for a throwaway store. */
  static open(file: string, options: RecordStoreOptions = {}): RecordStore {
    return new RecordStore(openDatabase(file, { ...options, migrations: options.migrations ?? recordMigrations }), options);
  }

  close(): void {
    if (!this.db.open) return;
    try {
      this.db.pragma('optimize');
    } finally {
      this.db.close();
    }
  }

  /** Saves a new record with its first version and audit line; returns its id. */
  create(input: NewRecord): string {
    const kind = parse(RecordKind, input.kind, 'kind');
    const templateId = parse(Name, input.templateId, 'templateId');
    const department = parse(Name, input.department, 'department');
    const sessionId = input.sessionId === null ? null : parse(Name, input.sessionId, 'sessionId');
    const dialogue = parse(z.array(Turn), input.dialogue, 'dialogue');
    const findings = parse(z.array(Finding), input.findings, 'findings');
    const sections = parse(Sections, input.sections, 'sections');
    const provenance = parse(RecordProvenance, input.provenance, 'provenance');
    const author = parse(Actor, input.author, 'author');
    const state = parse(z.enum(['draft', 'drafting']), input.state, 'state');
    const id = randomUUID();
    const now = Date.now();
    this.timed('records.create', () =>
      this.tx(() => {
        this.q.insertRecord.run(id, kind, templateId, department, sessionId, state, recordTitle(sections), JSON.stringify(dialogue), JSON.stringify(findings), JSON.stringify(provenance), now, now);
        this.q.insertVersion.run(id, 1, author, now, 'draft', JSON.stringify(sections));
        this.writeAudit(id, now, author, 'draft', 1, { provenance });
      }),
    );
    return id;
  }

  get(id: string): StoredRecord {
    return this.timed('records.get', () =>
      this.tx(() => {
        const row = this.q.get.get(id);
        if (!row) throw recordNotFound(id);
        return toStoredRecord(row, this.q.addenda.all(id));
      }),
    );
  }

  /** Newest first (by the time of the visit: editing a record does not move it). */
  list(limit: number = 200): RecordSummary[] {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new XinglinError('INVALID_INPUT', `病历列表数量必须是 1 到 ${MAX_LIST_LIMIT} 之间的整数`, { field: 'limit', max: MAX_LIST_LIMIT });
    }
    return this.timed('records.list', () => this.q.list.all(limit)).map(toSummary);
  }

  /**
   * A new version on top of `baseVersion`; returns its number. Refused (and the refusal audited)
   * when the record is signed, the model is drafting it, or another save came first.
   */
  save(id: string, baseVersion: number, author: string, sections: RecordSection[], action: 'edit' | 'draft' = 'edit'): number {
    const who = parse(Actor, author, 'author');
    const content = parse(Sections, sections, 'sections');
    const kind = parse(z.enum(['edit', 'draft']), action, 'action');
    return this.refusable('records.save', id, who, (head, now) => {
      const refusal = this.refuseChange(id, head, baseVersion, 'save');
      if (refusal) return refusal;
      const version = head.version + 1;
      this.q.insertVersion.run(id, version, who, now, kind, JSON.stringify(content));
      this.q.advance.run(version, recordTitle(content), now, id);
      this.writeAudit(id, now, who, kind, version, { baseVersion });
      return version;
    });
  }

  /** Signs `version` (which must be the current one) as a new version `sign`; returns its number. */
  sign(id: string, version: number, signer: string): number {
    const who = parse(Actor, signer, 'signer');
    return this.refusable('records.sign', id, who, (head, now) => {
      const refusal = this.refuseChange(id, head, version, 'sign');
      if (refusal) return refusal;
      const signed = head.version + 1;
      const { sections } = this.q.versionSections.get(id, head.version)!;
      this.q.insertVersion.run(id, signed, who, now, 'sign', sections);
      this.q.sign.run(signed, now, who, now, id);
      this.writeAudit(id, now, who, 'sign', signed, { signedVersion: version });
      return signed;
    });
  }

  /** A correction of a signed record, with its time and author; the signed text never changes. */
  addAddendum(id: string, author: string, text: string): RecordAddendum {
    const who = parse(Actor, author, 'author');
    const body = parse(z.string().trim().min(1), text, 'text');
    return this.refusable('records.addendum', id, who, (head, now) => {
      if (head.state !== 'signed') {
        return new XinglinError('INVALID_INPUT', '病历尚未签名，请直接修改病历；补充记录只用于已签名的病历', { id, state: head.state });
      }
      const row: AddendumRow = { id: randomUUID(), text: body, author: who, created_at: now };
      this.q.insertAddendum.run(row.id, id, row.text, row.author, row.created_at);
      this.writeAudit(id, now, who, 'addendum', head.version, { addendumId: row.id });
      return toAddendum(row);
    });
  }

  versions(id: string): RecordVersion[] {
    return this.timed('records.versions', () => this.existing(id, () => this.q.versions.all(id))).map(toVersion);
  }

  audit(id: string): AuditEntry[] {
    return this.timed('records.audit', () => this.existing(id, () => this.q.audit.all(id))).map(toAuditEntry);
  }

  /** An audit line for what happens outside the store (an export). */
  appendAudit(id: string, entry: NewAuditEntry): void {
    const line = parse(AuditEntry.omit({ at: true }), entry, 'audit');
    this.timed('records.audit.append', () =>
      this.tx(() => {
        if (!this.q.head.get(id)) throw recordNotFound(id);
        this.writeAudit(id, Date.now(), line.actor, line.action, line.version, line.details);
      }),
    );
  }

  /** The model's sections so far, in one small write; a record no longer drafting is left alone. */
  saveDraftingSections(id: string, sections: RecordSection[]): void {
    const content = JSON.stringify(parse(Sections, sections, 'sections'));
    this.timed('records.drafting.save', () => this.q.saveDrafting.run(content, id));
  }

  /** The model's draft as a new version `draft` on top of the findings draft; returns its number. */
  finishModelDraft(id: string, draft: ModelDraft): number {
    const sections = parse(Sections, draft.sections, 'sections');
    const provenance = parse(RecordProvenance, draft.provenance, 'provenance');
    const author = parse(Actor, draft.author, 'author');
    return this.refusable('records.drafting.finish', id, author, (head, now) => {
      if (head.state !== 'drafting') return notDrafting(id, head);
      const version = head.version + 1;
      this.q.insertVersion.run(id, version, author, now, 'draft', JSON.stringify(sections));
      this.q.endDrafting.run(version, recordTitle(sections), JSON.stringify(provenance), null, now, id);
      this.writeAudit(id, now, author, 'model-draft', version, { provenance });
      return version;
    });
  }

  /**
   * The model draft did not finish: the findings draft stays current, with the error to show. What
   * the model had streamed is kept in the audit line. A record no longer drafting is left alone.
   */
  failModelDraft(id: string, error: ErrorData): void {
    const reason = parse(ErrorData, error, 'error');
    this.timed('records.drafting.fail', () =>
      this.tx(() => {
        const head = this.q.head.get(id);
        if (!head) throw recordNotFound(id);
        if (head.state !== 'drafting') return;
        const now = Date.now();
        this.q.endDrafting.run(head.version, null, null, JSON.stringify(reason), now, id);
        const partial = head.drafting_sections === null ? [] : (JSON.parse(head.drafting_sections) as RecordSection[]);
        this.writeAudit(id, now, SYSTEM_ACTOR, 'model-draft', head.version, { error: reason, partialSections: partial });
      }),
    );
  }

  /** At start: model drafts a crash of the app cut off keep their findings draft. Returns how many. */
  interruptDrafting(): number {
    const rows = this.q.listDrafting.all();
    for (const row of rows) this.failModelDraft(row.id, INTERRUPTED);
    return rows.length;
  }

  /**
   * Runs `write` on the record's current head in one transaction. A refusal it returns is audited in
   * that transaction and thrown after it commits: the refusal is on record, nothing else is written.
   */
  private refusable<T>(op: string, id: string, actor: string, write: (head: Head, now: number) => T | Refusal): T {
    const outcome = this.timed(op, () =>
      this.tx(() => {
        const head = this.q.head.get(id);
        if (!head) throw recordNotFound(id);
        const now = Date.now();
        const result = write(head, now);
        if (result instanceof XinglinError) {
          this.writeAudit(id, now, actor, 'refused', head.version, { code: result.code, operation: op, ...(result.details ?? {}) });
        }
        return result;
      }),
    );
    if (outcome instanceof XinglinError) throw outcome;
    return outcome;
  }

  /** Why a save or a signature on top of `base` cannot be written, or null when it can. */
  private refuseChange(id: string, head: Head, base: number, what: 'save' | 'sign'): Refusal | null {
    if (head.state === 'signed') {
      return new XinglinError('RECORD_SIGNED', `病历已于 ${formatTime(head.signed_at!)} 由 ${head.signed_by!} 签名，不能修改；请写补充记录`, {
        id,
        signedAt: head.signed_at!,
        signedBy: head.signed_by!,
      });
    }
    if (head.state === 'drafting') {
      return new XinglinError('BUSY', '模型正在起草这份病历，起草结束（或停止）后才能修改或签名', { id });
    }
    if (base !== head.version) {
      const latest = this.q.versionInfo.get(id, head.version)!;
      const which = what === 'save' ? `你的修改基于第 ${base} 版，未覆盖；请刷新后再改` : `你要签名的是第 ${base} 版，未签名；请阅读最新版本后再签`;
      return new XinglinError('RECORD_CONFLICT', `病历已被 ${latest.author} 于 ${formatTime(latest.saved_at)} 保存为第 ${head.version} 版，${which}`, {
        id,
        baseVersion: base,
        version: head.version,
        author: latest.author,
        savedAt: latest.saved_at,
      });
    }
    return null;
  }

  private writeAudit(id: string, at: number, actor: string, action: AuditEntry['action'], version: number | null, details: Record<string, unknown>): void {
    this.q.insertAudit.run(id, at, actor, action, version, JSON.stringify(details));
  }

  /** Rows of a record's child table; NOT_FOUND rather than [] for a record that does not exist. */
  private existing<R>(id: string, read: () => R[]): R[] {
    return this.tx(() => {
      const rows = read();
      if (rows.length === 0 && !this.q.head.get(id)) throw recordNotFound(id);
      return rows;
    });
  }

  private tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}

/** The list's title: the 主诉 as written, cut to TITLE_CHARS characters. */
export function recordTitle(sections: readonly RecordSection[]): string {
  const chief = sections.find((s) => s.key === 'chiefComplaint');
  const text = chief ? sectionText(chief).replace(/\s+/gu, ' ').trim() : '';
  const chars = [...text];
  return chars.length > TITLE_CHARS ? `${chars.slice(0, TITLE_CHARS - 1).join('')}…` : text;
}

const Name = z.string().min(1).max(200);
const Actor = z.string().trim().min(1).max(200);
const Sections = z.array(RecordSection);

/** The store is a boundary too: malformed input never reaches the file. */
function parse<S extends z.ZodType>(schema: S, value: unknown, field: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${field}.${issue.path.join('.')}` : field;
    throw new XinglinError('INVALID_INPUT', `病历数据无效（${where}）`, { field: where });
  }
  return result.data;
}

function recordNotFound(id: string): XinglinError {
  return new XinglinError('NOT_FOUND', `找不到病历（id：${id}）`, { entity: 'record', id });
}

function notDrafting(id: string, head: Head): XinglinError {
  const state = head.state === 'signed' ? '已签名' : '草稿';
  return new XinglinError('INVALID_INPUT', `病历已不在模型起草中（当前：${state}），模型草稿未保存`, { id, state: head.state });
}

/** Local time as the doctor reads it: 2025-03-08 14:05:09. */
function formatTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
