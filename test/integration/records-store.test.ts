import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Finding, RecordProvenance, RecordSection, Turn } from '../../src-main/contract/index.js';
import { diffSections } from '../../src-main/core/records/diff.js';
import { RecordStore, TITLE_CHARS, type NewRecord } from '../../src-main/core/records/store.js';
import { expectError } from '../helpers/errors.js';

const posix = process.platform !== 'win32';

let dir: string;
let file: string;
let opened: RecordStore[] = [];
let raws: Database.Database[] = [];

function openStore(f = file): RecordStore {
  const store = RecordStore.open(f);
  opened.push(store);
  return store;
}

/** A second connection that writes SQL straight to the file, as any other program could. */
function raw(f = file): Database.Database {
  const db = new Database(f, { fileMustExist: true });
  db.pragma('foreign_keys = ON');
  raws.push(db);
  return db;
}

function section(key: string, title: string, ...texts: string[]): RecordSection {
  return { key, title, required: true, sentences: texts.map((text, i) => ({ text, evidence: [i], origin: 'draft' as const })) };
}

const dialogue: Turn[] = [
  { index: 0, speaker: '医生', text: '哪里不舒服？' },
  { index: 1, speaker: '患者', text: '胸口痛了三天，不发烧。' },
];
const findings: Finding[] = [
  { category: '症状', item: '胸痛', status: '阳性', speaker: '患者', duration: '三天', evidence: [1] },
  { category: '症状', item: '发热', status: '阴性', speaker: '患者', duration: null, evidence: [1] },
];
const provenance: RecordProvenance = {
  mode: 'findings',
  appVersion: '0.0.0-test',
  adapters: [],
  knowledgeVersion: 'kb-1',
  extractionVersion: 'ex-1',
  template: 'general',
};
const draftSections = [
  section('chiefComplaint', '主诉', '胸痛3天'),
  section('presentIllness', '现病史', '患者3天前出现胸痛。', '无发热。'),
  section('plan', '处理意见', '心电图检查。'),
];

function newRecord(overrides: Partial<NewRecord> = {}): NewRecord {
  return { kind: '初诊', templateId: 'general', department: '全科', sessionId: null, dialogue, findings, sections: draftSections, provenance, author: '张医生', state: 'draft', ...overrides };
}

function edited(...presentIllness: string[]): RecordSection[] {
  return draftSections.map((s) => (s.key === 'presentIllness' ? { ...s, sentences: presentIllness.map((text) => ({ text, evidence: [], origin: 'doctor' as const })) } : s));
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-records-'));
  file = path.join(dir, 'data', 'records.db');
});

