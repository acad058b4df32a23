/**
 * What every caller of a model (chat, kb.ask, drafting, comparison, evaluation, the clinic server)
 * holds: one profile's way to answer, whether its model runs here (the local runtime with the
 * profile's adapter set and template) or on an OpenAI-compatible server. The caller holds the
 * model queue's grant while it calls `generate` — one call at a time, or up to `maxParallel` at
 * once, each on its own lane.
 */
import type { AdapterRef, FileRef, Profile, ProfileRef, Sampling } from '../../../contract/index.js';
import type { GenerateRequest, GenerateResult } from '../runtime/generate.js';

export interface ProviderProvenance {
  model?: FileRef;
  adapters: AdapterRef[];
  template?: string;
  gpu?: string;
  threads?: number;
  profile?: ProfileRef;
  backend: { kind: 'local' | 'remote'; baseUrl?: string; model?: string };
}

/** A multiple-choice question, to score its options by their likelihood rather than by a sampled answer. */
export interface ScoreOptionsRequest {
  system?: string;
  prompt: string;
  /** The opening of the answer the candidates continue (e.g. "答案："); may be empty. */
  prefix: string;
  candidates: string[];
  signal: AbortSignal;
  lane?: number;
}

export interface Provider {
  /** The profile it answers for; null: the loaded model with the adapters it was loaded with. */
  readonly profile: Profile | null;
  /** The profile's sampling (or the app's default), under which a request's own overrides go. */
  readonly sampling: Sampling;
  /** Throws (NO_MODEL, BUSY, …) unless it can answer now. */
  assertReady(): void;
  /** Throws PROMPT_TOO_LONG when the question alone (with its sources and room for a reply) cannot fit. */
  assertPromptFits(prompt: string, options?: { system?: string; sources?: string; maxTokens?: number }): Promise<void>;
  /**
   * Whether each candidate sources text (read right before the question, see GenerateRequest.sources)
   * leaves the question and its answer room beside the fixed `system` text.
   */
  systemBudget(prompt: string, maxTokens: number, system?: string): (sources: string) => Promise<boolean>;
  /** How many `generate` calls may run at once under one grant, each on its own lane (1: one at a time). */
  readonly maxParallel: number;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  /**
   * Log-probability of each candidate continuation after the prompt (the question rendered by the
   * template as a user turn, the reply starting with `prefix`), for choosing among options;
   * absent where the backend cannot score (remote).
   */
  scoreOptions?(request: ScoreOptionsRequest): Promise<number[]>;
  provenance(): ProviderProvenance;
}
