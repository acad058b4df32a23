import type { Api, ChosenFile, CriteriaKind, EvalSetSummary, MethodOutput } from '$contract';
import { CRITERIA_KINDS, evalMethods, MAX_UPLOAD_BYTES } from '$contract';
import type { FilePicker } from '../api/files.js';
import { toUiError, type UiError } from '../i18n/index.js';
import { checkNumber, rangeOf, type FieldProblem, type NumberRange } from './profile-fields.js';

/** A set as a file to save: the host's JSONL of its cases. */
export type SetFile = MethodOutput<'eval.exportSet'>;

const makeInput = evalMethods['eval.makeSet'].input.shape;
/** Entries drawn per kind, and the seed of the draw: the contract's bounds. */
export const SAMPLE_RANGE: NumberRange = rangeOf(makeInput.sample);
export const SEED_RANGE: NumberRange = rangeOf(makeInput.seed);
export const SET_NAME_MAX = makeInput.name.unwrap().maxLength ?? 100;

/** What "从知识库生成" asks, as typed; checked before it goes to the host. */
export interface MakeForm {
  kinds: CriteriaKind[];
  sample: string;
  seed: string;
  name: string;
}

export type MakeProblems = Partial<Record<'kinds' | 'sample' | 'seed', FieldProblem>>;

const freshForm = (): MakeForm => ({ kinds: [...CRITERIA_KINDS], sample: '20', seed: '1', name: '' });

/** A browser upload of a set file: its bytes sent so far. */
export interface SetUpload {
  name: string;
  sent: number;
  total: number;
}

/**
 * The evaluation sets: the list, "从知识库生成" (kinds, sample per kind, seed; checked here, made by
 * the host), importing a file (Electron's open dialog, or a browser's file sent to the host first;
 * the host decides the format and refuses a file whole, naming its bad lines), exporting one as
 * JSONL, and deleting one after the doctor confirms (refused while runs read from it).
 */
export class EvalSetsState {
  sets = $state.raw<EvalSetSummary[]>([]);
  loaded = $state(false);
  /** The last failed list, export or delete. */
  error = $state.raw<UiError | null>(null);

  /** The form of "从知识库生成" (null: closed); its fields are bound to the dialog's inputs. */
  form = $state<MakeForm | null>(null);
  making = $state(false);
  makeError = $state.raw<UiError | null>(null);

  /** Electron's open dialog is showing, or the chosen file is being sent and read. */
  importing = $state(false);
  upload = $state.raw<SetUpload | null>(null);
  importError = $state.raw<UiError | null>(null);

  /** The set made or imported last (the list marks it). */
  added = $state<string | null>(null);
  /** The set waiting for the doctor to confirm its deletion. */
  deleting = $state.raw<EvalSetSummary | null>(null);
  /** A set being exported. */
  exporting = $state<string | null>(null);

  /** Why the form cannot be sent as it is, per field. */
  problems = $derived.by((): MakeProblems => {
    const form = this.form;
    if (!form) return {};
    const problems: MakeProblems = {};
    if (form.kinds.length === 0) problems.kinds = { kind: 'required' };
    const sample = checkNumber(form.sample, SAMPLE_RANGE);
    if ('problem' in sample) problems.sample = sample.problem;
    const seed = checkNumber(form.seed, SEED_RANGE);
    if ('problem' in seed) problems.seed = seed.problem;
    return problems;
  });
  canMake = $derived(this.form !== null && !this.making && Object.keys(this.problems).length === 0);

  readonly #api: Api;
  readonly #files: FilePicker;
  #upload: AbortController | null = null;

  constructor(api: Api, files: FilePicker) {
    this.#api = api;
    this.#files = files;
  }

  /** How this window hands the host a file: the pane shows a button (Electron) or a file input (a browser). */
  get pickKind(): FilePicker['kind'] {
    return this.#files.kind;
  }

  async refresh(): Promise<void> {
    try {
      this.sets = await this.#api.eval.sets();
      this.loaded = true;
    } catch (error) {
      this.error = toUiError(error);
    }
  }

  byId(id: string): EvalSetSummary | undefined {
    return this.sets.find((set) => set.id === id);
  }

  openForm(): void {
    this.form = freshForm();
    this.makeError = null;
  }

  closeForm(): void {
    this.form = null;
    this.makeError = null;
  }

