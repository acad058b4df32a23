import { describe, expect, it } from 'vitest';
import { sectionText, type MedicalRecord, type Message, type RecordSection } from '$contract';
import { dialogueFromMessages } from './record-text.js';
import { DOCTOR_STORAGE_KEY, RecordsState } from './records.svelte.js';
import { fake, jobEvent, tick } from './test-api.js';

const section = (key: string, title: string, ...sentences: Array<[string, number[]]>): RecordSection => ({
  key,
  title,
  required: key === 'chiefComplaint',
  sentences: sentences.map(([text, evidence]) => ({ text, evidence, origin: 'draft' as const })),
});

const record = (extra: Partial<MedicalRecord> = {}): MedicalRecord => ({
  id: 'r1',
  kind: '初诊',
  department: '全科',
  title: '胸痛3天',
  state: 'draft',
  version: 1,
  createdAt: 1,
  updatedAt: 1,
  signedAt: null,
  signedBy: null,
  sessionId: null,
  templateId: 'general',
  dialogue: [
    { index: 0, speaker: '患者', text: '胸口痛了三天。' },
    { index: 1, speaker: '医生', text: '有没有发热？' },
    { index: 2, speaker: '患者', text: '没有。' },
  ],
  findings: [{ category: '症状', item: '胸痛', status: '阳性', speaker: '患者', duration: '三天', evidence: [0] }],
  sections: [section('chiefComplaint', '主诉', ['胸痛3天', [0]]), section('presentIllness', '现病史', ['患者3天前出现胸痛。', [0]], ['否认发热。', [1, 2]])],
  provenance: { mode: 'findings', appVersion: 'test', adapters: [], knowledgeVersion: 'k1', extractionVersion: 'e1', template: 'general' },
  addenda: [],
  warnings: [],
  unsupported: 0,
  draftError: null,
  ...extra,
});

function memoryStorage(initial: Record<string, string> = {}) {
  const map = new Map(Object.entries(initial));
  return { getItem: (key: string) => map.get(key) ?? null, setItem: (key: string, value: string) => void map.set(key, value), map };
}

function setup(handlers: Record<string, (input: any) => unknown> = {}, options: { doctor?: string | null; modelReady?: boolean } = {}) {
  const storage = memoryStorage(options.doctor === null ? {} : { [DOCTOR_STORAGE_KEY]: options.doctor ?? '张医生' });
  const api = fake({
    'records.list': () => [],
    'records.templates': () => [{ id: 'general', department: '全科', sections: { 初诊: [], 复诊: [] } }],
    'records.get': ({ id }) => record({ id }),
    ...handlers,
  });
  const records = new RecordsState(api.api, () => options.modelReady ?? false, storage);
  const detach = records.attach();
  return { ...api, records, storage, detach };
}

const conflict = { code: 'RECORD_CONFLICT', message: '病历已在另一个窗口保存（第 2 版），未覆盖任何内容。' };
const signedError = { code: 'RECORD_SIGNED', message: '病历已签名，不能修改；更正请写补充记录。' };

describe('dialogueFromMessages', () => {
  it('keeps the doctor’s typing, prefixes unmarked lines with 医生：, and leaves the model’s answers out', () => {
    const messages: Pick<Message, 'role' | 'text'>[] = [
      { role: 'user', text: '患者：胸口痛三天\n医生: 发热吗？\n患者：没有' },
      { role: 'assistant', text: '建议完善心电图。' },
      { role: 'user', text: '  查体无殊  \n\n' },
    ];
    expect(dialogueFromMessages(messages)).toBe('患者：胸口痛三天\n医生: 发热吗？\n患者：没有\n医生：查体无殊');
    expect(dialogueFromMessages([{ role: 'assistant', text: '只有回答' }])).toBe('');
  });
});

