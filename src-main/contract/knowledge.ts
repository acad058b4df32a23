import { z } from 'zod';
import { Id as EntryId, FileHandle, MAX_QUESTION_CHARS, None } from './common.js';

/**
 * The knowledge base's share of the API: drugs and diseases, their facts with sources, search,
 * import and grounded answers.
 */

export const KbEntityType = z.enum(['drug', 'disease']);
export type KbEntityType = z.infer<typeof KbEntityType>;

/** Every fact field of either entity type (FORMAT.md); names, aliases and brands live apart, as names. */
export const KbField = z.enum([
  'dosageForms', 'class', 'category', 'controlled', 'indications', 'indicationNotes', 'contraindications', 'cautions', 'adverseReactions',
  'interactions', 'allergyClass', 'specialPopulations', 'dosage',
  'departments', 'symptoms', 'examinations', 'treatments', 'drugs', 'otherDrugs', 'differentials',
]);
export type KbField = z.infer<typeof KbField>;

/** The one Chinese name of each field, in answers, citations and the UI (the renderer's zh-CN repeats it, tested). */
export const KB_FIELD_LABELS: Record<KbField, string> = {
  dosageForms: '剂型', class: '药理分类', category: '药品类别', controlled: '管制类别', indications: '适应症', indicationNotes: '适应症说明', dosage: '用法用量', contraindications: '禁忌',
  cautions: '注意事项', adverseReactions: '不良反应', interactions: '药物相互作用', allergyClass: '过敏类别',
  specialPopulations: '特殊人群用药', departments: '就诊科室', symptoms: '典型症状', examinations: '检查',
  treatments: '治疗', drugs: '常用药物', otherDrugs: '其他常用药物（未收录条目）', differentials: '鉴别诊断',
};

export const KbInteraction = z.object({ with: z.string(), effect: z.string() });
export type KbInteraction = z.infer<typeof KbInteraction>;

export const KbFactValue = z.union([z.string(), z.array(z.string()), z.array(KbInteraction), z.record(z.string(), z.string())]);
export type KbFactValue = z.infer<typeof KbFactValue>;

/**
 * `starter`: the set shipped with the app, for the pharmacy to review. The others are imported by
 * the hospital: its own knowledge base (`hospital`), drug package inserts (`label`), guidelines.
 */
export const KbSourceKind = z.enum(['starter', 'hospital', 'label', 'guideline']);
export type KbSourceKind = z.infer<typeof KbSourceKind>;
/** What an import may declare itself to be: anything but the starter set. */
export const KbImportKind = KbSourceKind.exclude(['starter']);
export const KbImportFormat = z.enum(['jsonl', 'csv', 'label']);
export type KbImportFormat = z.infer<typeof KbImportFormat>;
/** The file name endings an import file may have, offered by the open dialog and the file input. */
export const KB_IMPORT_EXTENSIONS = ['jsonl', 'json', 'csv', 'txt'] as const;

export const KbSource = z.object({
  label: z.string(),
  kind: KbSourceKind,
  format: KbImportFormat,
  /** The content digest of what was imported (the starter set's version for `starter`). */
  version: z.string(),
  importedAt: z.number().int(),
  /** The version a re-import replaced, kept so that it can be rolled back to (one is kept). */
  previous: z.object({ version: z.string(), importedAt: z.number().int() }).optional(),
});
export type KbSource = z.infer<typeof KbSource>;

export const KbSourceStats = KbSource.extend({ entries: z.number().int(), facts: z.number().int() });
export type KbSourceStats = z.infer<typeof KbSourceStats>;

/** One imported source as the Knowledge pane inspects it: what it is and the entries it speaks for. */
export const KbSourceDetail = z.object({
  source: KbSourceStats,
  entries: z.array(z.object({ id: EntryId, type: KbEntityType, name: z.string() })),
  /** Entries beyond the listed ones. */
  more: z.number().int(),
});
export type KbSourceDetail = z.infer<typeof KbSourceDetail>;

export const KbFact = z.object({
  field: KbField,
  value: KbFactValue,
  /** The prose the value was parsed from (a label section), kept for citation. */
  original: z.string().optional(),
  source: KbSource,
});
export type KbFact = z.infer<typeof KbFact>;

