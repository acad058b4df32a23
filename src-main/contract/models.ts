import { z } from 'zod';
import { AdapterRef, ErrorData, FileRef, Id, None } from './common.js';

/** Models: the GGUF files on this workstation, the one loaded model, and the queue for it. */

export const ModelFile = z.object({ file: z.string(), sizeBytes: z.number().int() });
export type ModelFile = z.infer<typeof ModelFile>;

export const ModelState = z.enum(['none', 'loading', 'ready', 'error']);

export const ModelStatus = z.object({
  state: ModelState,
  model: FileRef.extend({ architecture: z.string(), contextSize: z.number().int(), template: z.string() }).nullable(),
  adapters: z.array(AdapterRef),
  /** 'cpu' or the GPU backend in use ('cuda', 'vulkan', 'metal'). */
  gpu: z.string(),
  threads: z.number().int(),
  lastTokensPerSecond: z.number().nullable(),
  error: ErrorData.nullable(),
  /**
   * After the model process crashed: the model (and adapters) it was running, by name, for the
   * doctor to reload with one action. Never reloaded by itself.
   */
  reloadable: z.object({ model: z.string(), adapters: z.array(z.object({ file: z.string(), scale: z.number() })) }).nullable(),
});
export type ModelStatus = z.infer<typeof ModelStatus>;

/** Who may use the model: a chat answer, a sessionless kb.ask, and later drafting and evaluation. */
export const ModelRequestKind = z.enum(['chat', 'kb.ask', 'records.draft']);
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

const AdapterChoice = z.object({
  file: z.string().min(1).max(1024),
  scale: z.number().min(-4).max(4).default(1),
});

export const modelMethods = {
  'models.list': { input: None, output: z.object({ modelsDir: z.string(), models: z.array(ModelFile), adapters: z.array(ModelFile) }) },
  'models.status': { input: None, output: ModelStatus },
  /** A job of kind `models.load`: its progress arrives as `job.progress`, and `jobs.cancel` stops it. */
  'models.load': {
    input: z.object({ model: z.string().min(1).max(1024), adapters: z.array(AdapterChoice).max(8).default([]) }).strict(),
    output: ModelStatus,
  },
  'models.unload': { input: None, output: ModelStatus },
  'models.queue': { input: None, output: ModelQueue },
  /** Cancels a request for the model, waiting or running (a chat answer is better stopped with chat.stop). */
  'models.cancelRequest': { input: z.object({ id: Id }).strict(), output: z.object({ cancelled: z.boolean() }) },
} as const;

export const modelEvents = {
  'models.queue': ModelQueue,
} as const;
