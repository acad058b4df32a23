import type { Profile, Sampling, TemplateKind } from '$contract';
import { Profile as ProfileSchema, ProfileId, RemoteBackend } from '$contract';
import {
  ADAPTER_SCALE,
  checkNumber,
  CONTEXT_SIZE,
  DEFAULT_TIMEOUT_SECONDS,
  NAME_MAX,
  SAMPLING_FIELDS,
  SYSTEM_PROMPT_MAX,
  TIMEOUT_SECONDS,
  type FieldProblem,
  type SamplingKey,
} from './profile-fields.js';

/** An adapter as the editor offers it: every adapter of the registry, and any the profile names that the registry lost. */
export interface AdapterRow {
  file: string;
  on: boolean;
  /** As typed: a value out of range stays as typed, refused, never clamped. */
  scale: string;
  /** The profile names it and the registry does not hold it (any more). */
  missing: boolean;
}

/** What the editor starts from: the profile (edited) or a preset / blank start (new). */
export interface DraftStart {
  profile: Profile;
  isNew: boolean;
  /** What "reset" puts back: the preset's sampling and context when the profile was made from one, else the app's. */
  defaults: { sampling: Sampling; contextSize: number };
  /** Ids other profiles have (a new profile may not take one: saving would replace it). */
  takenIds: ReadonlySet<string>;
  /** The registry's adapters, offered to turn on. */
  adapterFiles: readonly string[];
}

const text = (value: number | undefined, fallback: number): string => String(value ?? fallback);

/**
 * The profile editor's form: every field as typed, the problem of each (a value out of its range
 * is refused naming the range, never clamped), and the profile to save once there is none.
 */
export class ProfileDraft {
  readonly isNew: boolean;
  readonly preset: string | null;
  readonly defaults: DraftStart['defaults'];
  readonly #takenIds: ReadonlySet<string>;

  id = $state('');
  name = $state('');
  backend = $state<'local' | 'remote'>('local');
  model = $state('');
  adapters = $state<AdapterRow[]>([]);
  baseUrl = $state('');
  remoteModel = $state('');
  apiKey = $state('');
  timeout = $state('');
  template = $state<TemplateKind>('auto');
  jinja = $state('');
  systemPrompt = $state('');
  sampling = $state({} as Record<SamplingKey, string>);
  contextSize = $state('');

  /** Each field's problem, by field: `id`, `name`, `model`, `baseUrl`, `remoteModel`, `timeout`, `jinja`, `systemPrompt`, `contextSize`, `sampling.<key>`, `adapter.<file>`. */
  problems = $derived.by(() => this.#check());
  valid = $derived(Object.keys(this.problems).length === 0);

  constructor(start: DraftStart) {
    const { profile } = start;
    this.isNew = start.isNew;
    this.preset = profile.preset;
    this.defaults = start.defaults;
    this.#takenIds = start.takenIds;
    this.id = profile.id;
    this.name = profile.name;
    this.template = profile.template.kind;
    this.jinja = profile.template.source ?? '';
    this.systemPrompt = profile.systemPrompt;
    this.contextSize = String(profile.contextSize);
    this.#setSampling(profile.sampling);
    const backend = profile.backend;
    this.backend = backend.kind;
    const chosen = backend.kind === 'local' ? backend.adapters : [];
    if (backend.kind === 'local') this.model = backend.model;
    else {
      this.baseUrl = backend.baseUrl;
      this.remoteModel = backend.model;
      this.apiKey = backend.apiKey;
    }
    this.timeout = String(backend.kind === 'remote' ? backend.timeoutMs / 1000 : DEFAULT_TIMEOUT_SECONDS);
    const files = [...start.adapterFiles, ...chosen.map((a) => a.file).filter((file) => !start.adapterFiles.includes(file))];
    this.adapters = files.map((file) => {
      const pick = chosen.find((a) => a.file === file);
      return { file, on: Boolean(pick), scale: String(pick?.scale ?? 1), missing: !start.adapterFiles.includes(file) };
    });
  }

  /** Sampling and context size back to the preset's values (made from one), else the app's defaults. */
  resetSampling(): void {
    this.#setSampling(this.defaults.sampling);
    this.contextSize = String(this.defaults.contextSize);
  }

  /** The profile to save; null while a field has a problem. */
  toProfile(): Profile | null {
    if (!this.valid) return null;
    const sampling = Object.fromEntries(SAMPLING_FIELDS.map(({ key }) => [key, Number(this.sampling[key])])) as Sampling;
    const backend: Profile['backend'] =
      this.backend === 'local'
        ? { kind: 'local', model: this.model, adapters: this.adapters.filter((a) => a.on).map((a) => ({ file: a.file, scale: Number(a.scale) })) }
        : { kind: 'remote', baseUrl: this.baseUrl.trim(), model: this.remoteModel.trim(), apiKey: this.apiKey, timeoutMs: Math.round(Number(this.timeout) * 1000) };
    const parsed = ProfileSchema.safeParse({
      id: this.id.trim(),
      name: this.name.trim(),
      backend,
      template: this.template === 'jinja' ? { kind: 'jinja', source: this.jinja } : { kind: this.template },
      systemPrompt: this.systemPrompt,
      sampling,
      contextSize: Number(this.contextSize),
      preset: this.preset,
    });
    return parsed.success ? parsed.data : null;
  }

  #setSampling(sampling: Sampling): void {
    const fallback = this.defaults.sampling;
    this.sampling = Object.fromEntries(SAMPLING_FIELDS.map(({ key }) => [key, text(sampling[key], fallback[key] ?? 0)])) as Record<SamplingKey, string>;
  }

  #check(): Record<string, FieldProblem> {
    const problems: Record<string, FieldProblem> = {};
    const number = (field: string, value: string, range: Parameters<typeof checkNumber>[1]) => {
      const checked = checkNumber(value, range);
      if ('problem' in checked) problems[field] = checked.problem;
    };
    const id = this.id.trim();
    if (!id) problems.id = { kind: 'required' };
    else if (!ProfileId.safeParse(id).success) problems.id = { kind: 'idFormat' };
    else if (this.isNew && this.#takenIds.has(id)) problems.id = { kind: 'idTaken' };
    const name = this.name.trim();
    if (!name) problems.name = { kind: 'required' };
    else if (name.length > NAME_MAX) problems.name = { kind: 'tooLong', max: NAME_MAX };
    if (this.backend === 'local') {
      if (!this.model) problems.model = { kind: 'required' };
      for (const adapter of this.adapters) if (adapter.on) number(`adapter.${adapter.file}`, adapter.scale, ADAPTER_SCALE);
    } else {
      const url = this.baseUrl.trim();
      if (!url) problems.baseUrl = { kind: 'required' };
      else if (!RemoteBackend.shape.baseUrl.safeParse(url).success) problems.baseUrl = { kind: 'url' };
      if (!this.remoteModel.trim()) problems.remoteModel = { kind: 'required' };
      number('timeout', this.timeout, TIMEOUT_SECONDS);
    }
    if (this.template === 'jinja' && !this.jinja.trim()) problems.jinja = { kind: 'required' };
    if (this.systemPrompt.length > SYSTEM_PROMPT_MAX) problems.systemPrompt = { kind: 'tooLong', max: SYSTEM_PROMPT_MAX };
    for (const { key, range } of SAMPLING_FIELDS) number(`sampling.${key}`, this.sampling[key] ?? '', range);
    number('contextSize', this.contextSize, CONTEXT_SIZE);
    return problems;
  }
}