export const KbNameKind = z.enum(['name', 'alias', 'brand']);

export const KbEntryRef = z.object({ id: EntryId, type: KbEntityType, name: z.string() });
export type KbEntryRef = z.infer<typeof KbEntryRef>;

export const KbEntry = KbEntryRef.extend({
  names: z.array(z.object({ name: z.string(), kind: KbNameKind, source: z.string() })),
  /** Best-ranked source first: the hospital's own before the starter set. */
  facts: z.array(KbFact),
  /** Names mentioned in the facts (a disease's drugs) that are entries themselves: name → id. */
  links: z.record(z.string(), EntryId),
});
export type KbEntry = z.infer<typeof KbEntry>;

export const KbHit = KbEntryRef.extend({
  /** Where the query matched, marked as in `SearchHit.snippet` (U+0001 … U+0002). */
  snippet: z.string().optional(),
  matchedBy: z.enum(['name', 'alias', 'brand', 'fuzzy', 'text']),
});
export type KbHit = z.infer<typeof KbHit>;

export const KbStats = z.object({
  entries: z.number().int(),
  byType: z.object({ drug: z.number().int(), disease: z.number().int() }),
  sources: z.array(KbSourceStats),
});
export type KbStats = z.infer<typeof KbStats>;

/** Column → field for CSV imports; `type` may instead come from a column mapped to `type`. */
export const KbCsvMapping = z.object({
  type: KbEntityType.optional(),
  columns: z.record(z.string().min(1), z.string().min(1)),
}).strict();
export type KbCsvMapping = z.infer<typeof KbCsvMapping>;

export const KbImportError = z.object({ line: z.number().int(), message: z.string() });
export type KbImportError = z.infer<typeof KbImportError>;

export const KbImportReport = z.object({
  dryRun: z.boolean(),
  /** True when the file was written; a file with any error writes nothing. */
  committed: z.boolean(),
  source: z.string(),
  /** Entities read from the file. */
  total: z.number().int(),
  /** Over the valid lines: new entries, entries whose facts from this source changed, and the rest. */
  added: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  /** Entries this source had that its new file no longer holds: what the source said about them is gone. */
  removed: z.number().int(),
  /** The first errors, each naming its line (1-based); `moreErrors` counts those left out. */
  errors: z.array(KbImportError),
  moreErrors: z.number().int(),
});
export type KbImportReport = z.infer<typeof KbImportReport>;

export const KbIntent = z.enum([
  'indications', 'contraindications', 'adverseReactions', 'interactions', 'cautions', 'specialPopulations', 'dosage',
  'symptoms', 'examinations', 'treatments', 'department', 'differentials', 'overview',
]);
export type KbIntent = z.infer<typeof KbIntent>;

export const KbCitation = z.object({ id: EntryId, name: z.string(), field: KbField, source: z.string() });
export type KbCitation = z.infer<typeof KbCitation>;

/**
 * An entry the doctor may have meant, offered instead of an answer: `ambiguous` when the name as
 * written denotes several entries, `near` when the base has no entry for the name as written and
 * this one is close to it (one character off, or found inside the longer name). Never answered
 * until the doctor picks it.
 */
export const KbChoice = KbEntryRef.extend({
  /** The name as the question wrote it; re-asking replaces it with `name`. */
  for: z.string(),
  /** What the entry is, in a few words (抗结核药; 疾病 · 风湿免疫科). */
  what: z.string(),
  reason: z.enum(['ambiguous', 'near']),
  /** The question asked again with this entry's name in place of the one written. */
  ask: z.string(),
});
export type KbChoice = z.infer<typeof KbChoice>;

/**
 * How far the knowledge base supports an answer, checked statement by statement:
 * `knowledge` every statement cited; `partial` some statements uncited (listed in `uncited`);
 * `model-only` nothing cited; `none` nothing was stated (the base has no entry, or the doctor must
 * choose first).
 */
export const KbSupport = z.enum(['knowledge', 'partial', 'model-only', 'none']);
export type KbSupport = z.infer<typeof KbSupport>;

