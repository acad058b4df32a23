import { z } from 'zod';
import type { KbEntityType, KbFactValue, KbField } from '../../contract/index.js';

/**
 * One entity as every importer produces it (FORMAT.md): the jsonl line itself, or what the csv and
 * label importers build. Strict: an unknown field is an error, never silently dropped.
 */

const Text = z.string().trim().min(1).max(2000);
const List = z.array(Text).max(500).default([]);
const Name = z.string().trim().min(1).max(100);

export const SPECIAL_POPULATIONS = ['孕妇', '哺乳期', '儿童', '老年人', '肝功能不全', '肾功能不全'] as const;

/** 用法用量 as a label states it: the adult dose, and the adjusted doses the label gives. */
export const DOSAGE_GROUPS = ['成人', '儿童', '老年人', '肝功能不全', '肾功能不全'] as const;

const Dosage = z.object(Object.fromEntries(DOSAGE_GROUPS.map((k) => [k, Text.optional()])) as Record<(typeof DOSAGE_GROUPS)[number], z.ZodOptional<typeof Text>>).strict();

const SpecialPopulations = z.object(Object.fromEntries(SPECIAL_POPULATIONS.map((k) => [k, Text.optional()])) as Record<(typeof SPECIAL_POPULATIONS)[number], z.ZodOptional<typeof Text>>).strict();

export const DrugRecord = z.object({
  type: z.literal('drug'),
  name: Name,
  aliases: z.array(Name).max(100).default([]),
  brands: z.array(Name).max(100).default([]),
  dosageForms: List,
  class: Text.optional(),
  category: Text.optional(),
  indications: List,
  dosage: Dosage.default({}),
  contraindications: List,
  cautions: List,
  adverseReactions: List,
  interactions: z.array(z.object({ with: Text, effect: Text }).strict()).max(500).default([]),
  allergyClass: Text.nullable().default(null),
  specialPopulations: SpecialPopulations.default({}),
}).strict();
export type DrugRecord = z.infer<typeof DrugRecord>;

export const DiseaseRecord = z.object({
  type: z.literal('disease'),
  name: Name,
  aliases: z.array(Name).max(100).default([]),
  departments: List,
  symptoms: List,
  examinations: List,
  treatments: List,
  drugs: List,
  otherDrugs: List,
  differentials: List,
}).strict();
export type DiseaseRecord = z.infer<typeof DiseaseRecord>;

export type EntityRecord = DrugRecord | DiseaseRecord;

export const EntityRecord = z.discriminatedUnion('type', [DrugRecord, DiseaseRecord]);

/** The fact fields of each type, in the order an entry shows them. */
export const FACT_FIELDS: Record<KbEntityType, readonly KbField[]> = {
  drug: ['class', 'category', 'dosageForms', 'indications', 'dosage', 'contraindications', 'cautions', 'adverseReactions', 'interactions', 'allergyClass', 'specialPopulations'],
  disease: ['departments', 'symptoms', 'examinations', 'treatments', 'drugs', 'otherDrugs', 'differentials'],
};


/** Original prose per field (label sections), kept for citation. */
export type Originals = Partial<Record<KbField, string>>;

/** The non-empty facts of a record: empty lists, null and {} are absence, not facts. */
export function factsOf(record: EntityRecord): Array<[KbField, KbFactValue]> {
  const out: Array<[KbField, KbFactValue]> = [];
  for (const field of FACT_FIELDS[record.type]) {
    const value = (record as Record<string, unknown>)[field] as KbFactValue | null | undefined;
    if (value === null || value === undefined) continue;
    if (Array.isArray(value) ? value.length === 0 : typeof value === 'object' && Object.keys(value).length === 0) continue;
    out.push([field, value]);
  }
  return out;
}

/** One Chinese sentence per schema problem, naming the field. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length ? issue.path.join('.') : '条目';
      switch (issue.code) {
        case 'unrecognized_keys':
          return `包含未知字段：${issue.keys.join('、')}`;
        case 'invalid_type':
          return issue.input === undefined ? `缺少字段 ${field}` : `${field} 类型错误（应为 ${issue.expected}）`;
        case 'too_small':
          return `${field} 不能为空`;
        case 'too_big':
          return `${field} 过长（上限 ${issue.maximum}）`;
        case 'invalid_union':
        case 'invalid_value':
          return issue.path[0] === 'type' || issue.path.length === 0 ? 'type 必须是 "drug" 或 "disease"' : `${field} 的取值无效`;
        default:
          return `${field} 无效`;
      }
    })
    .join('；');
}
