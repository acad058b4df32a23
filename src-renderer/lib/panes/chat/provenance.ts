import type { Profile, Provenance } from '$contract';
import type { MessageKey, Params } from '../../i18n/index.js';
import { baseName, formatScale, formatSpeed } from '../../ui/format.js';

type Translate = (key: MessageKey, params?: Params) => string;

/** Where the model ran: the local model file, or a remote server's address and model. */
export function backendText(p: Provenance): string {
  if (p.backend?.kind === 'remote') return [p.backend.baseUrl, p.backend.model].filter(Boolean).join(' · ');
  return p.model ? baseName(p.model.file) : '';
}

/**
 * How a model answer was made, in short pieces for a line under it: the profile (`profile`: where
 * the column does not already name it), the model or remote server, the adapters and scales, and
 * with `detail` the template and the sampling that shape a comparison; then the speed. None for a
 * knowledge-mode answer.
 */
export function provenanceParts(p: Provenance | null, t: Translate, options: { profile?: boolean; detail?: boolean } = {}): string[] {
  if (!p || p.mode === 'knowledge') return [];
  const parts: string[] = [];
  if (options.profile && p.profile) parts.push(t('chat.profileOf', { name: p.profile.name }));
  const backend = backendText(p);
  if (backend) parts.push(backend);
  for (const adapter of p.adapters) parts.push(`${baseName(adapter.file)} ${formatScale(adapter.scale)}`);
  if (options.detail) {
    if (p.template) parts.push(t('compare.template', { name: p.template }));
    if (p.sampling) {
      const { temperature, topP, repeatPenalty } = p.sampling;
      parts.push(t('compare.sampling', { temperature, topP }));
      if (repeatPenalty !== undefined) parts.push(t('compare.repeatPenalty', { value: repeatPenalty }));
    }
  }
  if (p.timings) parts.push(t('chat.speed', { value: formatSpeed(p.timings.tokensPerSecond) }));
  return parts;
}

/** What a profile answers with, in a few words: the model file and adapters, or the remote server and model. */
export function profileSummary(profile: Profile, t: Translate): string {
  const backend = profile.backend;
  if (backend.kind === 'remote') return [t('chat.profile.remote'), backend.baseUrl, backend.model].join(' · ');
  return [baseName(backend.model), ...backend.adapters.map((adapter) => `${baseName(adapter.file)} ${formatScale(adapter.scale)}`)].join(' · ');
}
