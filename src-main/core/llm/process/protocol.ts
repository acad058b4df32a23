/**
 * The typed protocol between the app and its model process. The app sends requests with an id;
 * the model process answers each with one `result` or `error`, and streams `progress` (a load),
 * `started` and `text` (an answer) before it. Requests run at once (answers on several lanes
 * among them): every message names its request. `abort` stops the request it names.
 */
import type { HardwareReport, ModelMemory, ModelStatus, ProfileRef, TemplateChoice, WireError } from '../../../contract/index.js';
import type { GenerateRequest, GenerateResult } from '../runtime/generate.js';
import type { LoadPlan, LoadProgress } from '../runtime/load.js';
import type { RuntimeOptions } from '../runtime/options.js';
import type { ScoreRequest } from '../runtime/score.js';
import type { RuntimeVariant } from '../runtime/variant.js';

/** What an answer needs, without the parts that cannot cross a process boundary. */
export type GenerateCall = Omit<GenerateRequest, 'signal' | 'onText' | 'onStarted'>;

export interface RuntimeCalls {
  init: { params: RuntimeOptions; result: ModelStatus };
  load: { params: { plan: LoadPlan; profile: ProfileRef | null; contextSize?: number; template?: TemplateChoice }; result: ModelStatus };
  /** Makes a variant the default on the loaded base, without reloading it. */
  useVariant: { params: { variant: RuntimeVariant; profile: ProfileRef | null }; result: ModelStatus };
  unload: { params: Record<string, never>; result: ModelStatus };
  /** The answer, with the memory after it (a new variant's context may have been created, an idle one disposed). */
  generate: { params: GenerateCall; result: { result: GenerateResult; memory: ModelMemory | null } };
  /** How many answers the variant (absent: the default) gives at once, each on its own lane. */
  maxParallel: { params: { variant?: RuntimeVariant }; result: number };
  /** Each candidate's log-probability after the question and the answer's prefix. */
  scoreOptions: { params: ScoreRequest; result: number[] };
  /** Throws PROMPT_TOO_LONG when the question alone (with its sources and room for a reply) cannot fit. */
  assertPromptFits: { params: { prompt: string; system?: string; sources?: string; maxTokens?: number; variant?: RuntimeVariant }; result: null };
  /** Whether a sources text, beside the system text, leaves the question and its answer room in the context. */
  sourcesFit: { params: { prompt: string; maxTokens: number; system?: string; variant?: RuntimeVariant; sources: string }; result: boolean };
  /** The name provenance records for a template on the loaded model. */
  templateName: { params: { template: TemplateChoice }; result: string };
  hardware: { params: Record<string, never>; result: HardwareReport };
}
export type RuntimeOp = keyof RuntimeCalls;

export type ToRuntime =
  /** `aborted`: the caller's signal was aborted before the request left; it starts stopped (an `abort` after it could arrive only once the work is done). */
  | { [Op in RuntimeOp]: { id: number; op: Op; params: RuntimeCalls[Op]['params']; aborted?: true } }[RuntimeOp]
  | { id: number; op: 'abort' };

export type FromRuntime =
  | { id: number; type: 'result'; value: unknown }
  | { id: number; type: 'error'; error: WireError }
  | { id: number; type: 'progress'; progress: LoadProgress }
  /** The prompt is read and the first token is being computed; `promptTokens` sizes the wait. */
  | { id: number; type: 'started'; promptTokens: number }
  | { id: number; type: 'text'; text: string };