afterEach(() => {
  for (const db of raws) db.close();
  for (const store of opened) store.close();
  raws = [];
  opened = [];
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('records store: create, read, list', () => {
  it('creates the file private and stores a record with version 1 and its audit line', () => {
    const store = openStore();
    if (posix) expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(raw().pragma('journal_mode', { simple: true })).toBe('wal');

    const id = store.create(newRecord({ sessionId: 'session-1' }));
    const record = store.get(id);
    expect(record).toMatchObject({
      id, kind: '初诊', templateId: 'general', department: '全科', sessionId: 'session-1', state: 'draft', version: 1,
      title: '胸痛3天', dialogue, findings, sections: draftSections, provenance, addenda: [], draftError: null, signedAt: null, signedBy: null,
    });
    expect(record.createdAt).toBe(record.updatedAt);
    expect(store.versions(id)).toEqual([{ version: 1, author: '张医生', savedAt: record.createdAt, action: 'draft', sections: draftSections }]);
    expect(store.audit(id)).toEqual([{ at: record.createdAt, actor: '张医生', action: 'draft', version: 1, details: { provenance } }]);
  });

  it('titles the record with its 主诉, cut for the list, and lists newest first', () => {
    const store = openStore();
    const long = '反复胸闷气短伴双下肢水肿'.repeat(6);
    const at = vi.spyOn(Date, 'now');
    at.mockReturnValueOnce(1_000);
    const first = store.create(newRecord());
    at.mockReturnValueOnce(2_000);
    const second = store.create(newRecord({ sections: [section('chiefComplaint', '主诉', long)], kind: '复诊' }));
    at.mockReturnValueOnce(3_000);
    const third = store.create(newRecord({ sections: [section('plan', '处理意见', '观察。')] }));
    at.mockReturnValueOnce(4_000);
    store.save(first, 1, '张医生', draftSections); // editing does not move a record up the list
    const list = store.list();
    expect(list.map((r) => r.id)).toEqual([third, second, first]);
    const titled = list.find((r) => r.id === second)!;
    expect([...titled.title]).toHaveLength(TITLE_CHARS);
    expect(titled.title.endsWith('…')).toBe(true);
    expect(long.startsWith(titled.title.slice(0, -1))).toBe(true);
    expect(list.find((r) => r.id === third)!.title).toBe('');
    expect(store.list(1)).toHaveLength(1);
    expectError(() => store.list(0), 'INVALID_INPUT');
  });

  it('answers NOT_FOUND in Chinese for a record that does not exist', () => {
    const store = openStore();
    for (const read of [() => store.get('nope'), () => store.versions('nope'), () => store.audit('nope'), () => store.save('nope', 1, '张医生', draftSections), () => store.sign('nope', 1, '张医生')]) {
      expect(expectError(read, 'NOT_FOUND').message).toContain('nope');
    }
  });

  it('refuses malformed input before it reaches the file', () => {
    const store = openStore();
    expectError(() => store.create(newRecord({ author: '  ' })), 'INVALID_INPUT');
    expectError(() => store.create(newRecord({ kind: '急诊' as never })), 'INVALID_INPUT');
    expectError(() => store.create(newRecord({ sections: [{ key: '主诉', title: '主诉', required: true, sentences: [] }] })), 'INVALID_INPUT');
    expect(store.list()).toEqual([]);
  });
});

describe('records store: versions and conflicts', () => {
  it('makes every save a version with its author and time, and updates the title', () => {
    const store = openStore();
    const id = store.create(newRecord());
    const v2 = store.save(id, 1, '李医生', edited('患者3天前活动后出现胸痛，休息后缓解。'));
    expect(v2).toBe(2);
    const v3 = store.save(id, 2, '张医生', [section('chiefComplaint', '主诉', '活动后胸痛3天'), ...edited('无发热。').slice(1)]);
    expect(v3).toBe(3);
    const record = store.get(id);
    expect(record.version).toBe(3);
    expect(record.title).toBe('活动后胸痛3天');
    expect(store.versions(id).map((v) => [v.version, v.author, v.action])).toEqual([[1, '张医生', 'draft'], [2, '李医生', 'edit'], [3, '张医生', 'edit']]);
    expect(store.versions(id)[1]!.sections).toEqual(edited('患者3天前活动后出现胸痛，休息后缓解。'));
    expect(store.audit(id).map((a) => [a.action, a.actor, a.version, a.details])).toEqual([
      ['draft', '张医生', 1, { provenance }],
      ['edit', '李医生', 2, { baseVersion: 1 }],
      ['edit', '张医生', 3, { baseVersion: 2 }],
    ]);
  });

  it('refuses the later of two windows saving on the same version, overwriting nothing', () => {
    const store = openStore();
    const id = store.create(newRecord());
    // Two windows open version 1.
    const windowA = store.get(id).version;
    const windowB = store.get(id).version;
    expect(store.save(id, windowA, '李医生', edited('窗口一写的现病史。'))).toBe(2);

    const error = expectError(() => store.save(id, windowB, '王医生', edited('窗口二写的现病史。')), 'RECORD_CONFLICT');
    expect(error.message).toMatch(/^病历已被 李医生 于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} 保存为第 2 版，你的修改基于第 1 版，未覆盖；请刷新后再改$/);
    expect(error.details).toMatchObject({ baseVersion: 1, version: 2, author: '李医生' });

    const record = store.get(id);
    expect(record.version).toBe(2);
    expect(record.sections).toEqual(edited('窗口一写的现病史。'));
    expect(store.versions(id)).toHaveLength(2);
    expect(JSON.stringify(store.versions(id))).not.toContain('窗口二');
    expect(store.audit(id).at(-1)).toMatchObject({ action: 'refused', actor: '王医生', version: 2, details: { code: 'RECORD_CONFLICT', operation: 'records.save', baseVersion: 1 } });

    // Refreshed, window two saves on top of version 2.
    expect(store.save(id, 2, '王医生', edited('窗口一写的现病史。', '窗口二补充。'))).toBe(3);
  });

  it('two connections to one file cannot both land a save on the same base', () => {
    const a = openStore();
    const b = openStore();
    const id = a.create(newRecord());
    expect(a.save(id, 1, '李医生', edited('甲。'))).toBe(2);
    expectError(() => b.save(id, 1, '王医生', edited('乙。')), 'RECORD_CONFLICT');
    expect(b.get(id).sections).toEqual(edited('甲。'));
  });
});

describe('records store: sign-off and addenda', () => {
  it('signs the current version as a new version and locks the record', () => {
    const store = openStore();
    const id = store.create(newRecord());
    store.save(id, 1, '张医生', edited('患者3天前出现胸痛。'));
    expectError(() => store.sign(id, 1, '张医生'), 'RECORD_CONFLICT');
    expect(store.sign(id, 2, '张医生')).toBe(3);

    const record = store.get(id);
    expect(record).toMatchObject({ state: 'signed', version: 3, signedBy: '张医生' });
    expect(record.signedAt).toBeGreaterThan(0);
    const versions = store.versions(id);
    expect(versions.at(-1)).toMatchObject({ version: 3, action: 'sign', author: '张医生' });
    expect(versions.at(-1)!.sections).toEqual(versions[1]!.sections);
    expect(store.audit(id).at(-1)).toMatchObject({ action: 'sign', actor: '张医生', version: 3, details: { signedVersion: 2 } });
  });

  it('refuses a save or a second signature after signing, and takes an addendum instead', () => {
    const store = openStore();
    const id = store.create(newRecord());
    expectError(() => store.addAddendum(id, '张医生', '补充：未签名时不写补充记录。'), 'INVALID_INPUT');
    store.sign(id, 1, '张医生');
    const signed = store.get(id);

    const error = expectError(() => store.save(id, 2, '李医生', edited('签名后改写。')), 'RECORD_SIGNED');
    expect(error.message).toMatch(/^病历已于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} 由 张医生 签名，不能修改；请写补充记录$/);
    expectError(() => store.sign(id, 2, '李医生'), 'RECORD_SIGNED');

    const addendum = store.addAddendum(id, '李医生', '补充：患者诉既往有高血压病史。');
    expect(addendum).toMatchObject({ text: '补充：患者诉既往有高血压病史。', author: '李医生' });
    const after = store.get(id);
    expect(after.addenda).toEqual([addendum]);
    expect({ ...after, addenda: [] }).toEqual(signed);
    expect(store.audit(id).map((a) => [a.action, a.details['code'] ?? null])).toEqual([
      ['draft', null], ['refused', 'INVALID_INPUT'], ['sign', null], ['refused', 'RECORD_SIGNED'], ['refused', 'RECORD_SIGNED'], ['addendum', null],
    ]);
  });
});

