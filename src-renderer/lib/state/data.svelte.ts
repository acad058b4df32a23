import type { Api, BackupEntry, ChosenFile, DataEncrypted, DataRestored, DataStatus, Job } from '$contract';
import { MAX_UPLOAD_BYTES } from '$contract';
import type { FilePicker, UploadPicker } from '../api/files.js';
import { toUiError, type UiError } from '../i18n/index.js';
import type { JobsState } from './jobs.svelte.js';

/** A restore waiting for the doctor's yes: a backup of the list, a file chosen in the desktop's open dialog, or (a browser) a backup file to upload. */
export type RestoreChoice = { backup: BackupEntry } | { chosen: ChosenFile } | { upload: File; to: UploadPicker };

/** What failed last, and in which action (each shows under its own heading). */
export interface DataFailure {
  action: 'status' | 'backup' | 'restore' | 'encrypt';
  error: UiError;
}

/** How long the result of a restore shows before the page reloads. */
export const RELOAD_DELAY_MS = 1500;

/** A browser's file the host could take as a backup (the core checks its contents), or why not. */
export function refuseBackupFile(file: File): UiError | null {
  if (!file.name.toLowerCase().endsWith('.tar.gz')) return { code: 'BACKUP_INVALID', message: `${file.name} 不是杏林的备份文件（.tar.gz），未恢复`, details: { file: file.name } };
  if (file.size > MAX_UPLOAD_BYTES)
    return { code: 'FILE_TOO_LARGE', message: `${file.name} 超过浏览器模式的上传上限 ${Math.round(MAX_UPLOAD_BYTES / 1024 ** 2)} MB：请把它放进备份文件夹，再从列表中恢复`, details: { file: file.name, max: MAX_UPLOAD_BYTES } };
  return null;
}

/**
 * The data folder as the data pane shows it (`data.status`): backing up now (a `data.backup` job,
 * its progress from the status bar's job list), restoring a backup only after the doctor confirms,
 * and turning encryption on, with the recovery key kept here until its dialog is closed (shown once).
 * A restore replaces every database under every other state of the window: after it the page
 * reloads (`reloadApp`), once the result has been shown.
 */
export class DataState {
  status = $state.raw<DataStatus | null>(null);
  failure = $state.raw<DataFailure | null>(null);

  /** This window's `data.backup` call runs. */
  backingUp = $state(false);
  lastBackup = $state.raw<BackupEntry | null>(null);

  pendingRestore = $state.raw<RestoreChoice | null>(null);
  restoring = $state(false);
  /** A browser sends the backup file to the host: bytes sent of all, 0…1 (null: no upload now). */
  uploadProgress = $state<number | null>(null);
  restored = $state.raw<DataRestored | null>(null);

  askingEncrypt = $state(false);
  encrypting = $state(false);
  /** The recovery key and the unencrypted backup, until the dialog showing them is closed. */
  encrypted = $state.raw<DataEncrypted | null>(null);

