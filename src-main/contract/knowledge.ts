import { z } from 'zod';

/**
 * The knowledge base's share of the API: drugs and diseases, their facts with sources, search,
 * import and grounded answers. Self-contained (zod only) so entities.ts can embed
 * `KnowledgeProvenance` without an import cycle.
 */

const EntryId = z.string().min(1).max(64);

export const KbEntityType = z.enum(['drug', 'disease']);
export type KbEntityType = z.infer<typeof KbEntityType>;

/** Every fact field of either entity type (FORMAT.md); names, aliases and brands live apart, as names. */
export const KbField = z.enum([
  'dosageForms', 'class', 'category', 'indications', 'contraindications', 'cautions', 'adverseReactions',
  'interactions', 'allergyClass', 'specialPopulations',
  'departments', 'symptoms', 'examinations', 'treatments', 'drugs', 'otherDrugs', 'differentials',
]);
export type KbField = z.infer<typeof KbField>;

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

export const KbSource = z.object({
  label: z.string(),
  kind: KbSourceKind,
  format: KbImportFormat,
  /** The content digest of what was imported (the starter set's version for `starter`). */
  version: z.string(),
  importedAt: z.number().int(),
});
export type KbSource = z.infer<typeof KbSource>;

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
  sources: z.array(KbSource.extend({ entries: z.number().int(), facts: z.number().int() })),
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
  /** The first errors, each naming its line (1-based); `moreErrors` counts those left out. */
  errors: z.array(KbImportError),
  moreErrors: z.number().int(),
});
export type KbImportReport = z.infer<typeof KbImportReport>;

export const KbIntent = z.enum([
  'indications', 'contraindications', 'adverseReactions', 'interactions', 'cautions', 'specialPopulations',
  'symptoms', 'examinations', 'treatments', 'department', 'differentials', 'overview',
]);
export type KbIntent = z.infer<typeof KbIntent>;

export const KbCitation = z.object({ id: EntryId, name: z.string(), field: KbField, source: z.string() });
export type KbCitation = z.infer<typeof KbCitation>;

export const KbAskResult = z.object({
  mode: z.enum(['knowledge', 'llm']),
  intent: KbIntent,
  entities: z.array(KbEntryRef),
  /** Filled when the question names genuinely different entries and the doctor must choose. */
  choices: z.array(KbEntryRef),
  /** In the answer, [n] refers to citations[n - 1]. */
  answer: z.string(),
  citations: z.array(KbCitation),
  /** False exactly when no entry supported the answer. */
  grounded: z.boolean(),
  /** Drug or disease names in the answer found in neither the retrieved entries nor the question. */
  unsupported: z.array(z.string()),
});
export type KbAskResult = z.infer<typeof KbAskResult>;

/** What a knowledge-grounded answer records in its `Provenance`. */
export const KnowledgeProvenance = z.object({
  entryIds: z.array(EntryId),
  citations: z.array(KbCitation),
  unsupported: z.array(z.string()),
});
export type KnowledgeProvenance = z.infer<typeof KnowledgeProvenance>;

/** `read`: bytes of the file read, validated and written; `index`: entries re-indexed for search. */
export const KbImportProgress = z.object({
  phase: z.enum(['read', 'index']),
  done: z.number().int().min(0),
  total: z.number().int().min(0),
});
export type KbImportProgress = z.infer<typeof KbImportProgress>;