describe('records store: the file refuses what the rules forbid (triggers)', () => {
  function signedRecord(): { store: RecordStore; id: string } {
    const store = openStore();
    const id = store.create(newRecord());
    store.sign(id, 1, '张医生');
    store.addAddendum(id, '张医生', '补充记录。');
    return { store, id };
  }

  const refusals: Array<[string, string, RegExp]> = [
    ['UPDATE record_versions SET sections = \'[]\' WHERE record_id = ?', 'a version', /append-only/],
    ['DELETE FROM record_versions WHERE record_id = ?', 'a version', /append-only/],
    ['UPDATE record_audit SET actor = \'某人\' WHERE record_id = ?', 'an audit line', /append-only/],
    ['DELETE FROM record_audit WHERE record_id = ?', 'an audit line', /append-only/],
    ['UPDATE record_addenda SET text = \'改\' WHERE record_id = ?', 'an addendum', /append-only/],
    ['DELETE FROM record_addenda WHERE record_id = ?', 'an addendum', /append-only/],
    ['UPDATE records SET title = \'改\' WHERE id = ?', 'the signed row', /signed record never changes/],
    ['UPDATE records SET title = title WHERE id = ?', 'the signed row, even to the same value', /signed record never changes/],
    ["UPDATE records SET state = 'draft', signed_at = NULL, signed_by = NULL WHERE id = ?", 'the signed state', /signed record never changes/],
    ['DELETE FROM records WHERE id = ?', 'the signed row', /never deleted/],
    ["INSERT INTO record_versions (record_id, version, author, saved_at, action, sections) VALUES (?, 3, '某人', 0, 'edit', '[]')", 'a new version', /signed record takes no new version/],
  ];

  it.each(refusals)('refuses raw SQL: %s (%s)', (statement, _what, reason) => {
    const { store, id } = signedRecord();
    const before = { record: store.get(id), versions: store.versions(id), audit: store.audit(id) };
    expect(() => raw().prepare(statement).run(id)).toThrow(reason);
    expect({ record: store.get(id), versions: store.versions(id), audit: store.audit(id) }).toEqual(before);
  });

  it('takes an addendum only for a signed record, and appends to the audit trail', () => {
    const store = openStore();
    const id = store.create(newRecord());
    const db = raw();
    expect(() => db.prepare("INSERT INTO record_addenda (id, record_id, text, author, created_at) VALUES ('a1', ?, '补充', '某人', 0)").run(id)).toThrow(/only to a signed record/);
    db.prepare("INSERT INTO record_audit (record_id, at, actor, action, version, details) VALUES (?, 0, '某人', 'export', 1, '{}')").run(id);
    expect(store.audit(id).at(-1)).toMatchObject({ actor: '某人', action: 'export' });
  });

  it('keeps versions in order, signs only on a sign version, and deletes no draft', () => {
    const store = openStore();
    const id = store.create(newRecord());
    const db = raw();
    expect(() => db.prepare("INSERT INTO record_versions (record_id, version, author, saved_at, action, sections) VALUES (?, 5, '某人', 0, 'edit', '[]')").run(id)).toThrow(/without a gap/);
    expect(() => db.prepare("UPDATE records SET state = 'signed', signed_at = 1, signed_by = '某人' WHERE id = ?").run(id)).toThrow(/version whose action is sign/);
    expect(() => db.prepare('UPDATE records SET version = 7 WHERE id = ?').run(id)).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare('DELETE FROM records WHERE id = ?').run(id)).toThrow(/never deleted/);
    expect(store.get(id)).toMatchObject({ state: 'draft', version: 1 });
  });

  it('takes no edit or signature while the model drafts', () => {
    const store = openStore();
    const id = store.create(newRecord({ state: 'drafting' }));
    expect(() => raw().prepare("INSERT INTO record_versions (record_id, version, author, saved_at, action, sections) VALUES (?, 2, '某人', 0, 'edit', '[]')").run(id)).toThrow(/model is drafting/);
  });
});

