import { z } from 'zod';
import { AdapterRef, ErrorData, FileHandle, FileRef, Id, None, Sampling } from './common.js';

/**
 * Models: the registry of GGUF files on this workstation (base models and LoRA adapters), the
 * profiles that combine them with a template and sampling, the one loaded base model, the
 * hardware it runs on, and the queue for it.
 */

/** What the registry reads from a GGUF header (never the weights). Null: the file does not say. */
export const GgufMetadata = z.object({
  architecture: z.string(),
  name: z.string().nullable(),
  /** `general.size_label` ('7B'), else computed from the tensor table. */
  sizeLabel: z.string().nullable(),
  parameterCount: z.number().int().nullable(),
  /** `general.file_type` as llama.cpp names it ('Q4_0', 'F16', 'MOSTLY_Q4_K_M' → 'Q4_K_M'). */
  quantization: z.string().nullable(),
  contextLength: z.number().int().nullable(),
  embeddingLength: z.number().int().nullable(),
  blockCount: z.number().int().nullable(),
  /** `tokenizer.chat_template`, when the file carries one (Jinja source). */
  chatTemplate: z.string().nullable(),
  /** Adapters only: `adapter.lora.alpha`. */
  loraAlpha: z.number().nullable(),
  /** Adapters only: the base it was made from, where recorded (`general.base_model.0.name` / repo URL). */
  baseModel: z.string().nullable(),
});
export type GgufMetadata = z.infer<typeof GgufMetadata>;

export const ModelKind = z.enum(['model', 'adapter']);
export type ModelKind = z.infer<typeof ModelKind>;

/** A usable file of the registry: base models in the models folder, adapters in its `lora/`. */
export const ModelEntry = z.object({
  /** The file name in its folder: how the API, profiles and provenance name it. */
  file: z.string(),
  kind: ModelKind,
  sizeBytes: z.number().int(),
  /** Null for a file put in the folder by hand and not hashed yet (verify or a load hashes it). */
  sha256: z.string().nullable(),
  importedAt: z.number().int().nullable(),
  verifiedAt: z.number().int().nullable(),
  metadata: GgufMetadata,
});
export type ModelEntry = z.infer<typeof ModelEntry>;

/** A file in the folders that cannot be used, kept apart with the reason. */
export const InvalidModelFile = z.object({
  file: z.string(),
  folder: z.enum(['models', 'lora']),
  sizeBytes: z.number().int(),
  error: ErrorData,
});
export type InvalidModelFile = z.infer<typeof InvalidModelFile>;

/** Kept for the older name: a usable file is a ModelEntry. */
export type ModelFile = ModelEntry;

export const VerifyResult = z.object({
  file: z.string(),
  kind: ModelKind,
  /** ok: same digest as recorded; changed: different; missing: gone from disk; new: no digest recorded before (now recorded). */
  state: z.enum(['ok', 'changed', 'missing', 'new']),
  expected: z.string().nullable(),
  actual: z.string().nullable(),
});
export type VerifyResult = z.infer<typeof VerifyResult>;

/** A profile's name for the clinic server's `model` field too: short, lower case, no spaces. */
export const ProfileId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, '配置标识只能用小写字母、数字和 . _ -，以字母或数字开头，最多 64 个字符');
export type ProfileId = z.infer<typeof ProfileId>;

export const ADAPTER_SCALE_MIN = -4;
export const ADAPTER_SCALE_MAX = 4;

export const AdapterChoice = z.object({
  file: z.string().min(1).max(1024),
  scale: z.number().min(ADAPTER_SCALE_MIN).max(ADAPTER_SCALE_MAX).default(1),
});
export type AdapterChoice = z.infer<typeof AdapterChoice>;

/**
 * How turns become the model's prompt. `auto`: the GGUF's own chat template; `alpaca`: QiZhen's
 * demo prompt (`### Instruction:` … `### Response: `, the answer cut at the next `###`);
 * `chatglm`: ChatGLM-6B's `[Round n]\n问：…\n答：`; `jinja`: an administrator's own template.
 */
export const TemplateKind = z.enum(['auto', 'chatml', 'llama2', 'alpaca', 'chatglm', 'jinja']);
export type TemplateKind = z.infer<typeof TemplateKind>;

export const TemplateChoice = z.object({
  kind: TemplateKind,
  /** The Jinja source, for `jinja` only. */
  source: z.string().max(20_000).optional(),
}).refine((t) => t.kind !== 'jinja' || (t.source ?? '').trim().length > 0, { message: '自定义 Jinja 模板不能为空', path: ['source'] });
export type TemplateChoice = z.infer<typeof TemplateChoice>;

