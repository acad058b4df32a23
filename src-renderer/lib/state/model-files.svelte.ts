import type { Api, ChosenFile, Job, ModelEntry, ModelKind, VerifyResult } from '$contract';
import { MAX_UPLOAD_BYTES } from '$contract';
import type { DialogPicker, FilePicker, UploadPicker } from '../api/files.js';
import { toUiError, type UiError } from '../i18n/index.js';
import { CallJob } from './call-job.js';
import type { ModelsState } from './models.svelte.js';

/** An import's steps: `upload` while a browser sends the files to the host, then as its job reports them. */
export type ModelImportPhase = 'upload' | 'start' | 'copy' | 'inspect';

export interface ModelImportProgress {
  phase: ModelImportPhase;
  /** The file the step works on, when known. */
  file: string | null;
  /** Bytes of the step done and in all, when it counts them. */
  done: number | null;
  total: number | null;
  /** The whole import, 0…1, never going backwards. */
  overall: number;
}

/** What an import ended with: each file imported or refused on its own. */
export interface ModelImportOutcome {
  imported: ModelEntry[];
  refused: Array<{ name: string; error: UiError }>;
}

/** Share of an uploaded import the upload stands for: the same bytes cross the loopback as are then copied. */
const UPLOAD_SHARE = 0.5;

/** Only GGUF files are offered to the host: anything else is refused here, before a byte is sent. */
export function isGguf(name: string): boolean {
  return name.toLowerCase().endsWith('.gguf');
}

/**
 * The registry's files as work on them: importing (Electron's open dialog, or a browser's chosen or
 * dropped files uploaded first) as a `models.import` job with its byte progress and cancel, and the
 * files imported and refused; verifying every file as a `models.verify` job with the state of each;
 * removing one after the doctor confirms (refused, MODEL_IN_USE, while loaded or named by a profile).
 */
export class ModelFilesState {
  importing = $state(false);
  importProgress = $state.raw<ModelImportProgress | null>(null);
  importCancelling = $state(false);
  importCancelled = $state(false);
  importOutcome = $state.raw<ModelImportOutcome | null>(null);
  importError = $state.raw<UiError | null>(null);
  /** Electron's open dialog is up, or the main process checks the files dropped. */
  choosing = $state(false);

  verifying = $state(false);
  verifyProgress = $state.raw<{ file: string | null; overall: number } | null>(null);
  verifyCancelling = $state(false);
  verifyCancelled = $state(false);
  verifyResults = $state.raw<VerifyResult[] | null>(null);
  verifyError = $state.raw<UiError | null>(null);

  /** The file waiting for the doctor to confirm its removal. */
  removal = $state.raw<ModelEntry | null>(null);
  removing = $state(false);
  removeError = $state.raw<UiError | null>(null);

  readonly picker: FilePicker;
  readonly #api: Api;
  readonly #models: ModelsState;
  readonly #importJob = new CallJob('models.import', (id) => this.#cancelJob(id, 'import'));
  readonly #verifyJob = new CallJob('models.verify', (id) => this.#cancelJob(id, 'verify'));
  #upload: AbortController | null = null;
  #uploaded = false;

  constructor(api: Api, picker: FilePicker, models: ModelsState) {
    this.#api = api;
    this.picker = picker;
    this.#models = models;
  }

  attach(): () => void {
    return this.#api.on('job.progress', (job) => this.onJob(job));
  }

  /** Electron: the open dialog (several files at once), then the import. */
  async choose(): Promise<void> {
    if (this.picker.kind !== 'dialog' || this.choosing || this.importing) return;
    this.choosing = true;
    try {
      const chosen = await this.picker.chooseMany('models.import');
      if (chosen.length > 0) await this.#import(chosen, []);
    } catch (error) {
      this.importError = toUiError(error);
    } finally {
      this.choosing = false;
    }
  }