describe('sectionText', () => {
  it('joins Chinese sentences directly, English after a space, and an unterminated one with a line end', () => {
    const s = (texts: string[]) => ({ sentences: texts.map((text) => ({ text, evidence: [], origin: 'draft' as const })) });
    expect(sectionText(s(['患者3天前出现胸痛。', '否认发热。']))).toBe('患者3天前出现胸痛。否认发热。');
    expect(sectionText(s(['Chest pain.', 'No fever.']))).toBe('Chest pain. No fever.');
    expect(sectionText(s(['胸痛3天', '伴气短。']))).toBe('胸痛3天\n伴气短。');
  });
});

describe('RecordsState', () => {
  it('asks the doctor’s name once before the first draft, remembers it, and then drafts', async () => {
    const { records, storage, calls } = setup({ 'records.draft': () => ({ record: record(), jobId: null }) }, { doctor: null });
    records.input = '患者：胸口痛了三天。\n医生：有没有发热？\n患者：没有。';
    expect(await records.draft()).toBe(false);
    expect(records.askingDoctor).toBe('draft');
    expect(calls.filter(([name]) => name === 'records.draft')).toHaveLength(0);
    await records.setDoctor('  李医生 ');
    expect(storage.map.get(DOCTOR_STORAGE_KEY)).toBe('李医生');
    expect(records.askingDoctor).toBeNull();
    expect(calls.find(([name]) => name === 'records.draft')?.[1]).toMatchObject({ author: '李医生', kind: '初诊', templateId: 'general', useModel: false });
    expect(records.record?.id).toBe('r1');
    expect(records.editor).toEqual({ chiefComplaint: '胸痛3天', presentIllness: '患者3天前出现胸痛。否认发热。' });
    expect(records.input).toBe('');
    expect(records.list.map((item) => item.id)).toEqual(['r1']);
  });

  it('keeps the dialogue in the input when a draft fails', async () => {
    const { records } = setup({ 'records.draft': () => Promise.reject({ code: 'DIALOGUE_INVALID', message: '对话只有一方发言' }) });
    records.input = '患者：头痛';
    expect(await records.draft()).toBe(false);
    expect(records.input).toBe('患者：头痛');
    expect(records.error).toMatchObject({ code: 'DIALOGUE_INVALID' });
    expect(records.record).toBeNull();
  });

  it('asks for a model draft only while a model is ready, and follows it section by section', async () => {
    const drafting = record({ state: 'drafting' });
    const { records, emit, calls } = setup({ 'records.draft': () => ({ record: drafting, jobId: 'job1' }) }, { modelReady: true });
    records.input = '患者：胸口痛了三天。';
    records.useModel = true;
    await records.draft();
    expect(calls.find(([name]) => name === 'records.draft')?.[1]).toMatchObject({ useModel: true });
    expect(records.drafting).toEqual({ recordId: 'r1', jobId: 'job1', progress: 0, sections: 0 });
    expect(records.editable).toBe(false);

    emit('job.progress', jobEvent({ id: 'job1', kind: 'records.draft', phase: 'generate', progress: 0.4 }));
    emit('job.progress', jobEvent({ id: 'other', kind: 'kb.import', progress: 0.9 }));
    expect(records.drafting?.progress).toBe(0.4);
    const written = section('chiefComplaint', '主诉', ['胸痛三天。', [0]]);
    emit('records.section', { recordId: 'r1', section: written });
    expect(records.drafting?.sections).toBe(1);
    expect(records.record?.sections[0]).toEqual(written);
    expect(records.editor.chiefComplaint).toBe('胸痛三天。');
    emit('records.section', { recordId: 'another', section: written });
    expect(records.drafting?.sections).toBe(1);

    const done = record({ state: 'draft', sections: [written, section('presentIllness', '现病史', ['患者3天前出现胸痛。', [0]])] });
    emit('records.drafted', { record: done });
    expect(records.drafting).toBeNull();
    expect(records.editable).toBe(true);
    expect(records.editor.presentIllness).toBe('患者3天前出现胸痛。');
  });

  it('sends a findings draft when no model is ready, whatever the checkbox says', async () => {
    const { records, calls } = setup({ 'records.draft': () => ({ record: record(), jobId: null }) }, { modelReady: false });
    records.input = '患者：胸口痛了三天。';
    records.useModel = true;
    await records.draft();
    expect(calls.find(([name]) => name === 'records.draft')?.[1]).toMatchObject({ useModel: false });
    expect(records.drafting).toBeNull();
  });

  it('saves only the changed sections, on the version the editor started from', async () => {
    const { records, calls } = setup({ 'records.save': ({ sections }) => record({ version: 2, sections: [section('chiefComplaint', '主诉', [sections[0].text, []]), record().sections[1]!] }) });
    await records.open('r1');
    expect(await records.save()).toBe(true); // nothing changed: nothing sent
    expect(calls.some(([name]) => name === 'records.save')).toBe(false);
    records.editor.chiefComplaint = '胸痛3天，加重1天';
    expect(records.dirtyKeys).toEqual(['chiefComplaint']);
    expect(await records.save()).toBe(true);
    expect(calls.find(([name]) => name === 'records.save')?.[1]).toEqual({ id: 'r1', baseVersion: 1, author: '张医生', sections: [{ key: 'chiefComplaint', text: '胸痛3天，加重1天' }] });
    expect(records.baseVersion).toBe(2);
    expect(records.dirty).toBe(false);
  });

  it('keeps every typed word when another window saved first, and reloads keeping them beside the saved text', async () => {
    let latest = record();
    const { records } = setup({ 'records.save': () => Promise.reject(conflict), 'records.get': () => latest });
    await records.open('r1');
    records.editor.chiefComplaint = '我的主诉';
    expect(await records.save()).toBe(false);
    expect(records.refused).toMatchObject({ code: 'RECORD_CONFLICT' });
    expect(records.error).toBeNull();
    expect(records.editor.chiefComplaint).toBe('我的主诉');

    latest = record({ version: 2, sections: [section('chiefComplaint', '主诉', ['另一窗口的主诉', [0]]), section('presentIllness', '现病史', ['另一窗口改的现病史。', [0]])] });
    await records.reload();
    expect(records.baseVersion).toBe(2);
    expect(records.editor.chiefComplaint).toBe('我的主诉');
    expect(records.editor.presentIllness).toBe('另一窗口改的现病史。');
    expect(records.theirs).toEqual({ chiefComplaint: '另一窗口的主诉' });
    records.takeTheirs('chiefComplaint');
    expect(records.editor.chiefComplaint).toBe('另一窗口的主诉');
    expect(records.dirty).toBe(false);
  });

  it('turns a save refused because the record was signed into an addendum', async () => {
    const { records } = setup({
      'records.save': () => Promise.reject(signedError),
      'records.get': () => record({ state: 'signed', signedBy: '王医生', signedAt: 5, version: 2 }),
    });
    await records.open('r1');
    records.editor.presentIllness = '补充：伴出汗。';
    expect(await records.save()).toBe(false);
    expect(records.refused?.code).toBe('RECORD_SIGNED');
    records.editsToAddendum();
    expect(records.addendumText).toBe('【现病史】补充：伴出汗。');
    expect(records.refused).toBeNull();
    await tick();
    expect(records.signed).toBe(true);
  });

  it('confirms before signing, saves unsaved text first, and signs the version saved', async () => {
    const { records, calls } = setup({
      'records.get': () => record({ unsupported: 2, warnings: [{ kind: 'allergy', severity: 'error', message: '青霉素过敏，计划用阿莫西林', entry: { id: 'drug:amoxicillin', type: 'drug', name: '阿莫西林' }, field: 'allergyClass', quote: '青霉素类', section: 'plan', drugs: ['阿莫西林'] }] }),
      'records.save': () => record({ version: 2 }),
      'records.sign': ({ version, signer }) => record({ version, state: 'signed', signedBy: signer, signedAt: 9 }),
    });
    await records.open('r1');
    expect(records.warningCounts).toEqual({ error: 1, warning: 0, info: 0 });
    records.requestSign();
    expect(records.confirmingSign).toBe(true);
    expect(calls.some(([name]) => name === 'records.sign')).toBe(false);
    records.editor.chiefComplaint = '胸痛3天。';
    expect(await records.sign()).toBe(true);
    expect(calls.map(([name]) => name).filter((name) => name.startsWith('records.'))).toEqual(['records.get', 'records.save', 'records.sign']);
    expect(calls.find(([name]) => name === 'records.sign')?.[1]).toEqual({ id: 'r1', version: 2, signer: '张医生' });
    expect(records.signed).toBe(true);
    expect(records.editable).toBe(false);
    records.requestSign();
    expect(records.confirmingSign).toBe(false);
  });

  it('keeps a record’s unsaved text while another is open, on the version it started from', async () => {
    const { records, calls } = setup({ 'records.save': () => Promise.reject(conflict) });
    await records.open('r1');
    records.editor.chiefComplaint = '未保存的主诉';
    records.addendumText = '';
    await records.open('r2');
    expect(records.editor.chiefComplaint).toBe('胸痛3天');
    await records.open('r1');
    expect(records.editor.chiefComplaint).toBe('未保存的主诉');
    expect(records.dirty).toBe(true);
    await records.save();
    expect(calls.find(([name]) => name === 'records.save')?.[1]).toMatchObject({ baseVersion: 1 });
  });

  it('adds an addendum to a signed record', async () => {
    const signed = record({ state: 'signed', signedBy: '张医生', signedAt: 5 });
    const { records, calls } = setup({
      'records.get': () => signed,
      'records.addendum': ({ text, author }) => ({ ...signed, addenda: [{ id: 'a1', text, author, createdAt: 7 }] }),
    });
    await records.open('r1');
    records.addendumText = '  更正：过敏史为青霉素过敏。 ';
    expect(await records.addAddendum()).toBe(true);
    expect(calls.find(([name]) => name === 'records.addendum')?.[1]).toEqual({ id: 'r1', author: '张医生', text: '更正：过敏史为青霉素过敏。' });
    expect(records.record?.addenda).toHaveLength(1);
    expect(records.addendumText).toBe('');
  });

  it('imports a chat session’s dialogue after what is already typed', async () => {
    const { records } = setup({ 'sessions.messages': () => [{ id: 'm1', sessionId: 's1', role: 'user', text: '患者：咳嗽一周', status: 'complete', provenance: null, error: null, createdAt: 1 }] });
    records.input = '医生：哪里不舒服？';
    expect(await records.importSession('s1')).toBe(true);
    expect(records.input).toBe('医生：哪里不舒服？\n患者：咳嗽一周');
    expect(records.inputSessionId).toBe('s1');
  });

  it('loads versions, the default diff and the audit trail, and exports with the doctor as actor', async () => {
    const { records, calls } = setup({
      'records.versions': () => [{ version: 1, author: '张医生', savedAt: 1, action: 'draft', sections: [] }],
      'records.diff': () => ({ from: 1, to: 1, sections: [] }),
      'records.audit': () => [{ at: 1, actor: '张医生', action: 'draft', version: 1, details: {} }],
      'records.export': ({ format }) => ({ format, fileName: 'record.txt', mime: 'text/plain', content: '门诊病历' }),
    });
    await records.open('r1');
    await records.loadHistory();
    expect(records.versions).toHaveLength(1);
    expect(records.diff).toEqual({ from: 1, to: 1, sections: [] });
    expect(records.audit[0]?.action).toBe('draft');
    expect(await records.exportAs('text')).toMatchObject({ content: '门诊病历' });
    expect(calls.find(([name]) => name === 'records.export')?.[1]).toEqual({ id: 'r1', format: 'text', actor: '张医生' });
  });

  it('ends the wait when the model draft job is cancelled without a result', async () => {
    const { records, emit, count } = setup({ 'records.draft': () => ({ record: record({ state: 'drafting' }), jobId: 'job1' }) }, { modelReady: true });
    records.input = '患者：胸口痛了三天。';
    records.useModel = true;
    await records.draft();
    emit('job.progress', jobEvent({ id: 'job1', kind: 'records.draft', state: 'cancelled', progress: 0.5 }));
    expect(records.drafting).toBeNull();
    await tick();
    expect(count('records.get')).toBe(1);
    expect(records.record?.state).toBe('draft');
  });
});