/** The local runtime: a base model of the registry with adapters. */
export const LocalBackend = z.object({
  kind: z.literal('local'),
  model: z.string().min(1).max(1024),
  adapters: z.array(AdapterChoice).max(8).default([]),
});

/** Any OpenAI-compatible server (vLLM with multi-LoRA, llama.cpp server, Ollama, another Xinglin). */
export const RemoteBackend = z.object({
  kind: z.literal('remote'),
  /** Up to and including `/v1`, e.g. `http://10.0.0.5:8000/v1`. */
  baseUrl: z.url({ protocol: /^https?$/ }).max(2048),
  /** The `model` the server knows (a vLLM LoRA name, an Ollama tag, a Xinglin profile id). */
  model: z.string().min(1).max(256),
  apiKey: z.string().max(512).default(''),
  /** No byte from the server for this long ends the request (REMOTE_UNAVAILABLE). */
  timeoutMs: z.number().int().min(1000).max(600_000).default(60_000),
});

export const Backend = z.discriminatedUnion('kind', [LocalBackend, RemoteBackend]);
export type Backend = z.infer<typeof Backend>;

export const CONTEXT_SIZE_MIN = 256;
export const CONTEXT_SIZE_MAX = 131_072;

/** A named combination: which model (and adapters), how prompts are written, how tokens are picked. */
export const Profile = z.object({
  id: ProfileId,
  name: z.string().trim().min(1).max(80),
  backend: Backend,
  template: TemplateChoice.default({ kind: 'auto' }),
  /** Added before the app's own grounding rules, never replacing them. */
  systemPrompt: z.string().max(4000).default(''),
  sampling: Sampling,
  contextSize: z.number().int().min(CONTEXT_SIZE_MIN).max(CONTEXT_SIZE_MAX).default(4096),
  /** The preset it was made from, if any (for "reset to the preset's values"). */
  preset: z.string().nullable().default(null),
});
export type Profile = z.infer<typeof Profile>;
export type ProfileInput = z.input<typeof Profile>;

/** A ready starting point: QiZhen's three families with the sampling their demos use. */
export const ProfilePreset = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  template: TemplateChoice,
  sampling: Sampling,
  contextSize: z.number().int(),
});
export type ProfilePreset = z.infer<typeof ProfilePreset>;

export const ProfileRef = z.object({ id: ProfileId, name: z.string() });
export type ProfileRef = z.infer<typeof ProfileRef>;

export const ModelState = z.enum(['none', 'loading', 'ready', 'error']);

/** Memory the loaded model uses, in bytes, measured or estimated by llama.cpp (null: not known here). */
export const ModelMemory = z.object({
  /** The weights in RAM (CPU) or VRAM (offloaded layers). */
  weightsRamBytes: z.number().int(),
  weightsVramBytes: z.number().int(),
  /** Every context alive (one per adapter set in use): KV cache and compute buffers. */
  contextBytes: z.number().int(),
  contexts: z.number().int(),
  /** The model process's resident memory. */
  processRssBytes: z.number().int().nullable(),
  ramTotalBytes: z.number().int(),
  ramFreeBytes: z.number().int(),
  vramTotalBytes: z.number().int().nullable(),
  vramFreeBytes: z.number().int().nullable(),
});
export type ModelMemory = z.infer<typeof ModelMemory>;

export const ModelStatus = z.object({
  state: ModelState,
  model: FileRef.extend({ architecture: z.string(), contextSize: z.number().int(), template: z.string() }).nullable(),
  adapters: z.array(AdapterRef),
  /** The profile last loaded (its base and default adapter set), if one was. */
  profile: ProfileRef.nullable(),
  /** 'cpu' or the GPU backend in use ('cuda', 'vulkan', 'metal'). */
  gpu: z.string(),
  /** Layers offloaded to the GPU (0 on the CPU). */
  gpuLayers: z.number().int(),
  threads: z.number().int(),
  lastTokensPerSecond: z.number().nullable(),
  memory: ModelMemory.nullable(),
  error: ErrorData.nullable(),
  /**
   * After the model process crashed: the model (and adapters) it was running, by name, for the
   * doctor to reload with one action. Never reloaded by itself.
   */
  reloadable: z.object({ model: z.string(), adapters: z.array(z.object({ file: z.string(), scale: z.number() })) }).nullable(),
});
export type ModelStatus = z.infer<typeof ModelStatus>;

