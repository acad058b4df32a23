/**
 * A model draft: the prompt through the model queue's grant, the answer constrained to the draft
 * schema, each section handed on as soon as its JSON closes, the whole read again at the end.
 */
import { XinglinError, type RecordKind, type Sampling, type TemplateSection, type Finding, type Turn } from '../../../contract/index.js';
import type { GenerateResult, Provider } from '../../llm/index.js';
import { draftPrompt, type DrugFact } from './prompt.js';
import { DEFAULT_DRAFT_LIMITS, draftSchema, readDraft, type DraftLimits } from './schema.js';
import { SectionStream } from './section-stream.js';

export interface ModelDraftInput {
  kind: RecordKind;
  sections: readonly TemplateSection[];
  turns: readonly Turn[];
  findings: readonly Finding[];
  facts: readonly DrugFact[];
  sampling: Sampling;
  limits?: DraftLimits;
  signal: AbortSignal;
  /** A section the model finished, with its index among the template's sections. */
  onSection(key: string, sentences: string[], index: number): void;
}

/** `model`: a provider (the app), or anything that checks and generates the same way (a bench's bare runtime). */
export async function runModelDraft(model: Pick<Provider, 'assertPromptFits' | 'generate'>, input: ModelDraftInput): Promise<{ sections: Map<string, string[]>; result: GenerateResult }> {
  const limits = input.limits ?? DEFAULT_DRAFT_LIMITS;
  const { system, prompt } = draftPrompt({ ...input, limits });
  await model.assertPromptFits(prompt, { system, maxTokens: input.sampling.maxTokens });
  const stream = new SectionStream();
  const order = new Map(input.sections.map((section, index) => [section.key, index]));
  const result = await model.generate({
    history: [],
    system,
    prompt,
    sampling: input.sampling,
    jsonSchema: draftSchema(input.sections, limits),
    signal: input.signal,
    onText: (chunk) => {
      for (const { key, sentences } of stream.push(chunk)) {
        const index = order.get(key);
        if (index !== undefined) input.onSection(key, sentences.map((s) => s.trim()).filter(Boolean), index);
      }
    },
  });
  if (result.stopped) throw new XinglinError('CANCELLED', '已停止模型起草，已保留规则草稿');
  if (result.stopReason === 'maxTokens') throw new XinglinError('GENERATION_FAILED', `模型草稿超出生成长度上限（${input.sampling.maxTokens} 个 token），已保留规则草稿`);
  return { sections: readDraft(result.text, input.sections, limits), result };
}
