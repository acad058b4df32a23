/**
 * What every caller of a model (chat, kb.ask, drafting, comparison, the clinic server) holds: one
 * profile's way to answer, whether its model runs here (the local runtime with the profile's
 * adapter set and template) or on an OpenAI-compatible server. The caller holds the model queue's
 * grant while it calls `generate`.
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
  generate(request: GenerateRequest): Promise<GenerateResult>;
  provenance(): ProviderProvenance;
}
