import { z } from 'zod';

/** Pieces every domain of the contract shares. */

export const Id = z.string().min(1).max(64);

/** The longest question a doctor may type; longer input is refused before it reaches the model. */
export const MAX_QUESTION_CHARS = 16_000;

export const Ok = z.object({ ok: z.literal(true) });
export const None = z.object({}).strict();

/** An error as data, inside an entity (a failed job, an answer that failed). */
export const ErrorData = z.object({ code: z.string(), message: z.string() });

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
