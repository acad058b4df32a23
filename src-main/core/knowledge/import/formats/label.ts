import { z } from 'zod';
import type { KbField } from '../../../../contract/index.js';
import { parseIndications } from '../label-indications.js';
import { parseInteractions, parseListSection, statements } from '../label-text.js';
import { dosageFormOf } from '../../names.js';
import { describeIssues, excerpt, type DOSAGE_GROUPS, type Originals, type SPECIAL_POPULATIONS } from '../../entry-schema.js';
import { LineError, parseObject, toRecord, type FormatParser } from './parser.js';

/** One package insert per line: the drug's names and its label sections as prose. */
const LabelLine = z.object({
  name: z.string().trim().min(1).max(100),
  aliases: z.array(z.string().trim().min(1).max(100)).max(100).default([]),
  brands: z.array(z.string().trim().min(1).max(100)).max(100).default([]),
  class: z.string().trim().min(1).optional(),
  category: z.string().trim().min(1).optional(),
  allergyClass: z.union([z.string().trim().min(1), z.array(z.string().trim().min(1)).max(20)]).nullable().default(null),
  controlled: z.string().trim().min(1).optional(),
  label: z.record(z.string(), z.string().max(100_000)),
}).strict();

type Population = (typeof SPECIAL_POPULATIONS)[number];

/** Label sections we read, by the headings Chinese inserts use. */
const SECTIONS: Record<string, { field: KbField; populations?: Population[] }> = {
  适应症: { field: 'indications' }, 适应证: { field: 'indications' }, 功能主治: { field: 'indications' },
  禁忌: { field: 'contraindications' }, 禁忌症: { field: 'contraindications' }, 禁忌证: { field: 'contraindications' },
  不良反应: { field: 'adverseReactions' },
  用法用量: { field: 'dosage' }, 用法与用量: { field: 'dosage' },
  药物相互作用: { field: 'interactions' }, 相互作用: { field: 'interactions' },
  注意事项: { field: 'cautions' }, 警示语: { field: 'cautions' },
  孕妇及哺乳期妇女用药: { field: 'specialPopulations', populations: ['孕妇', '哺乳期'] },
  孕妇用药: { field: 'specialPopulations', populations: ['孕妇'] },
  哺乳期妇女用药: { field: 'specialPopulations', populations: ['哺乳期'] },
  儿童用药: { field: 'specialPopulations', populations: ['儿童'] },
  老年用药: { field: 'specialPopulations', populations: ['老年人'] },
  老年患者用药: { field: 'specialPopulations', populations: ['老年人'] },
};

/** Sections a label has that our schema does not hold; known, so they are skipped, not refused. */
const SKIPPED = new Set(['药品名称', '成份', '成分', '性状', '规格', '贮藏', '包装', '有效期', '执行标准', '批准文号', '生产企业', '药理毒理', '药代动力学', '临床试验', '药物过量']);

/** Who a sentence of 用法用量 is about: the groups a label gives their own dose; the rest is the adult dose. */
const DOSAGE_GROUP_WORDS: ReadonlyArray<[(typeof DOSAGE_GROUPS)[number], RegExp]> = [
  ['儿童', /儿童|小儿|婴|幼儿|新生儿|岁以下|岁以内/u],
  ['老年人', /老年/u],
  ['肾功能不全', /肾功能|肌酐清除率|肾衰|透析|eGFR/iu],
  ['肝功能不全', /肝功能|肝硬化|Child/iu],
];

/** 用法用量 prose, each sentence under the group it names (成人 when it names none). */
function dosageByGroup(prose: string): Partial<Record<(typeof DOSAGE_GROUPS)[number], string>> {
  const groups: Partial<Record<(typeof DOSAGE_GROUPS)[number], string[]>> = {};
  for (const sentence of statements(prose)) {
    const group = DOSAGE_GROUP_WORDS.find(([, re]) => re.test(sentence))?.[0] ?? '成人';
    (groups[group] ??= []).push(sentence);
  }
  return Object.fromEntries(Object.entries(groups).map(([group, sentences]) => [group, `${sentences.join('；').slice(0, 1990)}。`]));
}

export function labelParser(): FormatParser {
  return {
    push(line, text) {
      if (!text.trim()) return null;
      const parsed = LabelLine.safeParse(parseObject(line, text));
      if (!parsed.success) throw new LineError(line, describeIssues(parsed.error));
      const { label, ...names } = parsed.data;
      const drug: Record<string, unknown> = { type: 'drug', ...names, specialPopulations: {} };
      const form = dosageFormOf(names.name);
      if (form) drug.dosageForms = [form];
      const originals: Originals = {};
      for (const [heading, prose] of Object.entries(label)) {
        const section = SECTIONS[heading.trim()];
        if (!section) {
          if (SKIPPED.has(heading.trim())) continue;
          throw new LineError(line, `未知的说明书章节“${excerpt(heading)}”（可用：${Object.keys(SECTIONS).join('、')}）`);
        }
        if (!prose.trim()) continue;
        const { field, populations } = section;
        originals[field] = originals[field] ? `${originals[field]}\n${prose.trim()}` : prose.trim();
        if (populations) {
          const sentence = statements(prose).join('；');
          for (const who of populations) (drug.specialPopulations as Record<string, string>)[who] = sentence;
        } else if (field === 'dosage') {
          drug.dosage = dosageByGroup(prose);
        } else if (field === 'interactions') {
          drug.interactions = parseInteractions(prose);
        } else if (field === 'indications') {
          // One named condition per indication, its qualifiers beside it; evidence and advice as notes.
          const { conditions, notes } = parseIndications(prose);
          drug.indications = [...((drug.indications as string[] | undefined) ?? []), ...conditions.map((c) => (c.qualifier ? `${c.name}（${c.qualifier}）` : c.name))];
          drug.indicationNotes = [...((drug.indicationNotes as string[] | undefined) ?? []), ...notes];
        } else if (field === 'cautions') {
          drug.cautions = [...((drug.cautions as string[] | undefined) ?? []), ...statements(prose)];
        } else {
          drug[field] = parseListSection(prose, field as 'contraindications' | 'adverseReactions');
        }
      }
      return { line, record: toRecord(line, drug), originals };
    },
    end: () => null,
  };
}
