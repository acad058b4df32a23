import { z } from 'zod';

/** Pieces every domain of the contract shares. */

export const Id = z.string().min(1).max(64);

/** The longest question a doctor may type; longer input is refused before it reaches the model. */
export const MAX_QUESTION_CHARS = 16_000;

export const Ok = z.object({ ok: z.literal(true) });
export const None = z.object({}).strict();

/** An error as data, inside an entity (a failed job, an answer that failed). */
export const ErrorData = z.object({ code: z.string(), message: z.string() });
export type ErrorData = z.infer<typeof ErrorData>;

/**
 * How the model picks its tokens. Every range is the one the UI and the API accept (a value outside
 * is refused naming the range, never clamped). The penalties are optional so answers saved before
 * they existed still read; `defaultSampling` (core/config) fills them.
 */
export const Sampling = z.object({
  temperature: z.number().min(0).max(2),
  topK: z.number().int().min(0).max(1000),
  topP: z.number().min(0).max(1),
  seed: z.number().int().min(0).max(2 ** 32 - 1),
  maxTokens: z.number().int().min(1).max(8192),
  /** Tokens below this share of the likeliest one's probability are never picked (0: off). */
  minP: z.number().min(0).max(1).optional(),
  /** >1 discourages repeating recent tokens: QiZhen's remedy against 复读 (1: off). */
  repeatPenalty: z.number().min(1).max(2).optional(),
  /** OpenAI's meaning: subtracted once from a token that already appeared / per appearance (0: off). */
  presencePenalty: z.number().min(-2).max(2).optional(),
  frequencyPenalty: z.number().min(-2).max(2).optional(),
});
export type Sampling = z.infer<typeof Sampling>;

/** The app's sampling where a profile sets none (a profile made blank, the CLI); the penalties and min-p are off. */
export const DEFAULT_SAMPLING: Sampling = { temperature: 0.3, topK: 40, topP: 0.9, seed: 42, maxTokens: 1024, minP: 0, repeatPenalty: 1, presencePenalty: 0, frequencyPenalty: 0 };

/**
 * A file the core may read, named by an opaque handle the host gave out (a native open dialog, an
 * upload, the command line): the API never takes a path, so no caller can make the core read a
 * file the user did not choose.
 */
export const FileHandle = z.string().regex(/^[A-Za-z0-9_-]{32}$/);
export type FileHandle = z.infer<typeof FileHandle>;

/** What choosing or uploading a file gives the UI: its handle and what to show of it. */
export const ChosenFile = z.object({ file: FileHandle, name: z.string(), sizeBytes: z.number().int().min(0) });
export type ChosenFile = z.infer<typeof ChosenFile>;

/** What a file is chosen for: it sets the open dialog's filters. */
export const FilePurpose = z.enum(['kb.import', 'models.import', 'eval.import', 'dataset.input', 'data.restore']);
export type FilePurpose = z.infer<typeof FilePurpose>;

/** The largest file browser mode accepts as an upload (a knowledge base to import). */
export const MAX_UPLOAD_BYTES = 512 * 1024 ** 2;

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
