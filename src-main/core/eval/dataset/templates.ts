import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { XinglinError, type KbEntityType, type KbField } from '../../../contract/index.js';

/**
 * QiZhen's kinds of instruction templates: for a drug what it treats, when it must not be used,
 * its adverse reactions and interactions; for a disease its symptoms, examinations, drugs and
 * department. Each field is asked in several phrasings, so a model learns the fact, not one wording.
 */

export const NAME_SLOT = '{name}';

const DRUG_TEMPLATE_FIELDS = ['indications', 'contraindications', 'adverseReactions', 'interactions'] as const;
const DISEASE_TEMPLATE_FIELDS = ['symptoms', 'examinations', 'drugs', 'departments'] as const;
type TemplateField = (typeof DRUG_TEMPLATE_FIELDS)[number] | (typeof DISEASE_TEMPLATE_FIELDS)[number];

export interface Template {
  /** `kb:<kind>:<field>`: the key of its count. */
  id: string;
  kind: KbEntityType;
  field: TemplateField;
  /** The entry's fact fields the answer is made of. */
  facts: readonly KbField[];
  /** The answer's opening, before the list of facts. */
  lead: (name: string) => string;
  phrasings: readonly string[];
}

type TemplateSpec = Omit<Template, 'id' | 'kind' | 'field'>;

const DRUG: Record<(typeof DRUG_TEMPLATE_FIELDS)[number], TemplateSpec> = {
  indications: {
    facts: ['indications'],
    lead: (name) => `${name}的适应病症包括：`,
    phrasings: ['{name}的适应病症是什么？', '{name}可以治疗哪些疾病？', '{name}主要用于什么病？', '哪些情况可以使用{name}？'],
  },
  contraindications: {
    facts: ['contraindications'],
    lead: (name) => `${name}的禁忌包括：`,
    phrasings: ['{name}的禁忌有哪些？', '哪些人不能使用{name}？', '什么情况下禁用{name}？'],
  },
  adverseReactions: {
    facts: ['adverseReactions'],
    lead: (name) => `${name}可能出现的不良反应包括：`,
    phrasings: ['{name}有哪些不良反应？', '{name}的副作用是什么？', '使用{name}可能出现哪些不良反应？'],
  },
  interactions: {
    facts: ['interactions'],
    lead: (name) => `${name}的药物相互作用包括：`,
    phrasings: ['{name}与哪些药物存在相互作用？', '{name}和其他药物合用需要注意什么？', '{name}的药物相互作用有哪些？'],
  },
};

const DISEASE: Record<(typeof DISEASE_TEMPLATE_FIELDS)[number], TemplateSpec> = {
  symptoms: {
    facts: ['symptoms'],
    lead: (name) => `${name}的典型症状包括：`,
    phrasings: ['{name}的典型症状有哪些？', '{name}有什么表现？', '得了{name}会出现哪些症状？'],
  },
  examinations: {
    facts: ['examinations'],
    lead: (name) => `${name}常用的检查包括：`,
    phrasings: ['{name}需要做哪些检查？', '怀疑{name}时应做什么检查？', '诊断{name}常用哪些检查？'],
  },
  drugs: {
    // Drugs without an entry of their own are still drugs the base records for the disease.
    facts: ['drugs', 'otherDrugs'],
    lead: (name) => `${name}的常用治疗药物包括：`,
    phrasings: ['{name}常用哪些治疗药物？', '{name}吃什么药？', '治疗{name}可以用哪些药物？'],
  },
  departments: {
    facts: ['departments'],
    lead: (name) => `${name}一般到以下科室就诊：`,
    phrasings: ['{name}应该挂哪个科？', '{name}看什么科室？', '得了{name}应到哪个科室就诊？'],
  },
};

/** A templates file this large is not a list of questions. */
const MAX_TEMPLATES_FILE_BYTES = 1024 ** 2;
const MAX_LISTED_PROBLEMS = 10;

const Phrasing = z.string().trim().min(1).max(200);
const Phrasings = z.array(Phrasing).min(1).max(50);
const optionalPhrasings = <F extends string>(fields: readonly F[]) => z.object(Object.fromEntries(fields.map((f) => [f, Phrasings.optional()])) as Record<F, z.ZodOptional<typeof Phrasings>>).strict();

