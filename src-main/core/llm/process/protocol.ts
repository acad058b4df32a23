/**
 * The typed protocol between the app and its model process. The app sends requests with an id;
 * the model process answers each with one `result` or `error`, and streams `progress` (a load),
 * `started` and `text` (an answer) before it. `abort` stops the request it names.
 */
import type { ModelStatus, WireError } from '../../../contract/index.js';
import type { GenerateRequest, GenerateResult } from '../runtime/generate.js';
import type { LoadPlan, LoadProgress } from '../runtime/load.js';
import type { RuntimeOptions } from '../runtime/options.js';

/** What an answer needs, without the parts that cannot cross a process boundary. */
export type GenerateCall = Omit<GenerateRequest, 'signal' | 'onText'>;

export interface RuntimeCalls {
  init: { params: RuntimeOptions; result: ModelStatus };
  load: { params: LoadPlan; result: ModelStatus };
  unload: { params: Record<string, never>; result: ModelStatus };
  generate: { params: GenerateCall; result: GenerateResult };
  /** Throws PROMPT_TOO_LONG when the question alone (with room for a reply) cannot fit. */
  assertPromptFits: { params: { prompt: string; system?: string; maxTokens?: number }; result: null };
  /** Whether a system text leaves the question and its answer room in the context. */
  systemFits: { params: { prompt: string; maxTokens: number; system: string }; result: boolean };
}
export type RuntimeOp = keyof RuntimeCalls;

export type ToRuntime =
  | { [Op in RuntimeOp]: { id: number; op: Op; params: RuntimeCalls[Op]['params'] } }[RuntimeOp]
  | { id: number; op: 'abort' };

export type FromRuntime =
  | { id: number; type: 'result'; value: unknown }
  | { id: number; type: 'error'; error: WireError }
  | { id: number; type: 'progress'; progress: LoadProgress }
  /** The prompt is read and the first token is being computed; `promptTokens` sizes the wait. */
  | { id: number; type: 'started'; promptTokens: number }
  | { id: number; type: 'text'; text: string };
