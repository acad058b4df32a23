import type { Api, ChosenFile, Job, KbEntry, KbField, KbHit, KbImportFormat, KbImportReport, KbSourceDetail, KbSourceKind, KbStats, MethodInput } from '$contract';
import { KbCsvMapping, MAX_UPLOAD_BYTES } from '$contract';
import type { FilePicker, UploadPicker } from '../api/files.js';
import { toUiError, type UiError } from '../i18n/index.js';
import { CallJob } from './call-job.js';
import { SearchState } from './search.svelte.js';

/** What the knowledge pane's detail area shows. */
export type KbPanel = 'stats' | 'entry' | 'import';

/**
 * An import's steps: `upload` while a browser sends the file to the host, then as its job reports
 * them: `start` until the file is opened, `read` and `index`.
 */
export type ImportPhase = 'upload' | 'start' | 'read' | 'index';

export function importPhase(phase: string): ImportPhase {
  return phase === 'upload' || phase === 'read' || phase === 'index' ? phase : 'start';
}

/** The file the import form holds, as it shows it. */
export interface ImportFile {
  name: string;
  sizeBytes: number;
}

/** What an import reads: the open dialog's handle (reusable a while), or a browser's file, uploaded at each import. */
type ImportSource = { handle: ChosenFile } | { upload: File; to: UploadPicker };

/** What an import may declare itself to be: anything but the starter set. */
export type ImportKind = Exclude<KbSourceKind, 'starter'>;

export interface ImportProgress {
  phase: ImportPhase;
  /** Bytes read or entries indexed, when the step counts them. */
  done: number | null;
  total: number | null;
  /** Progress of the whole import, 0…1, never going backwards. */
  overall: number;
}

/**
 * Share of an import the read step stands for; indexing is the rest. Measured on a 40 MB file of
 * 18 000 entries: reading took a fifth of the time, indexing the rest (and files of shorter lines
 * have more entries per byte, so indexing weighs even more).
 */
const READ_SHARE = 0.25;
/** Share of an uploaded import the upload stands for: a plain copy over loopback, before any parsing. */
const UPLOAD_SHARE = 0.1;

/**
 * The whole import's progress, 0…1, from its step and the step's progress (0…1); a dry run has no
 * index step, so reading is all of it; an uploaded file's import comes after its upload.
 */
export function importOverall(phase: string, progress: number, dryRun = false, uploaded = false): number {
  const fraction = Math.min(1, Math.max(0, progress));
  const step = importPhase(phase);
  if (step === 'upload') return UPLOAD_SHARE * fraction;
  const before = uploaded ? UPLOAD_SHARE : 0;
  const after = (share: number) => before + (1 - before) * share;
  if (step === 'start') return after(0);
  if (dryRun) return after(step === 'read' ? fraction : 1);
  return after(step === 'read' ? READ_SHARE * fraction : READ_SHARE + (1 - READ_SHARE) * fraction);
}

/** The CSV column mapping typed in the import form (JSON), checked before it goes to the host. */
export type MappingCheck = { ok: true; mapping: KbCsvMapping } | { ok: false; reason: 'empty' | 'invalid' };

