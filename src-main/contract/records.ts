import { z } from 'zod';
import { AdapterRef, ErrorData, FileRef, Id, None, Sampling } from './common.js';
import { KbEntryRef, KbField } from './knowledge.js';

/**
 * Records: a 门诊病历 drafted from a consultation (findings → draft → checks), edited by the doctor in
 * versions, signed (locked; addenda after) and exported.
 */

/** The longest consultation text a draft accepts: a long outpatient visit is a few thousand characters. */
export const MAX_DIALOGUE_CHARS = 60_000;
/** The most turns a dialogue may have. */
export const MAX_TURNS = 2_000;
/** The longest text of one section, of an addendum, and of a doctor's name. */
export const MAX_SECTION_CHARS = 20_000;
export const MAX_DOCTOR_NAME_CHARS = 40;

export const Speaker = z.enum(['患者', '医生']);
export type Speaker = z.infer<typeof Speaker>;

/** One turn of the consultation; `index` is 0-based, shown to the doctor as index + 1. */
export const Turn = z.object({ index: z.number().int().min(0), speaker: Speaker, text: z.string() });
export type Turn = z.infer<typeof Turn>;

export const FindingCategory = z.enum(['症状', '检查', '手术', '药物', '过敏', '一般信息']);
export type FindingCategory = z.infer<typeof FindingCategory>;
/** 阳性: present / done / taken; 阴性: denied or absent; 未知: mentioned, not settled. */
export const FindingStatus = z.enum(['阳性', '阴性', '未知']);
export type FindingStatus = z.infer<typeof FindingStatus>;

export const Finding = z.object({
  category: FindingCategory,
  /** The standard term (the vocabulary's), not the words as spoken. */
  item: z.string(),
  status: FindingStatus,
  /** Whose turn asserts it: the patient's account, or the doctor's statement (a diagnosis, a test result). */
  speaker: Speaker,
  /** As spoken (三天, 2周, 十余年), when the dialogue gives one. */
  duration: z.string().nullable(),
  /** The turns that support it, by index. */
  evidence: z.array(z.number().int().min(0)),
});
export type Finding = z.infer<typeof Finding>;

/** 初诊 or 复诊: they have different sections (病历书写基本规范). */
export const RecordKind = z.enum(['初诊', '复诊']);
export type RecordKind = z.infer<typeof RecordKind>;

/** Section keys are stable identifiers (chiefComplaint, presentIllness …); templates add their own. */
export const SectionKey = z.string().regex(/^[a-zA-Z][a-zA-Z0-9]{0,39}$/);

/**
 * One sentence of a section. `evidence` is the turns it rests on; a `draft` sentence with no evidence is
 * unsupported and counted before signing. A sentence the doctor wrote or rewrote is `doctor`: the
 * doctor vouches for it.
 */
export const RecordSentence = z.object({
  text: z.string(),
  evidence: z.array(z.number().int().min(0)),
  origin: z.enum(['draft', 'doctor']),
});
export type RecordSentence = z.infer<typeof RecordSentence>;

/**
 * A section's sentences as one text that splits back into the same sentences: Chinese sentences follow
 * each other directly, English ones after a space, and a sentence with no closing punctuation (胸痛3天)
 * ends its line. Here, in the contract, because the core (store, diff, export) and the renderer's
 * editor must join them the same way, or text the doctor left alone would lose its evidence.
 */
export function sectionText(section: { sentences: readonly { text: string }[] }): string {
  let text = '';
  section.sentences.forEach((sentence, i) => {
    if (i > 0) text += SENTENCE_END_CJK.test(text) ? '' : SENTENCE_END_LATIN.test(text) ? ' ' : '\n';
    text += sentence.text;
  });
  return text;
}
export const SENTENCE_END_CJK = /[。！？；][”’」』）)"']*$/u;
export const SENTENCE_END_LATIN = /[.!?;][”’」』）)"']*$/u;

export const RecordSection = z.object({
  key: SectionKey,
  /** The heading, in Chinese, as printed (主诉). */
  title: z.string(),
  required: z.boolean(),
  sentences: z.array(RecordSentence),
});
export type RecordSection = z.infer<typeof RecordSection>;

