import type { Api, AuditEntry, EventPayload, ExportFormat, Job, MedicalRecord, MethodOutput, RecordKind, RecordSummary, RecordTemplate, RecordVersion } from '$contract';
import { MAX_DIALOGUE_CHARS, MAX_DOCTOR_NAME_CHARS, sectionText } from '$contract';
import { toUiError, type UiError } from '../i18n/index.js';
import { dialogueFromMessages } from './record-text.js';

export const DOCTOR_STORAGE_KEY = 'xinglin.doctor';

type DoctorStorage = Pick<Storage, 'getItem' | 'setItem'>;

function defaultStorage(): DoctorStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** What waits for the doctor's name (asked once, before the first action that is signed with it). */
export type NamedAction = 'draft' | 'save' | 'sign' | 'addendum';

/** A model draft in progress: its job's progress, and how many sections have arrived. */
export interface Drafting {
  recordId: string;
  jobId: string | null;
  /** 0…1, never going backwards. */
  progress: number;
  sections: number;
}

export type RecordExport = MethodOutput<'records.export'>;
export type RecordDiff = MethodOutput<'records.diff'>;

/** What the editor holds for one record: the doctor's text per section and the version it started from. */
interface EditorCopy {
  baseVersion: number;
  base: Record<string, string>;
  texts: Record<string, string>;
  addendum: string;
}

/** A save the host refused (another window saved first, or the record was signed): the doctor's text stays. */
export type RefusedSave = UiError & { code: 'RECORD_CONFLICT' | 'RECORD_SIGNED' };

const sectionTexts = (record: MedicalRecord): Record<string, string> => Object.fromEntries(record.sections.map((section) => [section.key, sectionText(section)]));

/**
 * The record pane: the list, the open record and its editor, the consultation input, a model draft's
 * progress (its `records.section` events fill the editor as they come, `records.drafted` ends it),
 * sign-off, addenda, versions with their diff, the audit trail and exports. Nothing the doctor typed
 * is ever dropped by this class: a failed draft keeps the input, a refused save keeps every section's
 * text (and the text of a record left for another stays until the doctor comes back to it).
 */
export class RecordsState {
  list = $state.raw<RecordSummary[]>([]);
  templates = $state.raw<RecordTemplate[]>([]);
  listLoaded = $state(false);

  record = $state.raw<MedicalRecord | null>(null);
  loading = $state(false);

  /** The consultation as pasted or typed (`患者：…` / `医生：…` lines). */
  input = $state('');
  /** The chat session the input was imported from (the record remembers it). */
  inputSessionId = $state<string | null>(null);
  kind = $state<RecordKind>('初诊');
  templateId = $state('general');
  /** The doctor asked for a model draft (sent only while a model is ready). */
  useModel = $state(false);
  /** A draft request is on its way. */
  submitting = $state(false);
  drafting = $state.raw<Drafting | null>(null);

  /** The doctor's text of each section of the open record (bound to the editor's text areas). */
  editor = $state<Record<string, string>>({});
  /** The saved text each section started from, and the version it is. */
  base = $state.raw<Record<string, string>>({});
  baseVersion = $state(0);
  /** After a refused save and a reload: the saved text of each section the doctor had changed, to compare. */
  theirs = $state.raw<Record<string, string>>({});
  saving = $state(false);
  refused = $state.raw<RefusedSave | null>(null);

  /** The turns to highlight in the dialogue (a sentence's evidence, while it is hovered or focused). */
  highlight = $state.raw<readonly number[]>([]);

  doctor = $state('');
  /** The name dialog is open: for this action, or to change the name. */
  askingDoctor = $state<NamedAction | 'change' | null>(null);
  confirmingSign = $state(false);
  signing = $state(false);
  addendumText = $state('');
  addingAddendum = $state(false);

  versions = $state.raw<RecordVersion[]>([]);
  diff = $state.raw<RecordDiff | null>(null);
  audit = $state.raw<AuditEntry[]>([]);
  historyLoading = $state(false);
  exporting = $state<ExportFormat | null>(null);

  /** The last failed call (a draft, a load, a sign …), shown as an alert in the pane. */
  error = $state.raw<UiError | null>(null);

