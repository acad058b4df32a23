/**
 * The JSON a model draft must be: one property per template section, in the template's order, each an
 * array of sentences. node-llama-cpp compiles the schema into a grammar, so the model cannot write
 * anything else; the bounds keep the whole draft inside the tokens it is given.
 */
import type { GbnfJsonSchema } from 'node-llama-cpp';
import { z } from 'zod';
import { XinglinError, type TemplateSection } from '../../../contract/index.js';

export interface DraftLimits {
  /** Sentences per section (主诉 is always one). */
  sentences: number;
  /** Characters per sentence (主诉: 20, as the rules want it short). */
  sentenceChars: number;
}

export const DEFAULT_DRAFT_LIMITS: DraftLimits = { sentences: 6, sentenceChars: 80 };
export const CHIEF_COMPLAINT_CHARS = 20;

const boundsOf = (key: string, limits: DraftLimits) =>
  key === 'chiefComplaint' ? { maxItems: 1, maxLength: CHIEF_COMPLAINT_CHARS } : { maxItems: limits.sentences, maxLength: limits.sentenceChars };

export function draftSchema(sections: readonly TemplateSection[], limits: DraftLimits = DEFAULT_DRAFT_LIMITS): GbnfJsonSchema {
  const properties: Record<string, GbnfJsonSchema> = {};
  for (const { key } of sections) {
    const { maxItems, maxLength } = boundsOf(key, limits);
    properties[key] = { type: 'array', items: { type: 'string', maxLength }, maxItems };
  }
  return { type: 'object', properties };
}

/** The sentences of every section, from the model's whole text; anything off the schema is refused. */
export function readDraft(text: string, sections: readonly TemplateSection[], limits: DraftLimits = DEFAULT_DRAFT_LIMITS): Map<string, string[]> {
  const shape = z
    .object(Object.fromEntries(sections.map(({ key }) => {
      const { maxItems, maxLength } = boundsOf(key, limits);
      return [key, z.array(z.string().max(maxLength)).max(maxItems)];
    })))
    .strict();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new XinglinError('GENERATION_FAILED', '模型草稿不是完整的 JSON（可能超出了生成长度上限），已保留规则草稿');
  }
  const parsed = shape.safeParse(json);
  if (!parsed.success) throw new XinglinError('GENERATION_FAILED', '模型草稿不符合病历结构，已保留规则草稿');
  return new Map(sections.map(({ key }) => [key, (parsed.data[key] as string[]).map((s) => s.trim()).filter(Boolean)]));
}