  /**
   * Files chosen in a browser, or dropped on the pane: each GGUF file (within a browser's upload
   * limit) is imported, all in one job; the others are refused here, each with its reason. A browser
   * uploads them first; in Electron the main process checks each dropped file and answers its handle.
   */
  async importFiles(files: readonly File[]): Promise<void> {
    if (this.importing || this.choosing || files.length === 0) return;
    const picker = this.picker;
    const refused: ModelImportOutcome['refused'] = [];
    const accepted: File[] = [];
    for (const file of files) {
      if (!isGguf(file.name)) refused.push({ name: file.name, error: { code: 'MODEL_NOT_GGUF', message: `${file.name} 不是 .gguf 文件，未导入`, details: { file: file.name } } });
      else if (picker.kind === 'upload' && file.size > MAX_UPLOAD_BYTES)
        refused.push({ name: file.name, error: { code: 'FILE_TOO_LARGE', message: `${file.name} 超过浏览器模式的上传上限 ${Math.round(MAX_UPLOAD_BYTES / 1024 ** 2)} MB：请把它直接复制到模型文件夹`, details: { file: file.name, max: MAX_UPLOAD_BYTES } } });
      else accepted.push(file);
    }
    const sources = picker.kind === 'upload' ? accepted.map((file) => ({ upload: file, to: picker })) : await this.#dropped(picker, accepted, refused);
    if (sources === null) return;
    if (sources.length === 0) {
      this.#start();
      this.#finish({ imported: [], refused });
      return;
    }
    await this.#import(sources, refused);
  }

  /** Stops the running import (or its upload): nothing of it stays in the models folder. */
  async cancelImport(): Promise<void> {
    if (!this.importing || this.importCancelling) return;
    this.importCancelling = true;
    if (this.#upload) this.#upload.abort();
    else await this.#importJob.cancel();
  }

  /** Re-hashes every registered file against its recorded sha256. */
  async verify(): Promise<void> {
    if (this.verifying) return;
    this.verifying = true;
    this.verifyCancelling = false;
    this.verifyCancelled = false;
    this.verifyError = null;
    this.verifyResults = null;
    this.verifyProgress = { file: null, overall: 0 };
    this.#verifyJob.begin(null);
    try {
      this.verifyResults = await this.#api.models.verify({});
    } catch (error) {
      const failure = toUiError(error);
      if (failure.code === 'CANCELLED') this.verifyCancelled = true;
      else this.verifyError = failure;
    } finally {
      this.#verifyJob.end();
      this.verifying = false;
      this.verifyCancelling = false;
      this.verifyProgress = null;
      await this.#models.refreshFiles();
    }
  }

  async cancelVerify(): Promise<void> {
    if (!this.verifying || this.verifyCancelling) return;
    this.verifyCancelling = true;
    await this.#verifyJob.cancel();
  }

  askRemove(file: string, kind: ModelKind): void {
    const list = kind === 'model' ? this.#models.files?.models : this.#models.files?.adapters;
    this.removal = list?.find((entry) => entry.file === file) ?? null;
    this.removeError = null;
  }

  cancelRemove(): void {
    this.removal = null;
  }

  async confirmRemove(): Promise<boolean> {
    const entry = this.removal;
    this.removal = null;
    if (!entry || this.removing) return false;
    this.removing = true;
    this.removeError = null;
    try {
      await this.#api.models.remove({ file: entry.file, kind: entry.kind });
      return true;
    } catch (error) {
      this.removeError = toUiError(error);
      return false;
    } finally {
      this.removing = false;
      await this.#models.refreshFiles();
    }
  }

  dismissRemove(): void {
    this.removeError = null;
  }

  dismissImport(): void {
    this.importOutcome = null;
    this.importError = null;
    this.importCancelled = false;
  }

  dismissVerify(): void {
    this.verifyResults = null;
    this.verifyError = null;
    this.verifyCancelled = false;
  }

  /** A change of a job: this window's import or verify moves its bar (monotone); any other job is not ours. */
  onJob(job: Job): void {
    if (job.state !== 'running') return; // the call's own reply ends it
    if (this.importing && this.#importJob.owns(job)) {
      // Both steps count the bytes of all the files: the job's progress is the whole import's.
      const overall = Math.max(this.importProgress?.overall ?? 0, this.#uploaded ? UPLOAD_SHARE + (1 - UPLOAD_SHARE) * job.progress : job.progress);
      const phase = job.phase === 'copy' || job.phase === 'inspect' ? job.phase : 'start';
      this.importProgress = { phase, file: job.detail ?? job.subject, done: job.done, total: job.total, overall };
    } else if (this.verifying && this.#verifyJob.owns(job)) {
      this.verifyProgress = { file: job.detail ?? job.subject, overall: Math.max(this.verifyProgress?.overall ?? 0, job.progress) };
    }
  }

  #start(): void {
    this.importOutcome = null;
    this.importError = null;
    this.importCancelled = false;
    this.importCancelling = false;
  }

  #finish(outcome: ModelImportOutcome): void {
    this.importOutcome = outcome;
  }

