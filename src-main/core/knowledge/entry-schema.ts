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

/** Cross-allergy groups, a list: 塞来昔布 is 磺胺类 and 非甾体抗炎药. A single string or null (older files) reads as a list. */
const AllergyClasses = z.preprocess((v) => (v === null || v === undefined ? [] : typeof v === 'string' ? [v] : v), z.array(Text).max(20));

/** 麻醉药品和精神药品管理: the control a drug is under in China, if any. */
export const CONTROLLED = ['麻醉药品', '第一类精神药品', '第二类精神药品', '医疗用毒性药品', '放射性药品'] as const;

/** Routes a disease → drug link may name; a product's dosage form gives its route (vocabulary.json). */
export const ROUTES = ['口服', '舌下', '注射', '吸入', '鼻用', '滴眼', '眼内', '滴耳', '外用', '经皮', '直肠', '阴道', '口腔'] as const;

/**
 * A disease's drug: the generic, or the product with its route and for whom (布地奈德 for 溃疡性结肠炎
 * is the oral or rectal product, not the inhaler), and whether the use is off-label (超说明书).
 * Stored as the text a doctor reads: 布地奈德（口服、直肠给药）.
 */
const DrugLink = z.object({
  drug: Name,
  routes: z.array(z.enum(ROUTES)).max(5).optional(),
  when: Text.optional(),
  offLabel: z.boolean().optional(),
  warning: Text.optional(),
}).strict();
export type DrugLink = z.infer<typeof DrugLink>;

export function drugLinkText(link: DrugLink | string): string {
  if (typeof link === 'string') return link;
  const notes = [link.routes?.length ? `${link.routes.join('、')}给药` : '', link.when ?? '', link.offLabel ? '超说明书用药' : '', link.warning ? `警示：${link.warning}` : ''].filter(Boolean);
  return notes.length ? `${link.drug}（${notes.join('；')}）` : link.drug;
}

/** The generic a link names: 布地奈德（口服、直肠给药） → 布地奈德. */
export function linkedName(text: string): string {
  return text.replace(/（[^（）]*）$/u, '');
}

export const DrugRecord = z.object({
  type: z.literal('drug'),
  name: Name,
  aliases: z.array(Name).max(100).default([]),
  brands: z.array(Name).max(100).default([]),
  dosageForms: List,
  class: Text.optional(),
  category: Text.optional(),
  controlled: z.enum(CONTROLLED).optional(),
  indications: List,
  indicationNotes: List,
  dosage: Dosage.default({}),
  contraindications: List,
  cautions: List,
  adverseReactions: List,
  interactions: z.array(z.object({ with: Text, effect: Text }).strict()).max(500).default([]),
  allergyClass: AllergyClasses,
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
  drugs: z.array(z.union([Name, DrugLink])).max(500).default([]).transform((links) => links.map(drugLinkText)),
  otherDrugs: List,
  differentials: List,
}).strict();
export type DiseaseRecord = z.infer<typeof DiseaseRecord>;

export type EntityRecord = DrugRecord | DiseaseRecord;

export const EntityRecord = z.discriminatedUnion('type', [DrugRecord, DiseaseRecord]);

/** The fact fields of each type, in the order an entry shows them. */
export const FACT_FIELDS: Record<KbEntityType, readonly KbField[]> = {
  drug: ['class', 'category', 'controlled', 'dosageForms', 'indications', 'indicationNotes', 'dosage', 'contraindications', 'cautions', 'adverseReactions', 'interactions', 'allergyClass', 'specialPopulations'],
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

/** Longest piece of a file's own text an import message quotes (a field's value or name). */
const EXCERPT_CHARS = 30;

/** A value from the file, as an import message may quote it: its start only. */
export function excerpt(value: string): string {
  const chars = [...value];
  return chars.length > EXCERPT_CHARS ? `${chars.slice(0, EXCERPT_CHARS).join('')}…` : value;
}

/** One Chinese sentence per schema problem, naming the field; a value is never quoted. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length ? issue.path.map((part) => excerpt(String(part))).join('.') : '条目';
      switch (issue.code) {
        case 'unrecognized_keys':
          return `包含未知字段：${issue.keys.slice(0, 5).map(excerpt).join('、')}${issue.keys.length > 5 ? ` 等 ${issue.keys.length} 个` : ''}`;
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