/** `{ "drug": { "indications": ["{name}的适应病症是什么？", …] }, "disease": { … } }`: the fields it names get these phrasings instead of the built-in ones. */
const TemplatesFile = z.object({ drug: optionalPhrasings(DRUG_TEMPLATE_FIELDS).optional(), disease: optionalPhrasings(DISEASE_TEMPLATE_FIELDS).optional() }).strict();
type TemplatesFile = z.infer<typeof TemplatesFile>;

/** The built-in templates, with the phrasings of `custom` in place of theirs where it names a field. */
export function templates(custom: TemplatesFile = {}): Template[] {
  const make = <F extends TemplateField>(kind: KbEntityType, specs: Record<F, TemplateSpec>, replaced: Partial<Record<F, string[]>> | undefined): Template[] =>
    (Object.entries(specs) as Array<[F, TemplateSpec]>).map(([field, spec]) => ({ id: `kb:${kind}:${field}`, kind, field, ...spec, phrasings: replaced?.[field] ?? spec.phrasings }));
  return [...make('drug', DRUG, custom.drug), ...make('disease', DISEASE, custom.disease)];
}

/** Reads and checks a templates file; every problem is named by its place (drug.indications[2]). */
export function readTemplatesFile(file: string): TemplatesFile {
  const name = path.basename(file);
  const refuse = (problems: string[]) =>
    new XinglinError('IMPORT_INVALID', `模板文件 ${name} 有误，未生成任何数据：${problems.slice(0, MAX_LISTED_PROBLEMS).join('；')}${problems.length > MAX_LISTED_PROBLEMS ? `；……共 ${problems.length} 处` : ''}`, { file: name });
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    throw new XinglinError('NOT_FOUND', `读不到模板文件：${name}`, { file: name });
  }
  if (size > MAX_TEMPLATES_FILE_BYTES) throw new XinglinError('FILE_TOO_LARGE', `模板文件 ${name} 过大（${Math.ceil(size / 1024)} KB），最多 ${MAX_TEMPLATES_FILE_BYTES / 1024} KB`, { file: name, max: MAX_TEMPLATES_FILE_BYTES });
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fs.readFileSync(file)));
  } catch (cause) {
    throw refuse([cause instanceof SyntaxError ? `不是有效的 JSON（${cause.message}）` : '不是有效的 UTF-8 编码，请另存为 UTF-8']);
  }
  const parsed = TemplatesFile.safeParse(value);
  if (!parsed.success) throw refuse(parsed.error.issues.map(describeIssue));
  const problems: string[] = [];
  for (const [kind, fields] of Object.entries(parsed.data)) {
    for (const [field, phrasings] of Object.entries(fields ?? {})) {
      (phrasings ?? []).forEach((phrasing, i) => {
        const problem = phrasingProblem(phrasing);
        if (problem) problems.push(`${kind}.${field}[${i}]“${phrasing}”${problem}`);
      });
    }
  }
  if (problems.length) throw refuse(problems);
  return parsed.data;
}

/** A phrasing must say where the name goes, and nothing else may look like a slot. */
function phrasingProblem(phrasing: string): string | null {
  if (!phrasing.includes(NAME_SLOT)) return `缺少 ${NAME_SLOT}（问句中药品或疾病名称的位置）`;
  const other = /\{[^{}]*\}/gu.exec(phrasing.replaceAll(NAME_SLOT, ''));
  return other ? `含有未知的占位符 ${other[0]}（只能用 ${NAME_SLOT}）` : null;
}

const KIND_FIELDS: Record<string, readonly string[]> = { '': ['drug', 'disease'], drug: DRUG_TEMPLATE_FIELDS, disease: DISEASE_TEMPLATE_FIELDS };

function place(at: readonly PropertyKey[]): string {
  return at.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i ? '.' : ''}${String(key)}`)).join('') || '顶层';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = place(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = KIND_FIELDS[issue.path.join('.')];
      return `${where}有未知字段 ${issue.keys.join('、')}${known ? `（可用：${known.join('、')}）` : ''}`;
    }
    case 'invalid_type':
      return `${where} 应为${issue.expected === 'array' ? '问法的数组' : issue.expected === 'string' ? '文字' : issue.expected === 'object' ? '对象' : ` ${issue.expected}`}`;
    case 'too_small':
      return issue.origin === 'array' ? `${where} 至少需要一个问法` : `${where} 不能为空`;
    case 'too_big':
      return issue.origin === 'array' ? `${where} 最多 ${issue.maximum} 个问法` : `${where} 过长（最多 ${issue.maximum} 个字符）`;
    default:
      return `${where} 无效`;
  }
}