  /** A backup job runs, this window's or another's. */
  backupJob = $derived.by(() => this.#jobs.running.find((item) => item.job.kind === 'data.backup') ?? null);
  backupBusy = $derived(this.backingUp || this.backupJob !== null);
  /** Nothing else may start while the databases are being replaced or encrypted. */
  busy = $derived(this.backupBusy || this.restoring || this.encrypting || this.restored !== null);

  readonly picker: FilePicker;
  readonly #api: Api;
  readonly #jobs: JobsState;
  readonly #reloadApp: () => void;

  /** `reloadApp`: how the window starts over after a restore (by default, the page reloads a moment after). */
  constructor(api: Api, picker: FilePicker, jobs: JobsState, reloadApp: () => void = () => setTimeout(() => location.reload(), RELOAD_DELAY_MS)) {
    this.#api = api;
    this.picker = picker;
    this.#jobs = jobs;
    this.#reloadApp = reloadApp;
  }

  attach(): () => void {
    return this.#api.on('job.progress', (job) => this.onJob(job));
  }

  async refresh(): Promise<void> {
    try {
      this.status = await this.#api.data.status();
      if (this.failure?.action === 'status') this.failure = null;
    } catch (error) {
      this.failure = { action: 'status', error: toUiError(error) };
    }
  }

  async backup(): Promise<void> {
    if (this.busy) return;
    this.backingUp = true;
    this.failure = null;
    this.lastBackup = null;
    try {
      this.lastBackup = await this.#api.data.backup();
    } catch (error) {
      this.failure = { action: 'backup', error: toUiError(error) };
    } finally {
      this.backingUp = false;
      await this.refresh();
    }
  }

  /** A backup ended, wherever it was started: the list shows it. */
  onJob(job: Job): void {
    if (job.kind === 'data.backup' && job.state === 'done' && !this.backingUp) void this.refresh();
  }

  askRestore(backup: BackupEntry): void {
    if (this.busy) return;
    this.failure = null;
    this.pendingRestore = { backup };
  }

  /** A browser: the backup file picked; refused here (not a .tar.gz, over the upload limit) before a byte is sent. */
  askRestoreFile(file: File): void {
    if (this.busy || this.picker.kind !== 'upload') return;
    const refusal = refuseBackupFile(file);
    this.failure = refusal && { action: 'restore', error: refusal };
    this.pendingRestore = refusal ? null : { upload: file, to: this.picker };
  }

  /** The desktop: the main process's open dialog chooses the backup file (nothing happens if it is cancelled). */
  async chooseRestoreFile(): Promise<void> {
    if (this.busy || this.picker.kind !== 'dialog') return;
    this.failure = null;
    try {
      const chosen = await this.picker.choose('data.restore');
      if (chosen) this.pendingRestore = { chosen };
    } catch (error) {
      this.failure = { action: 'restore', error: toUiError(error) };
    }
  }

  cancelRestore(): void {
    this.pendingRestore = null;
  }

  /** The doctor confirmed: uploads the file if it is one, replaces the databases, shows the result, and starts the window over. */
  async confirmRestore(): Promise<boolean> {
    const choice = this.pendingRestore;
    this.pendingRestore = null;
    if (!choice || this.busy) return false;
    this.restoring = true;
    this.failure = null;
    try {
      const source = 'backup' in choice ? { backup: choice.backup.name } : 'chosen' in choice ? { file: choice.chosen.file } : { file: (await this.#upload(choice.upload, choice.to)).file };
      this.restored = await this.#api.data.restore({ source, confirm: true });
      this.#reloadApp();
      return true;
    } catch (error) {
      this.failure = { action: 'restore', error: toUiError(error) };
      return false;
    } finally {
      this.restoring = false;
      this.uploadProgress = null;
    }
  }

  askEncrypt(): void {
    if (this.busy || !this.status?.encryption.canEnable) return;
    this.failure = null;
    this.askingEncrypt = true;
  }

  cancelEncrypt(): void {
    this.askingEncrypt = false;
  }

  async confirmEncrypt(): Promise<boolean> {
    const asked = this.askingEncrypt;
    this.askingEncrypt = false;
    if (!asked || this.busy) return false;
    this.encrypting = true;
    this.failure = null;
    try {
      this.encrypted = await this.#api.data.encrypt({ confirm: true });
      return true;
    } catch (error) {
      this.failure = { action: 'encrypt', error: toUiError(error) };
      return false;
    } finally {
      this.encrypting = false;
      await this.refresh();
    }
  }

  /** The recovery key's dialog was closed: the key is not kept anywhere in the window after. */
  forgetRecoveryKey(): void {
    this.encrypted = null;
  }

  dismissFailure(): void {
    this.failure = null;
  }

  async #upload(file: File, picker: UploadPicker): Promise<ChosenFile> {
    this.uploadProgress = 0;
    // No cancel: the file crosses the loopback in moments, and the restore follows it at once.
    return picker.upload(file, { signal: new AbortController().signal, onProgress: (sent, total) => (this.uploadProgress = total > 0 ? sent / total : 1) });
  }
}
