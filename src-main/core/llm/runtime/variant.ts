/**
 * What one answer runs with on the loaded base model: its adapter set, its template and its
 * context size. The base stays loaded when these change; the runtime keeps one context per
 * variant in use (adapters are applied when a context is created), within a memory budget.
 */
import type { AdapterRef, TemplateChoice } from '../../../contract/index.js';

export interface RuntimeVariant {
  /** Checked against the base and hashed in the app process before the model process sees them. */
  adapters: Array<AdapterRef & { path: string }>;
  template: TemplateChoice;
  contextSize: number;
}

/**
 * One key per distinct context: the adapter files with their scales (order-free), the size, and
 * the number of sequences when more than the chat context's one (a variant's lanes, lanes.ts).
 */
export function contextKey(variant: Pick<RuntimeVariant, 'adapters' | 'contextSize'>, sequences = 1): string {
  const adapters = variant.adapters.map((a) => `${a.sha256}@${a.scale}`).sort();
  const key = `${variant.contextSize}|${adapters.join(',')}`;
  return sequences > 1 ? `${key}|×${sequences}` : key;
}