  /** Sections whose text differs from what was saved. */
  dirtyKeys = $derived(Object.keys(this.editor).filter((key) => this.editor[key] !== this.base[key]));
  dirty = $derived(this.dirtyKeys.length > 0);
  editable = $derived(this.record?.state === 'draft' && this.drafting?.recordId !== this.record.id);
  signed = $derived(this.record?.state === 'signed');
  tooLong = $derived(this.input.length > MAX_DIALOGUE_CHARS);
  canDraft = $derived(this.input.trim().length > 0 && !this.tooLong && !this.submitting);
  /** Warnings of the open record by severity: what the sign dialog counts. */
  warningCounts = $derived.by(() => {
    const counts = { error: 0, warning: 0, info: 0 };
    for (const warning of this.record?.warnings ?? []) counts[warning.severity] += 1;
    return counts;
  });

  readonly #api: Api;
  readonly #modelReady: () => boolean;
  readonly #storage: DoctorStorage | null;
  /** The editor copies of records the doctor left with unsaved text. */
  readonly #copies = new Map<string, EditorCopy>();
  #openSeq = 0;
  #init: Promise<void> | null = null;

  /** `modelReady`: whether a model is loaded now (a model draft is asked for only then). */
  constructor(api: Api, modelReady: () => boolean, storage: DoctorStorage | null = defaultStorage()) {
    this.#api = api;
    this.#modelReady = modelReady;
    this.#storage = storage;
    try {
      this.doctor = storage?.getItem(DOCTOR_STORAGE_KEY)?.trim().slice(0, MAX_DOCTOR_NAME_CHARS) ?? '';
    } catch {
      // unreadable storage: asked at the first draft
    }
  }

  attach(): () => void {
    const offs = [
      this.#api.on('records.section', (payload) => this.onSection(payload)),
      this.#api.on('records.drafted', (payload) => this.onDrafted(payload)),
      this.#api.on('job.progress', (job) => this.onJob(job)),
    ];
    return () => offs.forEach((off) => off());
  }