describe('records store: model drafting', () => {
  const llmProvenance: RecordProvenance = { ...provenance, mode: 'llm', model: { file: 'fixture.gguf', sha256: 'ab'.repeat(32), sizeBytes: 1234 } };
  const modelSections = [section('chiefComplaint', '主诉', '胸痛三天'), section('presentIllness', '现病史', '患者三天前无诱因出现胸痛，不伴发热。')];

  it('is not editable while drafting, and the finished model draft becomes a new version', () => {
    const store = openStore();
    const id = store.create(newRecord({ state: 'drafting' }));
    expect(store.get(id).state).toBe('drafting');
    expectError(() => store.save(id, 1, '张医生', edited('抢先修改。')), 'BUSY');
    expectError(() => store.sign(id, 1, '张医生'), 'BUSY');

    store.saveDraftingSections(id, modelSections.slice(0, 1));
    expect(raw().prepare('SELECT drafting_sections FROM records WHERE id = ?').pluck().get(id)).toBe(JSON.stringify(modelSections.slice(0, 1)));

    expect(store.finishModelDraft(id, { sections: modelSections, provenance: llmProvenance, author: '张医生' })).toBe(2);
    const record = store.get(id);
    expect(record).toMatchObject({ state: 'draft', version: 2, title: '胸痛三天', sections: modelSections, provenance: llmProvenance, draftError: null });
    expect(raw().prepare('SELECT drafting_sections FROM records WHERE id = ?').pluck().get(id)).toBeNull();
    expect(store.versions(id).map((v) => [v.version, v.action])).toEqual([[1, 'draft'], [2, 'draft']]);
    expect(store.audit(id).at(-1)).toMatchObject({ action: 'model-draft', version: 2, details: { provenance: llmProvenance } });

    // Drafting is over: the doctor edits; a late model result is refused, not written.
    expect(store.save(id, 2, '张医生', edited('医生改写。'))).toBe(3);
    expectError(() => store.finishModelDraft(id, { sections: modelSections, provenance: llmProvenance, author: '张医生' }), 'INVALID_INPUT');
    expect(store.get(id).version).toBe(3);
    store.saveDraftingSections(id, modelSections);
    expect(raw().prepare('SELECT drafting_sections FROM records WHERE id = ?').pluck().get(id)).toBeNull();
  });

  it('keeps the findings draft with the error when the model fails, and what it streamed in the audit', () => {
    const store = openStore();
    const id = store.create(newRecord({ state: 'drafting' }));
    store.saveDraftingSections(id, modelSections.slice(0, 1));
    store.failModelDraft(id, { code: 'GENERATION_FAILED', message: '生成失败' });
    const record = store.get(id);
    expect(record).toMatchObject({ state: 'draft', version: 1, sections: draftSections, draftError: { code: 'GENERATION_FAILED', message: '生成失败' } });
    expect(store.audit(id).at(-1)).toMatchObject({ action: 'model-draft', version: 1, details: { error: { code: 'GENERATION_FAILED' }, partialSections: modelSections.slice(0, 1) } });
    // Failing twice changes nothing.
    const audit = store.audit(id);
    store.failModelDraft(id, { code: 'CANCELLED', message: '已取消' });
    expect(store.audit(id)).toEqual(audit);
    expect(store.save(id, 1, '张医生', edited('医生补全。'))).toBe(2);
  });

  it('interrupts drafts a crash left behind at the next open, keeping everything else', () => {
    const first = openStore();
    const drafting = first.create(newRecord({ state: 'drafting' }));
    first.saveDraftingSections(drafting, modelSections);
    const plain = first.create(newRecord());
    first.close();

    const store = openStore();
    expect(store.interruptDrafting()).toBe(1);
    expect(store.get(drafting)).toMatchObject({ state: 'draft', version: 1, sections: draftSections, draftError: { code: 'RUNTIME_CRASHED', message: '起草在应用退出时中断，已保留规则草稿' } });
    expect(store.audit(drafting).at(-1)).toMatchObject({ action: 'model-draft', details: { partialSections: modelSections } });
    expect(store.get(plain)).toMatchObject({ state: 'draft', draftError: null });
    expect(store.interruptDrafting()).toBe(0);
  });
});