  toggleKind(kind: CriteriaKind, on: boolean): void {
    if (!this.form) return;
    const kinds = new Set(this.form.kinds);
    if (on) kinds.add(kind);
    else kinds.delete(kind);
    // The contract's order, whatever the order of the clicks.
    this.form.kinds = CRITERIA_KINDS.filter((k) => kinds.has(k));
  }

  /** Makes a three-criteria set from the knowledge base; its summary, or null when refused. */
  async make(): Promise<EvalSetSummary | null> {
    const form = this.form;
    if (!form || !this.canMake) return null;
    const name = form.name.trim().slice(0, SET_NAME_MAX);
    this.making = true;
    this.makeError = null;
    try {
      const set = await this.#api.eval.makeSet({ kinds: form.kinds, sample: Number(form.sample.trim()), seed: Number(form.seed.trim()), ...(name ? { name } : {}) });
      this.#added(set);
      this.form = null;
      return set;
    } catch (error) {
      this.makeError = toUiError(error);
      return null;
    } finally {
      this.making = false;
    }
  }

  /** Electron: the open dialog, then the import of the chosen file (a cancel imports nothing). */
  async chooseAndImport(): Promise<EvalSetSummary | null> {
    if (this.#files.kind !== 'dialog' || this.importing) return null;
    const files = this.#files;
    return this.#import(() => files.choose('eval.import'));
  }

  /** A browser: the file picked in the page, sent to the host, then imported. */
  async importPicked(file: File): Promise<EvalSetSummary | null> {
    if (this.#files.kind !== 'upload' || this.importing) return null;
    const picker = this.#files;
    // Refused here, before a byte is sent (the host would refuse it after the whole upload).
    if (file.size > MAX_UPLOAD_BYTES) {
      this.importError = { code: 'FILE_TOO_LARGE', message: `文件 ${file.name} 超过上传上限 ${MAX_UPLOAD_BYTES / 1024 ** 2} MB，未导入`, details: { file: file.name, limit: MAX_UPLOAD_BYTES } };
      return null;
    }
    return this.#import(async () => {
      const upload = (this.#upload = new AbortController());
      this.upload = { name: file.name, sent: 0, total: file.size };
      try {
        return await picker.upload(file, {
          signal: upload.signal,
          onProgress: (sent, total) => {
            if (this.#upload === upload) this.upload = { name: file.name, sent, total };
          },
        });
      } finally {
        this.#upload = null;
        this.upload = null;
      }
    });
  }

  /** Stops a browser's upload of a set file (nothing is imported). */
  cancelUpload(): void {
    this.#upload?.abort();
  }

  async #import(choose: () => Promise<ChosenFile | null>): Promise<EvalSetSummary | null> {
    this.importing = true;
    this.importError = null;
    try {
      const chosen = await choose();
      if (!chosen) return null;
      const set = await this.#api.eval.importSet({ file: chosen.file, format: 'auto' });
      this.#added(set);
      return set;
    } catch (error) {
      const failure = toUiError(error);
      if (failure.code !== 'CANCELLED') this.importError = failure;
      return null;
    } finally {
      this.importing = false;
    }
  }

  /** The set as a JSONL file, for the pane to hand to the download. */
  async exportSet(id: string): Promise<SetFile | null> {
    if (this.exporting !== null) return null;
    this.exporting = id;
    this.error = null;
    try {
      return await this.#api.eval.exportSet({ id });
    } catch (error) {
      this.error = toUiError(error);
      return null;
    } finally {
      this.exporting = null;
    }
  }

  askDelete(id: string): void {
    this.deleting = this.byId(id) ?? null;
  }

  cancelDelete(): void {
    this.deleting = null;
  }

  /** Deletes the set the doctor confirmed; refused (EVAL_SET_IN_USE) while runs read from it. */
  async confirmDelete(): Promise<boolean> {
    const set = this.deleting;
    if (!set) return false;
    this.deleting = null;
    this.error = null;
    try {
      await this.#api.eval.deleteSet({ id: set.id });
      this.sets = this.sets.filter((other) => other.id !== set.id);
      if (this.added === set.id) this.added = null;
      return true;
    } catch (error) {
      this.error = toUiError(error);
      return false;
    }
  }

  dismissError(): void {
    this.error = null;
  }

  dismissImportError(): void {
    this.importError = null;
  }

  #added(set: EvalSetSummary): void {
    this.sets = [set, ...this.sets.filter((other) => other.id !== set.id)];
    this.added = set.id;
  }
}
