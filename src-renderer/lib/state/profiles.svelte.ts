import type { Api, Profile, ProfilePreset } from '$contract';
import { DEFAULT_SAMPLING } from '$contract';
import { toUiError, type UiError } from '../i18n/index.js';
import type { ModelsState } from './models.svelte.js';
import { ProfileDraft } from './profile-draft.svelte.js';
import { DEFAULT_CONTEXT_SIZE } from './profile-fields.js';

/** A profile id made of `base` (lower case, only what ids allow), not one of `taken`. */
export function freeId(base: string, taken: ReadonlySet<string>): string {
  const stem =
    base
      .toLowerCase()
      .replace(/\.gguf$/, '')
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+|-+$/g, '')
      .slice(0, 56) || 'profile';
  if (!taken.has(stem)) return stem;
  for (let n = 2; ; n += 1) if (!taken.has(`${stem}-${n}`)) return `${stem}-${n}`;
}

/**
 * The profiles (a base model with adapters, or a remote server, with a template and sampling): the
 * list as the host keeps it, putting one to use (a local one loads its base as a `models.load` job,
 * shown by ModelsState with its progress and cancel), the editor's form, deleting with a
 * confirmation, and whether the last one loads at start.
 */
export class ProfilesState {
  profiles = $state.raw<Profile[]>([]);
  presets = $state.raw<ProfilePreset[]>([]);
  lastProfileId = $state<string | null>(null);
  autoLoad = $state(true);
  loaded = $state(false);
  error = $state.raw<UiError | null>(null);
  /** The editor's form (null: closed); its fields are reactive on their own. */
  draft = $state.raw<ProfileDraft | null>(null);
  saving = $state(false);
  /** The host's refusal of the last save (its INVALID_INPUT message names the field). */
  saveError = $state.raw<UiError | null>(null);
  /** The profile waiting for the doctor to confirm its deletion. */
  deleting = $state.raw<Profile | null>(null);
  /** The profile being put to use. */
  using = $state<string | null>(null);

  /** The profile in use: the loaded model's, or the last one used when that one runs on a remote server. */
  current = $derived.by((): string | null => {
    const status = this.#models.status;
    if (status?.state === 'ready' && status.profile) return status.profile.id;
    const last = this.profiles.find((p) => p.id === this.lastProfileId);
    return last?.backend.kind === 'remote' ? last.id : null;
  });

  readonly #api: Api;
  readonly #models: ModelsState;

  constructor(api: Api, models: ModelsState) {
    this.#api = api;
    this.#models = models;
  }

  async refresh(): Promise<void> {
    try {
      const state = await this.#api.profiles.list();
      this.profiles = state.profiles;
      this.presets = state.presets;
      this.lastProfileId = state.lastProfileId;
      this.autoLoad = state.autoLoad;
      this.loaded = true;
      this.error = null;
    } catch (error) {
      this.error = toUiError(error);
    }
  }

  /** Makes the profile the current one; a local one loads its base unless loaded (progress and cancel in ModelsState). */
  async use(id: string): Promise<boolean> {
    const profile = this.profiles.find((p) => p.id === id);
    if (!profile || this.using !== null) return false;
    this.using = id;
    try {
      const model = profile.backend.kind === 'local' ? profile.backend.model : null;
      const ok = await this.#models.runLoad(model, () => this.#api.profiles.use({ id }));
      if (ok) this.lastProfileId = id;
      return ok;
    } finally {
      this.using = null;
    }
  }

  /** A new profile from a preset (null: blank, with the app's defaults), on `model` when given (else the registry's first). */
  create(presetId: string | null, model?: string): void {
    const preset = this.presets.find((p) => p.id === presetId) ?? null;
    const files = this.#models.files;
    const taken = new Set(this.profiles.map((p) => p.id));
    const base = model ?? files?.models[0]?.file ?? '';
    const defaults = preset ? { sampling: preset.sampling, contextSize: preset.contextSize } : { sampling: DEFAULT_SAMPLING, contextSize: DEFAULT_CONTEXT_SIZE };
    const profile: Profile = {
      id: freeId(preset?.id ?? (base || 'profile'), taken),
      name: preset?.name ?? base.replace(/\.gguf$/i, ''),
      backend: { kind: 'local', model: base, adapters: [] },
      template: preset?.template ?? { kind: 'auto' },
      systemPrompt: '',
      sampling: defaults.sampling,
      contextSize: defaults.contextSize,
      preset: preset?.id ?? null,
    };
    this.#open(new ProfileDraft({ profile, isNew: true, defaults, takenIds: taken, adapterFiles: this.#adapterFiles() }));
  }

  edit(id: string): void {
    const profile = this.profiles.find((p) => p.id === id);
    if (!profile) return;
    const preset = this.presets.find((p) => p.id === profile.preset);
    const defaults = preset ? { sampling: preset.sampling, contextSize: preset.contextSize } : { sampling: DEFAULT_SAMPLING, contextSize: DEFAULT_CONTEXT_SIZE };
    const taken = new Set(this.profiles.filter((p) => p.id !== id).map((p) => p.id));
    this.#open(new ProfileDraft({ profile, isNew: false, defaults, takenIds: taken, adapterFiles: this.#adapterFiles() }));
  }

  closeEditor(): void {
    this.draft = null;
    this.saveError = null;
  }

  /** Saves the editor's profile; the form stays open with the host's reason when it is refused. */
  async save(): Promise<boolean> {
    const draft = this.draft;
    const profile = draft?.toProfile();
    if (!draft || !profile || this.saving) return false;
    this.saving = true;
    this.saveError = null;
    try {
      await this.#api.profiles.save({ profile });
      await this.refresh();
      if (this.draft === draft) this.draft = null;
      return true;
    } catch (error) {
      this.saveError = toUiError(error);
      return false;
    } finally {
      this.saving = false;
    }
  }

  askDelete(id: string): void {
    this.deleting = this.profiles.find((p) => p.id === id) ?? null;
  }

  cancelDelete(): void {
    this.deleting = null;
  }

  async confirmDelete(): Promise<boolean> {
    const profile = this.deleting;
    this.deleting = null;
    if (!profile) return false;
    try {
      await this.#api.profiles.delete({ id: profile.id });
      await this.refresh();
      return true;
    } catch (error) {
      this.error = toUiError(error);
      return false;
    }
  }

  /** Whether the last profile loads when the app starts (on unless turned off). */
  async setAutoLoad(on: boolean): Promise<void> {
    const before = this.autoLoad;
    this.autoLoad = on;
    try {
      this.autoLoad = (await this.#api.profiles.setAutoLoad({ autoLoad: on })).autoLoad;
    } catch (error) {
      this.autoLoad = before;
      this.error = toUiError(error);
    }
  }

  dismissError(): void {
    this.error = null;
  }

  #open(draft: ProfileDraft): void {
    this.saveError = null;
    this.draft = draft;
  }

  #adapterFiles(): string[] {
    return (this.#models.files?.adapters ?? []).map((a) => a.file);
  }
}