  async #import(sources: ReadonlyArray<ChosenFile | { upload: File; to: UploadPicker }>, refused: ModelImportOutcome['refused']): Promise<void> {
    this.#start();
    this.importing = true;
    this.#uploaded = sources.some((source) => 'upload' in source);
    this.importProgress = { phase: this.#uploaded ? 'upload' : 'start', file: null, done: null, total: null, overall: 0 };
    try {
      const handles = await this.#uploadAll(sources);
      this.importProgress = { phase: 'start', file: null, done: null, total: null, overall: this.#uploaded ? UPLOAD_SHARE : 0 };
      this.#importJob.begin(handles.length === 1 ? handles[0]!.name : null);
      const result = await this.#api.models.import({ files: handles.map((handle) => handle.file) });
      this.#finish({ imported: result.imported, refused: [...refused, ...result.refused.map(({ name, error }) => ({ name, error }))] });
    } catch (error) {
      const failure = toUiError(error);
      if (failure.code === 'CANCELLED') this.importCancelled = true;
      else this.importError = failure;
      if (refused.length > 0) this.#finish({ imported: [], refused });
    } finally {
      this.#importJob.end();
      this.#upload = null;
      this.importing = false;
      this.importCancelling = false;
      this.importProgress = null;
      await this.#models.refreshFiles();
    }
  }

  /** Electron: the handles of the dropped files the main process accepts; those it refuses join `refused` (null: it could not be asked). */
  async #dropped(picker: DialogPicker, files: readonly File[], refused: ModelImportOutcome['refused']): Promise<ChosenFile[] | null> {
    if (files.length === 0) return [];
    this.choosing = true;
    try {
      const replies = await picker.dropModelFiles(files);
      const handles: ChosenFile[] = [];
      replies.forEach((reply, index) => {
        if (reply.ok) handles.push(reply.value);
        else refused.push({ name: files[index]?.name ?? '', error: reply.error });
      });
      return handles;
    } catch (error) {
      this.#start();
      this.importError = toUiError(error);
      return null;
    } finally {
      this.choosing = false;
    }
  }

  /** Sends a browser's files to the host one after another (bytes counted over all of them); chosen handles pass as they are. */
  async #uploadAll(sources: ReadonlyArray<ChosenFile | { upload: File; to: UploadPicker }>): Promise<ChosenFile[]> {
    const total = sources.reduce((sum, source) => sum + ('upload' in source ? source.upload.size : 0), 0);
    let before = 0;
    const handles: ChosenFile[] = [];
    for (const source of sources) {
      if (!('upload' in source)) {
        handles.push(source);
        continue;
      }
      const upload = (this.#upload = new AbortController());
      const name = source.upload.name;
      handles.push(
        await source.to.upload(source.upload, {
          signal: upload.signal,
          onProgress: (sent) => {
            if (this.#upload !== upload) return;
            const done = before + sent;
            this.importProgress = { phase: 'upload', file: name, done, total, overall: Math.max(this.importProgress?.overall ?? 0, UPLOAD_SHARE * (total > 0 ? done / total : 1)) };
          },
        }),
      );
      before += source.upload.size;
    }
    this.#upload = null;
    return handles;
  }

  async #cancelJob(id: string, which: 'import' | 'verify'): Promise<void> {
    try {
      await this.#api.jobs.cancel({ id });
    } catch (error) {
      // the job goes on: cancel may be pressed again
      if (which === 'import') {
        this.importCancelling = false;
        this.importError = toUiError(error);
      } else {
        this.verifyCancelling = false;
        this.verifyError = toUiError(error);
      }
    }
  }
}