export function parseMapping(text: string): MappingCheck {
  if (!text.trim()) return { ok: false, reason: 'empty' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  const parsed = KbCsvMapping.safeParse(value);
  return parsed.success ? { ok: true, mapping: parsed.data } : { ok: false, reason: 'invalid' };
}

/**
 * The knowledge base pane: search (SearchState: debounced, newest query wins), the open entry with a back
 * history (links and citations open entries), statistics by type and source, and imports with a
 * determinate progress from their job's `job.progress`, a cancel, and the host's report. Replies are `$state.raw`.
 */
export class KnowledgeState extends SearchState<KbHit> {
  panel = $state<KbPanel>('stats');

  entry = $state.raw<KbEntry | null>(null);
  entryLoading = $state(false);
  /** The last entry that could not be opened (a citation to an entry since removed, say). */
  entryError = $state.raw<UiError | null>(null);
  /** Entries opened before the current one, for "back". */
  history = $state.raw<string[]>([]);
  /** The fact a citation opened the entry at: its field and source, shown highlighted. */
  cited = $state.raw<{ field: KbField; source: string } | null>(null);

  /** The source being inspected in the statistics panel, with its entries. */
  sourceDetail = $state.raw<KbSourceDetail | null>(null);
  /** The source whose removal waits for the user's confirmation. */
  confirmRemove = $state<string | null>(null);
  /** A source being removed or rolled back. */
  sourceBusy = $state<string | null>(null);
  /** What the last removal or rollback did, or why it failed. */
  sourceNotice = $state.raw<{ kind: 'removed' | 'rolledBack'; label: string; count: number } | null>(null);
  sourceError = $state.raw<UiError | null>(null);

  stats = $state.raw<KbStats | null>(null);
  statsLoading = $state(false);

  /** The file to import: chosen in Electron's open dialog, or picked in a browser (then uploaded on import). */
  importFile = $state.raw<ImportFile | null>(null);
  /** Electron's open dialog is showing. */
  choosing = $state(false);
  importFormat = $state<KbImportFormat>('jsonl');
  /** CSV only (required there): the column mapping as JSON, e.g. {"type":"drug","columns":{"通用名":"name"}}. */
  importMapping = $state('');
  /** The source label the facts are stamped with; empty: the host names it after the file. */
  importSource = $state('');
  /** Empty: the host decides from the format (label text: `label`, otherwise `hospital`). */
  importKind = $state<ImportKind | ''>('');
  dryRun = $state(false);
  importing = $state(false);
  progress = $state.raw<ImportProgress | null>(null);
  report = $state.raw<KbImportReport | null>(null);
  /** The import call itself failed (unreadable file, bad input): nothing was imported. */
  importError = $state.raw<UiError | null>(null);
  /** Cancel was asked for the running import (the host has not ended it yet). */
  importCancelling = $state(false);
  /** The last import was cancelled: the knowledge base is as it was. */
  importCancelled = $state(false);

  /** The last failed search or statistics call. */
  error = $state.raw<UiError | null>(null);

  /** The CSV mapping as checked; null when the format needs none. */
  mappingCheck = $derived(this.importFormat === 'csv' ? parseMapping(this.importMapping) : null);
  /** A browser's file past the upload limit: refused here, before a byte is sent. */
  fileTooLarge = $derived.by(() => this.files.kind === 'upload' && (this.importFile?.sizeBytes ?? 0) > MAX_UPLOAD_BYTES);
  canImport = $derived(this.importFile !== null && !this.fileTooLarge && !this.importing && (this.mappingCheck?.ok ?? true));
  canGoBack = $derived(this.history.length > 0);

  readonly #api: Api;
  #entrySeq = 0;
  #importDryRun = false;
  #source: ImportSource | null = null;
  /** The running import's upload, until the host has the file. */
  #upload: AbortController | null = null;
  #uploaded = false;
  readonly #importJob = new CallJob('kb.import', (id) => this.#cancelJob(id));

  /** `files`: how this window hands the host a file, never by its path. */
  constructor(
    api: Api,
    readonly files: FilePicker,
  ) {
    super();
    this.#api = api;
  }

  attach(): () => void {
    return this.#api.on('job.progress', (job) => this.onJob(job));
  }

  /** First visit to the pane: the statistics (the starter set loads itself on the host's first open). */
  async init(): Promise<void> {
    if (!this.stats && !this.statsLoading) await this.refreshStats();
  }

  protected override normalizeQuery(query: string): string {
    return query.trim().slice(0, 200);
  }

  protected fetchHits(query: string): Promise<KbHit[]> {
    return this.#api.kb.search({ query, limit: 50 });
  }

  protected override searchSucceeded(): void {
    this.error = null;
  }

  protected searchFailed(error: unknown): void {
    this.error = toUiError(error);
  }

  /** Opens an entry; the one shown before goes on the back history unless `fromHistory`. A citation names the fact it cites. */
  async openEntry(id: string, fromHistory = false, cited: { field: KbField; source: string } | null = null): Promise<boolean> {
    const seq = ++this.#entrySeq;
    const previous = this.entry;
    this.cited = cited;
    this.panel = 'entry';
    this.entryLoading = true;
    try {
      const entry = await this.#api.kb.entry({ id });
      if (seq !== this.#entrySeq) return false;
      if (!fromHistory && previous && previous.id !== entry.id) this.history = [...this.history, previous.id].slice(-50);
      this.entry = entry;
      this.entryError = null;
      return true;
    } catch (error) {
      if (seq !== this.#entrySeq) return false;
      this.entryError = toUiError(error);
      return false;
    } finally {
      if (seq === this.#entrySeq) this.entryLoading = false;
    }
  }

  async back(): Promise<void> {
    const id = this.history[this.history.length - 1];
    if (id === undefined) return;
    this.history = this.history.slice(0, -1);
    await this.openEntry(id, true);
  }

  showPanel(panel: KbPanel): void {
    this.panel = panel;
    if (panel === 'stats') void this.refreshStats();
  }

  async refreshStats(): Promise<void> {
    this.statsLoading = true;
    try {
      this.stats = await this.#api.kb.stats();
    } catch (error) {
      this.error = toUiError(error);
    } finally {
      this.statsLoading = false;
    }
  }

  async inspectSource(label: string): Promise<void> {
    this.sourceError = null;
    try {
      this.sourceDetail = await this.#api.kb.source({ label, limit: 200 });
    } catch (error) {
      this.sourceError = toUiError(error);
    }
  }

  /** Removes an imported source once the user has confirmed it. */
  async removeSource(label: string): Promise<boolean> {
    if (this.confirmRemove !== label) {
      this.confirmRemove = label;
      return false;
    }
    return this.#changeSource(label, async () => {
      const result = await this.#api.kb.removeSource({ label });
      this.sourceNotice = { kind: 'removed', label, count: result.entriesRemoved };
    });
  }

  async rollbackSource(label: string): Promise<boolean> {
    return this.#changeSource(label, async () => {
      const source = await this.#api.kb.rollbackSource({ label });
      this.sourceNotice = { kind: 'rolledBack', label, count: source.entries };
    });
  }

  async #changeSource(label: string, change: () => Promise<void>): Promise<boolean> {
    this.confirmRemove = null;
    this.sourceBusy = label;
    this.sourceError = null;
    this.sourceNotice = null;
    try {
      await change();
      if (this.sourceDetail?.source.label === label) this.sourceDetail = null;
      await this.#afterCommit();
      return true;
    } catch (error) {
      this.sourceError = toUiError(error);
      return false;
    } finally {
      this.sourceBusy = null;
    }
  }

  /** Electron: the main process's open dialog; a cancel keeps the file chosen before. */
  async chooseFile(): Promise<void> {
    if (this.files.kind !== 'dialog' || this.choosing || this.importing) return;
    this.choosing = true;
    this.importError = null;
    try {
      const chosen = await this.files.choose('kb.import');
      if (chosen) this.#hold({ handle: chosen }, chosen);
    } catch (error) {
      this.importError = toUiError(error);
    } finally {
      this.choosing = false;
    }
  }

  /** A browser: the file picked in the form (null: none), uploaded when the import runs. */
  pickFile(file: File | null): void {
    if (this.files.kind !== 'upload' || this.importing) return;
    this.importError = null;
    if (file) this.#hold({ upload: file, to: this.files }, { name: file.name, sizeBytes: file.size });
    else {
      this.#source = null;
      this.importFile = null;
    }
  }

  #hold(source: ImportSource, file: ImportFile): void {
    this.#source = source;
    this.importFile = { name: file.name, sizeBytes: file.sizeBytes };
  }

  /** Runs the import in the form; false when it did not start or the host refused it. */
  async runImport(): Promise<boolean> {
    const chosen = this.#source;
    if (!this.canImport || !chosen) return false;
    const check = this.mappingCheck;
    if (check && !check.ok) return false;
    const input: Omit<MethodInput<'kb.import'>, 'file'> = { format: this.importFormat, dryRun: this.dryRun };
    if (check?.ok) input.mapping = check.mapping;
    const source = this.importSource.trim();
    if (source) input.source = source.slice(0, 100);
    if (this.importKind) input.kind = this.importKind;
    this.importing = true;
    this.report = null;
    this.importError = null;
    this.importCancelled = false;
    this.importCancelling = false;
    this.progress = { phase: 'start', done: null, total: null, overall: 0 };
    this.#importDryRun = input.dryRun ?? false;
    this.#uploaded = 'upload' in chosen;
    try {
      const file = 'handle' in chosen ? chosen.handle : await this.#uploadFile(chosen.upload, chosen.to);
      this.#importJob.begin(file.name);
      const report = await this.#api.kb.import({ ...input, file: file.file });
      this.report = report;
      if (report.committed) await this.#afterCommit();
      return true;
    } catch (error) {
      const failure = toUiError(error);
      if (failure.code === 'CANCELLED') this.importCancelled = true;
      else this.importError = failure;
      return false;
    } finally {
      this.#importJob.end();
      this.importing = false;
      this.importCancelling = false;
      this.progress = null;
    }
  }

  /** Sends a browser's file to the host, the bar following it; the host answers its handle. */
  async #uploadFile(file: File, picker: UploadPicker): Promise<ChosenFile> {
    const upload = (this.#upload = new AbortController());
    this.progress = { phase: 'upload', done: 0, total: file.size, overall: 0 };
    try {
      return await picker.upload(file, {
        signal: upload.signal,
        onProgress: (sent, total) => {
          if (this.#upload === upload) this.progress = { phase: 'upload', done: sent, total, overall: importOverall('upload', total > 0 ? sent / total : 1) };
        },
      });
    } finally {
      this.#upload = null;
    }
  }

  /** Asks the host to stop the running import (or the upload before it); it ends with nothing written (`importCancelled`). */
  async cancelImport(): Promise<void> {
    if (!this.importing || this.importCancelling) return;
    this.importCancelling = true;
    if (this.#upload) this.#upload.abort();
    else await this.#importJob.cancel();
  }

  /** A change of a job: this window's import moves its bar (monotone); any other job is not ours. */
  onJob(job: Job): void {
    if (!this.importing || !this.#importJob.owns(job)) return; // a stray event after the import ended must not bring the bar back
    if (job.state !== 'running') return; // the call's own reply ends it
    const overall = Math.max(this.progress?.overall ?? 0, importOverall(job.phase, job.progress, this.#importDryRun, this.#uploaded));
    this.progress = { phase: importPhase(job.phase), done: job.done, total: job.total, overall };
  }

  async #cancelJob(id: string): Promise<void> {
    try {
      await this.#api.jobs.cancel({ id });
    } catch (error) {
      this.importCancelling = false; // the import goes on: cancel may be pressed again
      this.error = toUiError(error);
    }
  }

  dismissError(): void {
    this.error = null;
  }

  dismissEntryError(): void {
    this.entryError = null;
  }

  /** New facts: the numbers, the open entry and the results may all have changed. */
  async #afterCommit(): Promise<void> {
    const jobs: Array<Promise<unknown>> = [this.refreshStats()];
    if (this.entry) jobs.push(this.#reloadEntry(this.entry.id));
    if (this.resultsFor) jobs.push(this.search(this.resultsFor));
    await Promise.all(jobs);
  }

  async #reloadEntry(id: string): Promise<void> {
    const seq = ++this.#entrySeq;
    try {
      const entry = await this.#api.kb.entry({ id });
      if (seq === this.#entrySeq) this.entry = entry;
    } catch (error) {
      // Its source was removed: say so rather than keep showing what the base no longer holds.
      if (seq === this.#entrySeq) {
        this.entry = null;
        this.entryError = toUiError(error);
      }
    }
  }
}
