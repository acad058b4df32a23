import type { GgufMetadata, ModelKind, TemplateKind, VerifyResult } from '$contract';
import type { MessageKey, Params } from '../../i18n/index.js';
import type { ModelImportPhase } from '../../state/model-files.svelte.js';
import type { LoadPhase } from '../../state/models.svelte.js';
import type { FieldProblem, SamplingKey } from '../../state/profile-fields.js';

type Translate = (key: MessageKey, params?: Params) => string;

export const TEMPLATE_KINDS: readonly TemplateKind[] = ['auto', 'chatml', 'llama2', 'alpaca', 'chatglm', 'jinja'];

export const templateKey = (kind: TemplateKind): MessageKey => `models.template.${kind}`;
export const samplingKey = (key: SamplingKey): MessageKey => `models.sampling.${key}`;
export const verifyKey = (state: VerifyResult['state']): MessageKey => `models.verifyState.${state}`;
export const loadPhaseKey = (phase: LoadPhase): MessageKey => `models.phase.${phase}`;
export const importPhaseKey = (phase: ModelImportPhase): MessageKey => `models.importPhase.${phase}`;

/** Where a registry file is in the models folder: adapters live in its `lora/`. */
export const folderPath = (entry: { kind: ModelKind; file: string }): string => (entry.kind === 'adapter' ? `lora/${entry.file}` : entry.file);

/** A number as the doctor reads it: a true minus sign for negatives (−4, not -4). */
export function formatNumber(value: number): string {
  return value < 0 ? `−${Math.abs(value)}` : String(value);
}

/** A parameter count as model cards give it: 7B, 170M. */
export function formatParams(metadata: GgufMetadata): string {
  if (metadata.sizeLabel) return metadata.sizeLabel;
  const count = metadata.parameterCount;
  if (count === null) return '—';
  const [value, unit] = count >= 1e9 ? [count / 1e9, 'B'] : count >= 1e6 ? [count / 1e6, 'M'] : [count / 1e3, 'K'];
  return `${value >= 100 ? Math.round(value) : Number(value.toFixed(1))}${unit}`;
}

/** What the editor says next to a field that cannot be saved. */
export function problemText(t: Translate, problem: FieldProblem, field: string): string {
  switch (problem.kind) {
    case 'range':
      return t('models.problem.range', { field, min: formatNumber(problem.min), max: formatNumber(problem.max) });
    case 'tooLong':
      return t('models.problem.tooLong', { field, max: problem.max });
    case 'idTaken':
    case 'idFormat':
      return t(`models.problem.${problem.kind}`);
    case 'url':
      return t('models.problem.url');
    default:
      return t(`models.problem.${problem.kind}`, { field });
  }
}