export const TemplateSection = z.object({
  key: SectionKey,
  title: z.string(),
  required: z.boolean(),
  /** The LOINC code of the section in a FHIR Composition (29545-1 physical findings). */
  loinc: z.string().regex(/^\d{1,7}-\d$/),
});
export type TemplateSection = z.infer<typeof TemplateSection>;

/**
 * A department's template: the sections of 初诊 and 复诊 in order, the standard ones with those it
 * adds (专科检查), as data files, not code. `general` is the template every department starts from.
 */
export const RecordTemplate = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/),
  /** The department's name (心血管内科; 全科 for general). */
  department: z.string(),
  sections: z.object({ 初诊: z.array(TemplateSection), 复诊: z.array(TemplateSection) }),
});
export type RecordTemplate = z.infer<typeof RecordTemplate>;

/** What produced a draft: enough to audit it. */
export const RecordProvenance = z.object({
  mode: z.enum(['findings', 'llm']),
  appVersion: z.string(),
  model: FileRef.optional(),
  adapters: z.array(AdapterRef),
  sampling: Sampling.optional(),
  /** Digest of the knowledge base's sources when the draft was made. */
  knowledgeVersion: z.string(),
  /** The findings extractor's version (its code and vocabulary). */
  extractionVersion: z.string(),
  template: z.string(),
});
export type RecordProvenance = z.infer<typeof RecordProvenance>;

export const WarningKind = z.enum([
  // the record's form
  'chiefComplaint', 'presentIllness', 'missingSection', 'unsupported', 'dialogue',
  // pharmacy review (处方审核)
  'allergy', 'contraindication', 'specialPopulation', 'interaction', 'duplicate', 'dose',
]);
export type WarningKind = z.infer<typeof WarningKind>;

export const RecordWarning = z.object({
  kind: WarningKind,
  /** `error`: a safety problem to resolve before signing; `warning`: the form; `info`: to know. */
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  /** The knowledge-base entry the warning rests on (every drug warning has one). */
  entry: KbEntryRef.nullable(),
  /** The entry's field the warning cites, and its text as the entry states it. */
  field: KbField.nullable(),
  quote: z.string().nullable(),
  /** The section it is about, when it is about one. */
  section: SectionKey.nullable(),
  /** The medicines concerned, as the record names them. */
  drugs: z.array(z.string()),
});
export type RecordWarning = z.infer<typeof RecordWarning>;

/** `drafting`: the model is writing it; `draft`: the doctor's to edit; `signed`: locked, addenda only. */
export const RecordState = z.enum(['drafting', 'draft', 'signed']);
export type RecordState = z.infer<typeof RecordState>;

export const RecordAddendum = z.object({ id: Id, text: z.string(), author: z.string(), createdAt: z.number().int() });
export type RecordAddendum = z.infer<typeof RecordAddendum>;

export const RecordSummary = z.object({
  id: Id,
  kind: RecordKind,
  department: z.string(),
  /** The 主诉, for the list. */
  title: z.string(),
  state: RecordState,
  version: z.number().int().min(1),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  signedAt: z.number().int().nullable(),
  signedBy: z.string().nullable(),
});
export type RecordSummary = z.infer<typeof RecordSummary>;

export const MedicalRecord = RecordSummary.extend({
  /** The chat session the dialogue came from, when it came from one. */
  sessionId: Id.nullable(),
  templateId: z.string(),
  dialogue: z.array(Turn),
  findings: z.array(Finding),
  sections: z.array(RecordSection),
  provenance: RecordProvenance,
  addenda: z.array(RecordAddendum),
  /** The checks of the current version, computed when the record is read. */
  warnings: z.array(RecordWarning),
  /** Draft sentences of the current version with no supporting turn. */
  unsupported: z.number().int().min(0),
  /** Why the last model draft did not finish (the findings draft was kept). */
  draftError: ErrorData.nullable(),
});
export type MedicalRecord = z.infer<typeof MedicalRecord>;

/** Every save is a version; version 1 is the draft as generated. */
export const RecordVersion = z.object({
  version: z.number().int().min(1),
  author: z.string(),
  savedAt: z.number().int(),
  /** What made it: the generated draft, a doctor's edit, or the signature. */
  action: z.enum(['draft', 'edit', 'sign']),
  sections: z.array(RecordSection),
});
export type RecordVersion = z.infer<typeof RecordVersion>;

