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

export const Sampling = z.object({
  temperature: z.number().min(0).max(2),
  topK: z.number().int().min(0).max(1000),
  topP: z.number().min(0).max(1),
  seed: z.number().int().min(0).max(2 ** 32 - 1),
  maxTokens: z.number().int().min(1).max(8192),
});
export type Sampling = z.infer<typeof Sampling>;

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
export const FilePurpose = z.enum(['kb.import']);
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