/** What this workstation has, and what the app will choose on it and why (`xinglin doctor`). */
export const HardwareReport = z.object({
  platform: z.string(),
  cpu: z.object({ model: z.string(), physicalCores: z.number().int(), logicalCores: z.number().int() }),
  ramTotalBytes: z.number().int(),
  ramFreeBytes: z.number().int(),
  /** Backends node-llama-cpp's prebuilt binaries offer here, and whether each is usable. */
  backends: z.array(z.object({ name: z.enum(['cuda', 'vulkan', 'metal', 'cpu']), usable: z.boolean(), note: z.string() })),
  gpu: z.object({ backend: z.string(), devices: z.array(z.string()), vramTotalBytes: z.number().int(), vramFreeBytes: z.number().int() }).nullable(),
  choice: z.object({
    gpu: z.string(),
    threads: z.number().int(),
    /** Why that many threads (the rule, or `--threads` / XINGLIN_THREADS). */
    threadsReason: z.string(),
    gpuLayers: z.string(),
    mmap: z.string(),
  }),
});
export type HardwareReport = z.infer<typeof HardwareReport>;

/** Who may use the model: chat, a sessionless kb.ask, drafting, comparison, the clinic server. */
export const ModelRequestKind = z.enum(['chat', 'kb.ask', 'records.draft', 'compare', 'clinic', 'eval']);
export type ModelRequestKind = z.infer<typeof ModelRequestKind>;

export const ModelRequest = z.object({
  id: Id,
  kind: ModelRequestKind,
  /** The chat session it answers, when it answers one. */
  sessionId: Id.nullable(),
});
export type ModelRequest = z.infer<typeof ModelRequest>;

/** The model has one sequence: one request runs, the others wait in order. */
export const ModelQueue = z.object({
  running: ModelRequest.nullable(),
  /** Oldest first: position n is waiting[n - 1]. */
  waiting: z.array(ModelRequest),
});
export type ModelQueue = z.infer<typeof ModelQueue>;

export const ProfilesState = z.object({
  profiles: z.array(Profile),
  /** Loaded at start when `autoLoad` is on; set by every `models.useProfile`. */
  lastProfileId: ProfileId.nullable(),
  autoLoad: z.boolean(),
  presets: z.array(ProfilePreset),
});
export type ProfilesState = z.infer<typeof ProfilesState>;

export const modelMethods = {
  'models.list': {
    input: None,
    output: z.object({ modelsDir: z.string(), models: z.array(ModelEntry), adapters: z.array(ModelEntry), invalid: z.array(InvalidModelFile) }),
  },
  /**
   * A job of kind `models.import`: copies each chosen file into the models folder (an adapter into
   * `lora/`), hashing it on the way; cancel leaves nothing behind. Each file succeeds or is refused on its own.
   */
  'models.import': {
    input: z.object({ files: z.array(FileHandle).min(1).max(32) }).strict(),
    output: z.object({ imported: z.array(ModelEntry), refused: z.array(z.object({ name: z.string(), error: ErrorData })) }),
  },
  /** A job of kind `models.verify`: re-hashes every registered file (or the one named) against its recorded sha256. */
  'models.verify': { input: z.object({ file: z.string().min(1).max(1024).optional(), kind: ModelKind.optional() }).strict(), output: z.array(VerifyResult) },
  /** Deletes a file from the folder and the registry; refused (MODEL_IN_USE) while loaded or named by a profile. */
  'models.remove': { input: z.object({ file: z.string().min(1).max(1024), kind: ModelKind }).strict(), output: z.object({ removed: z.literal(true) }) },
  'models.status': { input: None, output: ModelStatus },
  'models.hardware': { input: None, output: HardwareReport },
  /** A job of kind `models.load`: its progress arrives as `job.progress`, and `jobs.cancel` stops it. */
  'models.load': {
    input: z.object({ model: z.string().min(1).max(1024), adapters: z.array(AdapterChoice).max(8).default([]) }).strict(),
    output: ModelStatus,
  },
  'models.unload': { input: None, output: ModelStatus },
  'models.queue': { input: None, output: ModelQueue },
  /** Cancels a request for the model, waiting or running (a chat answer is better stopped with chat.stop). */
  'models.cancelRequest': { input: z.object({ id: Id }).strict(), output: z.object({ cancelled: z.boolean() }) },

  'profiles.list': { input: None, output: ProfilesState },
  /** Creates or replaces the profile with this id. */
  'profiles.save': { input: z.object({ profile: Profile }).strict(), output: Profile },
  'profiles.delete': { input: z.object({ id: ProfileId }).strict(), output: z.object({ deleted: z.literal(true) }) },
  /**
   * Makes the profile the current one: a local profile's base is loaded (a `models.load` job) unless
   * it already is, its adapter set becomes the default; remembered as `lastProfileId`.
   */
  'profiles.use': { input: z.object({ id: ProfileId }).strict(), output: ModelStatus },
  'profiles.setAutoLoad': { input: z.object({ autoLoad: z.boolean() }).strict(), output: ProfilesState },
} as const;

export const modelEvents = {
  'models.queue': ModelQueue,
  /** The loaded model, its memory or its speed changed. */
  'models.status': ModelStatus,
} as const;
