/** A base model in the model process, with the contexts of the variants in use on it. */
import type { LlamaModel } from 'node-llama-cpp';
import type { ProfileRef } from '../../../contract/index.js';
import type { GgufInspection } from '../gguf/inspect.js';
import type { ResolvedTemplate } from '../templates/index.js';
import type { ContextPool } from './context-pool.js';
import type { LoadPlan } from './load.js';
import type { RuntimeVariant } from './variant.js';

export interface LoadedModel {
  model: LlamaModel;
  plan: LoadPlan;
  /** The base as inspected: an adapter a variant names is checked against it before llama.cpp applies it. */
  inspection: GgufInspection;
  /** Adapters (path and digest) already checked against the base. */
  checked: Set<string>;
  pool: ContextPool;
  /** Lanes per variant (its context key), decided once (lanes.ts). */
  lanes: Map<string, Promise<number>>;
  /** Chat wrappers by template choice (JSON), made once. */
  templates: Map<string, ResolvedTemplate>;
  gpu: string;
  /** What an answer runs with when it names no variant; set by the load and by `useVariant`. */
  defaultVariant: RuntimeVariant;
  profile: ProfileRef | null;
}