  /** First visit: the list and the templates, asked for once however many callers wait (tried again after a failure). */
  init(): Promise<void> {
    this.#init ??= Promise.all([this.refresh(), this.#loadTemplates()]).then(() => {
      if (!this.listLoaded) this.#init = null;
    });
    return this.#init;
  }

  async refresh(): Promise<void> {
    try {
      this.list = await this.#api.records.list({});
      this.listLoaded = true;
    } catch (error) {
      this.error = toUiError(error);
    }
  }

  async #loadTemplates(): Promise<void> {
    try {
      this.templates = await this.#api.records.templates();
      if (!this.templates.some((template) => template.id === this.templateId) && this.templates[0]) this.templateId = this.templates[0].id;
    } catch (error) {
      this.error = toUiError(error);
    }
  }

  /** Opens a record (null: the empty input for a new one); the editor text of the one left is kept for later. */
  async open(id: string | null): Promise<boolean> {
    if (id === this.record?.id && !this.loading) return true;
    const seq = ++this.#openSeq;
    this.#stash();
    this.#clearRecordView();
    if (id === null) {
      this.record = null;
      this.loading = false;
      return true;
    }
    this.loading = true;
    try {
      const record = await this.#api.records.get({ id });
      if (seq !== this.#openSeq) return false;
      this.#show(record);
      return true;
    } catch (error) {
      if (seq !== this.#openSeq) return false;
      this.record = null;
      this.error = toUiError(error);
      return false;
    } finally {
      if (seq === this.#openSeq) this.loading = false;
    }
  }

  /** The open record again from the host: the doctor's changed sections keep their text, the rest shows what was saved. */
  async reload(): Promise<void> {
    const record = this.record;
    if (!record) return;
    try {
      const latest = await this.#api.records.get({ id: record.id });
      if (this.record?.id !== record.id) return;
      const mine = Object.fromEntries(this.dirtyKeys.map((key) => [key, this.editor[key]!]));
      this.#show(latest);
      const saved = sectionTexts(latest);
      const theirs: Record<string, string> = {};
      for (const [key, text] of Object.entries(mine)) {
        if (!(key in saved)) continue;
        this.editor[key] = text;
        if (saved[key] !== text) theirs[key] = saved[key]!;
      }
      this.theirs = theirs;
    } catch (error) {
      this.error = toUiError(error);
    }
  }

  /** Puts the saved text of a section back in the editor (after a conflict: the other window's text wins there). */
  takeTheirs(key: string): void {
    const text = this.theirs[key];
    if (text === undefined) return;
    this.editor[key] = text;
    const rest = { ...this.theirs };
    delete rest[key];
    this.theirs = rest;
  }

  // -- the consultation input --------------------------------------------------------------------

  /** The dialogue of a chat session, appended to what is already in the input (nothing typed is replaced). */
  async importSession(sessionId: string): Promise<boolean> {
    try {
      const text = dialogueFromMessages(await this.#api.sessions.messages({ id: sessionId }));
      if (!text) {
        this.error = { code: 'DIALOGUE_INVALID', message: '这个会话中没有医生输入的内容可以导入。' };
        return false;
      }
      this.input = this.input.trim() ? `${this.input.trimEnd()}\n${text}` : text;
      this.inputSessionId = sessionId;
      return true;
    } catch (error) {
      this.error = toUiError(error);
      return false;
    }
  }

  /** Drafts a record from the input; with a model (when one is ready and asked for) it is rewritten as a job. */
  async draft(): Promise<boolean> {
    if (!this.canDraft) return false;
    const author = this.#named('draft');
    if (!author) return false;
    const dialogue = this.input;
    this.submitting = true;
    this.error = null;
    try {
      const { record, jobId } = await this.#api.records.draft({
        dialogue,
        kind: this.kind,
        templateId: this.templateId,
        author,
        useModel: this.useModel && this.#modelReady(),
        ...(this.inputSessionId ? { sessionId: this.inputSessionId } : {}),
      });
      ++this.#openSeq;
      this.#stash();
      this.#clearRecordView();
      this.#show(record);
      this.#upsert(record);
      if (jobId !== null && record.state === 'drafting') this.drafting = { recordId: record.id, jobId, progress: 0, sections: 0 };
      // The record holds the dialogue now; the input is free for the next patient, unless it was changed meanwhile.
      if (this.input === dialogue) {
        this.input = '';
        this.inputSessionId = null;
      }
      return true;
    } catch (error) {
      this.error = toUiError(error);
      return false;
    } finally {
      this.submitting = false;
    }
  }

  /** Asks the host to stop the model draft (the findings draft stays). */
  async cancelDraft(): Promise<void> {
    const jobId = this.drafting?.jobId;
    if (!jobId) return;
    try {
      await this.#api.jobs.cancel({ id: jobId });
    } catch (error) {
      this.error = toUiError(error);
    }
  }

  onSection({ recordId, section }: EventPayload<'records.section'>): void {
    if (this.drafting?.recordId === recordId) this.drafting = { ...this.drafting, sections: this.drafting.sections + 1 };
    const record = this.record;
    if (record?.id !== recordId) return;
    const sections = record.sections.some((s) => s.key === section.key) ? record.sections.map((s) => (s.key === section.key ? section : s)) : [...record.sections, section];
    this.record = { ...record, sections };
    const text = sectionText(section);
    // A section the doctor has not touched follows the model; one they changed keeps their text.
    if (this.editor[section.key] === undefined || this.editor[section.key] === this.base[section.key]) this.editor[section.key] = text;
    this.base = { ...this.base, [section.key]: text };
  }

  onDrafted({ record }: EventPayload<'records.drafted'>): void {
    if (this.drafting?.recordId === record.id) this.drafting = null;
    this.#upsert(record);
    if (this.record?.id === record.id) this.#show(record, true);
  }

  /** The model draft's job: its progress; a job that ended without `records.drafted` (cancelled, failed) ends the wait. */
  onJob(job: Job): void {
    const drafting = this.drafting;
    if (job.kind !== 'records.draft' || !drafting || job.id !== drafting.jobId) return;
    if (job.state === 'running') {
      this.drafting = { ...drafting, progress: Math.max(drafting.progress, job.progress) };
      return;
    }
    if (job.state === 'done') return; // records.drafted carries the result
    this.drafting = null;
    if (job.error && job.state === 'failed') this.error = job.error;
    if (this.record?.id === drafting.recordId) void this.reload();
  }

  // -- editing and sign-off ----------------------------------------------------------------------

  /** Saves the changed sections as a new version on top of the one the editor started from. */
  async save(): Promise<boolean> {
    const record = this.record;
    if (!record || this.saving) return false;
    if (!this.dirty) return true;
    if (!this.editable) {
      if (record.state === 'signed') this.refused = { code: 'RECORD_SIGNED', message: '病历已签名，不能修改；更正请写补充记录。' };
      return false;
    }
    const author = this.#named('save');
    if (!author) return false;
    const sections = this.dirtyKeys.map((key) => ({ key, text: this.editor[key]! }));
    const typed = { ...this.editor };
    this.saving = true;
    this.error = null;
    try {
      const saved = await this.#api.records.save({ id: record.id, baseVersion: this.baseVersion, author, sections });
      if (this.record?.id !== record.id) return true;
      this.refused = null;
      this.theirs = {};
      this.#showNewVersion(saved);
      // What was typed while the save was on its way stays in the editor, on top of the new version.
      for (const [key, text] of Object.entries(typed)) if (this.editor[key] !== undefined && text !== this.editor[key]) this.editor[key] = text;
      return true;
    } catch (error) {
      this.#refusedOrFailed(error);
      return false;
    } finally {
      this.saving = false;
    }
  }

  /** The sign dialog: it shows the unsupported sentences and the warnings first; nothing is signed unasked. */
  requestSign(): void {
    if (!this.record || this.record.state !== 'draft' || !this.editable) return;
    if (!this.#named('sign')) return;
    this.confirmingSign = true;
  }

  /** Signs what the doctor has read: unsaved text is saved first, and a refused save signs nothing. */
  async sign(): Promise<boolean> {
    this.confirmingSign = false;
    const record = this.record;
    const signer = this.doctor;
    if (!record || !signer || this.signing) return false;
    this.signing = true;
    try {
      if (this.dirty && !(await this.save())) return false;
      const current = this.record;
      if (current?.id !== record.id) return false;
      const signed = await this.#api.records.sign({ id: current.id, version: current.version, signer });
      this.#showNewVersion(signed);
      return true;
    } catch (error) {
      this.#refusedOrFailed(error);
      return false;
    } finally {
      this.signing = false;
    }
  }

  /** A version the core just saved: shown, listed, and in the history when that is open. */
  #showNewVersion(record: MedicalRecord): void {
    this.#show(record);
    this.#upsert(record);
    if (this.versions.length) void this.loadHistory();
  }

  /** A save or signature the core refused (the record changed or was signed) keeps what was typed and offers the way on; any other failure is an error. */
  #refusedOrFailed(error: unknown): void {
    const failure = toUiError(error);
    if (failure.code === 'RECORD_CONFLICT' || failure.code === 'RECORD_SIGNED') this.refused = failure as RefusedSave;
    else this.error = failure;
  }

  /** After a save refused because the record was signed: the changed sections become the addendum's text. */
  editsToAddendum(): void {
    const record = this.record;
    if (!record) return;
    const lines = this.dirtyKeys.map((key) => `【${record.sections.find((s) => s.key === key)?.title ?? key}】${this.editor[key]}`);
    this.addendumText = [this.addendumText.trim(), ...lines].filter(Boolean).join('\n');
    this.refused = null;
    void this.reload();
  }

  async addAddendum(): Promise<boolean> {
    const record = this.record;
    const text = this.addendumText.trim();
    if (!record || !text || this.addingAddendum) return false;
    const author = this.#named('addendum');
    if (!author) return false;
    this.addingAddendum = true;
    try {
      const updated = await this.#api.records.addendum({ id: record.id, author, text });
      if (this.record?.id === record.id) {
        this.record = updated;
        this.addendumText = '';
      }
      this.#upsert(updated);
      return true;
    } catch (error) {
      this.error = toUiError(error);
      return false;
    } finally {
      this.addingAddendum = false;
    }
  }

  // -- the doctor's name -------------------------------------------------------------------------

  /** Remembers the doctor's name and goes on with what waited for it. */
  async setDoctor(name: string): Promise<boolean> {
    const trimmed = name.trim().slice(0, MAX_DOCTOR_NAME_CHARS);
    if (!trimmed) return false;
    this.doctor = trimmed;
    try {
      this.#storage?.setItem(DOCTOR_STORAGE_KEY, trimmed);
    } catch {
      // not remembered; this window still uses it
    }
    const pending = this.askingDoctor;
    this.askingDoctor = null;
    if (pending === 'draft') await this.draft();
    else if (pending === 'save') await this.save();
    else if (pending === 'sign') this.requestSign();
    else if (pending === 'addendum') await this.addAddendum();
    return true;
  }

  /** The name dialog, to change the name (nothing waits for it). */
  changeDoctor(): void {
    this.askingDoctor = 'change';
  }

  /** The doctor's name, or null after opening the dialog that asks for it (the action then waits). */
  #named(action: NamedAction): string | null {
    if (this.doctor) return this.doctor;
    this.askingDoctor = action;
    return null;
  }

  // -- history and export ------------------------------------------------------------------------

  /** Versions, the diff from the generated draft to the latest, and the audit trail. */
  async loadHistory(from?: number, to?: number): Promise<void> {
    const record = this.record;
    if (!record) return;
    this.historyLoading = true;
    try {
      const [versions, diff, audit] = await Promise.all([
        this.#api.records.versions({ id: record.id }),
        this.#api.records.diff({ id: record.id, ...(from ? { from } : {}), ...(to ? { to } : {}) }),
        this.#api.records.audit({ id: record.id }),
      ]);
      if (this.record?.id !== record.id) return;
      this.versions = versions;
      this.diff = diff;
      this.audit = audit;
    } catch (error) {
      this.error = toUiError(error);
    } finally {
      this.historyLoading = false;
    }
  }

  async showDiff(from: number, to: number): Promise<void> {
    const record = this.record;
    if (!record) return;
    try {
      const diff = await this.#api.records.diff({ id: record.id, from, to });
      if (this.record?.id === record.id) this.diff = diff;
    } catch (error) {
      this.error = toUiError(error);
    }
  }

  /** The record as a file (plain text, Markdown, FHIR); null when it failed (the alert says why). */
  async exportAs(format: ExportFormat): Promise<RecordExport | null> {
    const record = this.record;
    if (!record || this.exporting) return null;
    this.exporting = format;
    try {
      return await this.#api.records.export({ id: record.id, format, ...(this.doctor ? { actor: this.doctor } : {}) });
    } catch (error) {
      this.error = toUiError(error);
      return null;
    } finally {
      this.exporting = null;
    }
  }

  dismissError(): void {
    this.error = null;
  }

  dismissRefused(): void {
    this.refused = null;
  }

  // -- internals ---------------------------------------------------------------------------------

  /**
   * Shows a record in the editor. A record left with unsaved text gets that text back, still on the
   * version it started from (a save then tells if another window saved meanwhile). `replace`: the
   * model finished the draft, whose text replaces the sections the doctor has not touched.
   */
  #show(record: MedicalRecord, replace = false): void {
    const saved = sectionTexts(record);
    const copy = replace ? null : this.#copies.get(record.id);
    this.#copies.delete(record.id);
    const mine = replace && this.record?.id === record.id ? Object.fromEntries(this.dirtyKeys.map((key) => [key, this.editor[key]!])) : {};
    this.record = record;
    if (copy) {
      this.base = copy.base;
      this.baseVersion = copy.baseVersion;
      this.editor = { ...saved, ...copy.texts };
      this.addendumText = copy.addendum;
      return;
    }
    this.base = saved;
    this.baseVersion = record.version;
    this.editor = { ...saved, ...Object.fromEntries(Object.entries(mine).filter(([key]) => key in saved)) };
  }

  /** Keeps the open record's unsaved text (sections, addendum) for when the doctor comes back to it. */
  #stash(): void {
    const record = this.record;
    if (!record || (!this.dirty && !this.addendumText.trim())) return;
    const texts = Object.fromEntries(this.dirtyKeys.map((key) => [key, this.editor[key]!]));
    this.#copies.set(record.id, { baseVersion: this.baseVersion, base: this.base, texts, addendum: this.addendumText });
  }

  #clearRecordView(): void {
    this.error = null;
    this.refused = null;
    this.theirs = {};
    this.highlight = [];
    this.versions = [];
    this.diff = null;
    this.audit = [];
    this.confirmingSign = false;
    this.addendumText = '';
    this.editor = {};
    this.base = {};
    this.baseVersion = 0;
  }

  #upsert(record: MedicalRecord): void {
    const summary: RecordSummary = {
      id: record.id,
      kind: record.kind,
      department: record.department,
      title: record.title,
      state: record.state,
      version: record.version,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      signedAt: record.signedAt,
      signedBy: record.signedBy,
    };
    this.list = [summary, ...this.list.filter((other) => other.id !== record.id)].sort((a, b) => b.updatedAt - a.updatedAt);
  }
}
