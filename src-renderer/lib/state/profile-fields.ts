import { z } from 'zod';
import { ADAPTER_SCALE_MAX, ADAPTER_SCALE_MIN, CONTEXT_SIZE_MAX, CONTEXT_SIZE_MIN, Profile, RemoteBackend, Sampling } from '$contract';

/**
 * The numbers a profile holds and the ranges the contract accepts for them: the one table the
 * profile editor checks against, read from the contract's schemas (never a second copy of a bound).
 */

export interface NumberRange {
  min: number;
  max: number;
  integer: boolean;
}

/** The bounds of a number schema, through `.optional()` and `.default()`. */
export function rangeOf(schema: z.ZodType): NumberRange {
  let inner: z.ZodType = schema;
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault) inner = inner.unwrap() as z.ZodType;
  if (!(inner instanceof z.ZodNumber) || inner.minValue === null || inner.maxValue === null) throw new Error('rangeOf: not a bounded number schema');
  return { min: inner.minValue, max: inner.maxValue, integer: inner.isInt };
}

export type SamplingKey = keyof Sampling;

/** The sampling fields in the editor's order, each with its range and the step of its arrows. */
export const SAMPLING_FIELDS: ReadonlyArray<{ key: SamplingKey; step: number; range: NumberRange }> = (
  [
    ['temperature', 0.05],
    ['topP', 0.05],
    ['topK', 1],
    ['minP', 0.01],
    ['repeatPenalty', 0.05],
    ['presencePenalty', 0.1],
    ['frequencyPenalty', 0.1],
    ['maxTokens', 64],
    ['seed', 1],
  ] as const
).map(([key, step]) => ({ key, step, range: rangeOf(Sampling.shape[key]) }));

export const ADAPTER_SCALE: NumberRange = { min: ADAPTER_SCALE_MIN, max: ADAPTER_SCALE_MAX, integer: false };
export const CONTEXT_SIZE: NumberRange = { min: CONTEXT_SIZE_MIN, max: CONTEXT_SIZE_MAX, integer: true };
export const DEFAULT_CONTEXT_SIZE: number = Profile.shape.contextSize.parse(undefined);

/** A remote server's timeout, edited in whole seconds (the contract counts milliseconds). */
const timeoutMs = rangeOf(RemoteBackend.shape.timeoutMs);
export const TIMEOUT_SECONDS: NumberRange = { min: Math.ceil(timeoutMs.min / 1000), max: Math.floor(timeoutMs.max / 1000), integer: true };
export const DEFAULT_TIMEOUT_SECONDS: number = RemoteBackend.shape.timeoutMs.parse(undefined) / 1000;

export const NAME_MAX = Profile.shape.name.maxLength ?? 80;
export const SYSTEM_PROMPT_MAX = (Profile.shape.systemPrompt.unwrap() as z.ZodString).maxLength ?? 4000;

/** Why a field's text cannot be saved; the editor says it next to the field. */
export type FieldProblem =
  | { kind: 'required' }
  | { kind: 'number' }
  | { kind: 'integer' }
  | { kind: 'range'; min: number; max: number }
  | { kind: 'tooLong'; max: number }
  | { kind: 'idFormat' }
  | { kind: 'idTaken' }
  | { kind: 'url' };

/** A typed number checked against its range: the value, or why not. Never clamped. */
export function checkNumber(text: string, range: NumberRange): { value: number } | { problem: FieldProblem } {
  const trimmed = text.trim();
  if (trimmed === '') return { problem: { kind: 'required' } };
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { problem: { kind: 'number' } };
  if (value < range.min || value > range.max) return { problem: { kind: 'range', min: range.min, max: range.max } };
  if (range.integer && !Number.isInteger(value)) return { problem: { kind: 'integer' } };
  return { value };
}