export const KbAskResult = z.object({
  mode: z.enum(['knowledge', 'llm']),
  /** What the question asks, in the order it asks it (禁忌和副作用 asks two things). */
  intents: z.array(KbIntent),
  entities: z.array(KbEntryRef),
  /** Entries the doctor may have meant; the answer says nothing about them until one is chosen. */
  choices: z.array(KbChoice),
  /** Names as the question wrote them that the base has no entry for. */
  unknown: z.array(z.string()),
  /** In the answer, [n] refers to citations[n - 1]. */
  answer: z.string(),
  citations: z.array(KbCitation),
  /** The source numbers [n] the answer actually uses: only these are shown as chips. */
  cited: z.array(z.number().int().min(1)),
  /** True exactly when at least one statement of the answer is cited. */
  grounded: z.boolean(),
  support: KbSupport,
  /** The support in plain Chinese: 依据知识库, 部分依据知识库, 仅模型生成，未经知识库核实, 知识库未收录. */
  label: z.string(),
  /** The answer's statements that cite no source (a `partial` answer marks them in the text). */
  uncited: z.array(z.string()),
  /** The model stopped at its token limit: the answer is cut off. */
  truncated: z.boolean(),
  /** Drug or disease names in the answer found in neither the retrieved entries nor the question. */
  unsupported: z.array(z.string()),
});
export type KbAskResult = z.infer<typeof KbAskResult>;

/**
 * What a knowledge-grounded answer records in its `Provenance`. The fields after `unsupported`
 * came later: answers saved before them lack them.
 */
export const KnowledgeProvenance = z.object({
  entryIds: z.array(EntryId),
  citations: z.array(KbCitation),
  unsupported: z.array(z.string()),
  choices: z.array(KbChoice).optional(),
  unknown: z.array(z.string()).optional(),
  cited: z.array(z.number().int().min(1)).optional(),
  support: KbSupport.optional(),
  uncited: z.array(z.string()).optional(),
  truncated: z.boolean().optional(),
});
export type KnowledgeProvenance = z.infer<typeof KnowledgeProvenance>;

const SourceLabel = z.string().trim().min(1).max(100);

export const knowledgeMethods = {
  'kb.search': {
    input: z.object({ query: z.string().trim().min(1).max(200), limit: z.number().int().min(1).max(200).default(20) }).strict(),
    output: z.array(KbHit),
  },
  'kb.entry': { input: z.object({ id: EntryId }).strict(), output: KbEntry },
  'kb.stats': { input: None, output: KbStats },
  /** A job of kind `kb.import`: progress as `job.progress`; `jobs.cancel` leaves the base as it was. */
  'kb.import': {
    input: z.object({
      /** The file to import, as a handle from the host's open dialog or upload, never a path. */
      file: FileHandle,
      format: KbImportFormat.default('jsonl'),
      mapping: KbCsvMapping.optional(),
      dryRun: z.boolean().default(false),
      /** The source label every fact is stamped with; defaults to one naming the file. */
      source: z.string().trim().min(1).max(100).optional(),
      /** Defaults to `label` for the label format, `hospital` otherwise. */
      kind: KbImportKind.optional(),
    }).strict(),
    output: KbImportReport,
  },
  /** One source and its entries (the first `limit`). */
  'kb.source': { input: z.object({ label: SourceLabel, limit: z.number().int().min(1).max(1000).default(200) }).strict(), output: KbSourceDetail },
  /** Removes an imported source with what it says; entries no other source speaks for go too. */
  'kb.removeSource': { input: z.object({ label: SourceLabel }).strict(), output: z.object({ label: z.string(), entriesRemoved: z.number().int() }) },
  /** Puts an imported source back to the version its last re-import replaced. */
  'kb.rollbackSource': { input: z.object({ label: SourceLabel }).strict(), output: KbSourceStats },
  /**
   * `knowledge` composes the answer from the entries; `llm` has the loaded model answer from them,
   * when the model queue grants it.
   */
  'kb.ask': {
    input: z.object({ question: z.string().trim().min(1).max(MAX_QUESTION_CHARS), mode: z.enum(['knowledge', 'llm']).default('knowledge') }).strict(),
    output: KbAskResult,
  },
} as const;
