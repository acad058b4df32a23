import { z } from 'zod';
import { KnowledgeProvenance } from './knowledge.js';

/** Entities that travel between core, hosts and renderer; one name for one thing everywhere. */

export const Id = z.string().min(1).max(64);

/** The title a session carries until its first question names it; the UI shows it in its own language. */
export const DEFAULT_SESSION_TITLE = '新对话';

export const Session = z.object({
  id: Id,
  title: z.string(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  messageCount: z.number().int(),
});
export type Session = z.infer<typeof Session>;

export const Sampling = z.object({
  temperature: z.number().min(0).max(2),
  topK: z.number().int().min(0).max(1000),
  topP: z.number().min(0).max(1),
  seed: z.number().int().min(0).max(2 ** 32 - 1),
  maxTokens: z.number().int().min(1).max(8192),
});
export type Sampling = z.infer<typeof Sampling>;

export const FileRef = z.object({
  file: z.string(),
  sha256: z.string(),
  sizeBytes: z.number().int(),
});
export type FileRef = z.infer<typeof FileRef>;

export const AdapterRef = FileRef.extend({ scale: z.number() });
export type AdapterRef = z.infer<typeof AdapterRef>;

export const Timings = z.object({
  promptTokens: z.number().int(),
  generatedTokens: z.number().int(),
  tokensPerSecond: z.number(),
  durationMs: z.number(),
});
export type Timings = z.infer<typeof Timings>;

/** Where an answer came from: enough to reproduce it or to audit it. */
export const Provenance = z.object({
  mode: z.enum(['llm', 'knowledge']),
  appVersion: z.string(),
  model: FileRef.optional(),
  adapters: z.array(AdapterRef),
  template: z.string().optional(),
  sampling: Sampling.optional(),
  timings: Timings.optional(),
  gpu: z.string().optional(),
  threads: z.number().int().optional(),
  /** The knowledge-base entries the answer drew on, its citations and any names it could not support. */
  knowledge: KnowledgeProvenance.optional(),
});
export type Provenance = z.infer<typeof Provenance>;

export const MessageRole = z.enum(['user', 'assistant']);
export const MessageStatus = z.enum(['complete', 'stopped', 'error']);
export type MessageStatus = z.infer<typeof MessageStatus>;

export const Message = z.object({
  id: Id,
  sessionId: Id,
  role: MessageRole,
  text: z.string(),
  status: MessageStatus,
  provenance: Provenance.nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdAt: z.number().int(),
});
export type Message = z.infer<typeof Message>;

export const SearchHit = z.object({
  sessionId: Id,
  sessionTitle: z.string(),
  messageId: Id,
  role: MessageRole,
  /** The matching passage; matched terms are wrapped in U+0001 … U+0002 so no HTML ever travels. */
  snippet: z.string(),
  createdAt: z.number().int(),
});
export type SearchHit = z.infer<typeof SearchHit>;

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
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type ModelStatus = z.infer<typeof ModelStatus>;

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  host: z.enum(['electron', 'web', 'cli']),
  dataDir: z.string(),
  modelsDir: z.string(),
  platform: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;