/** One line of the audit trail (append-only in SQLite). */
export const AuditEntry = z.object({
  at: z.number().int(),
  actor: z.string(),
  action: z.enum(['draft', 'model-draft', 'edit', 'sign', 'addendum', 'export', 'refused']),
  version: z.number().int().nullable(),
  /** What the action concerned, as data: a format, a refusal's code, the draft's provenance. */
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** One piece of a word-level diff between two versions' text. */
export const DiffPart = z.object({ op: z.enum(['same', 'added', 'removed']), text: z.string() });
export type DiffPart = z.infer<typeof DiffPart>;

export const ExportFormat = z.enum(['text', 'md', 'fhir']);
export type ExportFormat = z.infer<typeof ExportFormat>;

const Doctor = z.string().trim().min(1).max(MAX_DOCTOR_NAME_CHARS);
const DialogueText = z.string().max(MAX_DIALOGUE_CHARS);

export const recordMethods = {
  /** Findings of a consultation, without saving anything: the turns as parsed and what they assert. */
  'records.extract': {
    input: z.object({ dialogue: DialogueText }).strict(),
    output: z.object({ turns: z.array(Turn), findings: z.array(Finding), extractionVersion: z.string() }),
  },
  'records.templates': { input: None, output: z.array(RecordTemplate) },
  /**
   * Saves a new record drafted from the findings at once and returns it. With `useModel`, the loaded
   * model then rewrites it as a job (`records.draft`): sections arrive as `records.section` events and
   * the result as `records.drafted`; until then the record is `drafting`.
   */
  'records.draft': {
    input: z.object({
      dialogue: DialogueText,
      kind: RecordKind.default('初诊'),
      templateId: z.string().min(1).max(64).default('general'),
      author: Doctor,
      sessionId: Id.optional(),
      useModel: z.boolean().default(false),
      sampling: Sampling.partial().optional(),
    }).strict(),
    output: z.object({ record: MedicalRecord, jobId: Id.nullable() }),
  },
  'records.list': { input: z.object({ limit: z.number().int().min(1).max(1000).default(200) }).strict(), output: z.array(RecordSummary) },
  'records.get': { input: z.object({ id: Id }).strict(), output: MedicalRecord },
  /**
   * A new version from the doctor's text of each section. `baseVersion` is the version the editor
   * started from: a save on top of a newer one is refused (RECORD_CONFLICT), a signed record refuses
   * every save (RECORD_SIGNED: write an addendum).
   */
  'records.save': {
    input: z.object({
      id: Id,
      baseVersion: z.number().int().min(1),
      author: Doctor,
      sections: z.array(z.object({ key: SectionKey, text: z.string().max(MAX_SECTION_CHARS) })).max(40),
    }).strict(),
    output: MedicalRecord,
  },
  /** Signs the version the doctor has read; the record is locked from then on. */
  'records.sign': { input: z.object({ id: Id, version: z.number().int().min(1), signer: Doctor }).strict(), output: MedicalRecord },
  /** A correction of a signed record: appended with its time and signer, never changing the signed text. */
  'records.addendum': { input: z.object({ id: Id, author: Doctor, text: z.string().trim().min(1).max(MAX_SECTION_CHARS) }).strict(), output: MedicalRecord },
  'records.versions': { input: z.object({ id: Id }).strict(), output: z.array(RecordVersion) },
  /** The word-level change between two versions (default: the generated draft and the latest). */
  'records.diff': {
    input: z.object({ id: Id, from: z.number().int().min(1).optional(), to: z.number().int().min(1).optional() }).strict(),
    output: z.object({ from: z.number().int(), to: z.number().int(), sections: z.array(z.object({ key: SectionKey, title: z.string(), parts: z.array(DiffPart) })) }),
  },
  'records.audit': { input: z.object({ id: Id }).strict(), output: z.array(AuditEntry) },
  'records.export': {
    input: z.object({ id: Id, format: ExportFormat, actor: Doctor.optional() }).strict(),
    output: z.object({ format: ExportFormat, fileName: z.string(), mime: z.string(), content: z.string() }),
  },
} as const;

export const recordEvents = {
  /** A section the model finished, in the order it writes them. */
  'records.section': z.object({ recordId: Id, section: RecordSection }),
  /** The model draft ended: the record as saved (its findings draft kept, with `draftError`, when it failed). */
  'records.drafted': z.object({ record: MedicalRecord }),
} as const;