describe('records store: reopening and diff', () => {
  it('keeps every record, version, addendum and audit line across a reopen', () => {
    const store = openStore();
    const id = store.create(newRecord());
    store.save(id, 1, '李医生', edited('患者3天前活动后出现胸痛。'));
    store.sign(id, 2, '张医生');
    store.addAddendum(id, '张医生', '补充记录。');
    store.appendAudit(id, { actor: '张医生', action: 'export', version: 3, details: { format: 'fhir' } });
    const before = { record: store.get(id), versions: store.versions(id), audit: store.audit(id), list: store.list() };
    store.close();

    const reopened = openStore();
    expect({ record: reopened.get(id), versions: reopened.versions(id), audit: reopened.audit(id), list: reopened.list() }).toEqual(before);
    expect(before.audit.map((a) => a.action)).toEqual(['draft', 'edit', 'sign', 'addendum', 'export']);
  });

  it('refuses a file written by a newer app', () => {
    openStore().close();
    raw().prepare("INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'future', 0)").run();
    expectError(() => RecordStore.open(file), 'DATABASE_NEWER');
  });

  it('diffs the draft against the signed text, section by section', () => {
    const store = openStore();
    const id = store.create(newRecord());
    store.save(id, 1, '张医生', [section('chiefComplaint', '主诉', '胸痛3天'), section('presentIllness', '现病史', '患者3天前活动后出现胸痛。', '无发热。'), section('pastHistory', '既往史', '高血压病史5年。')]);
    store.sign(id, 2, '张医生');
    const versions = store.versions(id);
    const diff = diffSections(versions[0]!.sections, versions.at(-1)!.sections);
    expect(diff.map((d) => d.key)).toEqual(['chiefComplaint', 'presentIllness', 'plan', 'pastHistory']);
    expect(diff[0]!.parts).toEqual([{ op: 'same', text: '胸痛3天' }]);
    expect(diff[1]!.parts).toEqual([{ op: 'same', text: '患者3天前' }, { op: 'added', text: '活动后' }, { op: 'same', text: '出现胸痛。无发热。' }]);
    expect(diff[2]!.parts).toEqual([{ op: 'removed', text: '心电图检查。' }]);
    expect(diff[3]!).toEqual({ key: 'pastHistory', title: '既往史', parts: [{ op: 'added', text: '高血压病史5年。' }] });
  });
});
