import { z } from 'zod';
import { AdapterRef, ErrorData, FileHandle, FileRef, Id, None, Ok, Sampling } from './common.js';
import { ProfileRef } from './models.js';

/**
 * Evaluation (QiZhen's three criteria and exam-style multiple choice) and the instruction-data
 * builder. A set is a file of cases; a run asks every case of a set to one to three targets (a
 * profile, or knowledge mode) through the path chat uses, scores each answer, and keeps the scores
 * a clinician's review overrides beside the automatic ones.
 */

/** The most cases one set may hold: a run of them must end in a working day on a CPU. */
export const MAX_EVAL_CASES = 5_000;
export const MAX_EVAL_TARGETS = 3;
export const MAX_REVIEW_NOTE_CHARS = 2_000;
const MAX_CASE_TEXT_CHARS = 4_000;
const MAX_GOLD_ITEMS = 200;
const MAX_REVIEWER_CHARS = 40;

/** QiZhen's question kinds: what a drug treats or must not be used for; a disease's symptoms, examinations and drugs. */
export const CRITERIA_KINDS = ['drug-indication', 'drug-contraindication', 'disease-symptom', 'disease-exam', 'disease-drug'] as const;
export const CriteriaKind = z.enum(CRITERIA_KINDS);
export type CriteriaKind = z.infer<typeof CriteriaKind>;

export const CaseId = z.string().trim().min(1).max(100);
const CaseText = z.string().trim().min(1).max(MAX_CASE_TEXT_CHARS);
const GoldItem = z.string().trim().min(1).max(200);

/** A three-criteria question: the answer is scored by how many gold items it mentions (not negated). */
export const CriteriaCase = z.object({
  id: CaseId,
  instruction: CaseText,
  gold: z.array(GoldItem).min(1).max(MAX_GOLD_ITEMS),
  kind: CriteriaKind,
}).strict();
export type CriteriaCase = z.infer<typeof CriteriaCase>;

export const OptionKey = z.string().regex(/^[A-J]$/u);
/** The option letters an answer names, in order (CMB's multiple-answer questions: "AB"). */
export const ChoiceAnswer = z.string().regex(/^[A-J]{1,10}$/u);

/** A multiple-choice question in the shape CMExam and CMB use: scored by the option the model chooses. */
export const ChoiceCase = z.object({
  id: CaseId,
  question: CaseText,
  options: z.record(OptionKey, CaseText),
  answer: ChoiceAnswer,
}).strict();
export type ChoiceCase = z.infer<typeof ChoiceCase>;

export const EvalCase = z.union([CriteriaCase, ChoiceCase]);
export type EvalCase = z.infer<typeof EvalCase>;

export const EvalSetFormat = z.enum(['criteria', 'choice']);
export type EvalSetFormat = z.infer<typeof EvalSetFormat>;

/** What an import reads: the app's own JSONL of cases, or CMExam's CSV / CMB's JSON mapped to it ('auto' decides by content). */
export const EvalImportFormat = z.enum(['auto', 'jsonl', 'cmexam', 'cmb']);
export type EvalImportFormat = z.infer<typeof EvalImportFormat>;

export const EvalSetSummary = z.object({
  id: Id,
  name: z.string(),
  format: EvalSetFormat,
  caseCount: z.number().int(),
  /** Cases per kind (three-criteria sets). */
  kinds: z.record(z.string(), z.number().int()),
  origin: z.enum(['made', 'imported']),
  /** How it was made (kinds, sample, seed, knowledge-base version) or the file it came from. */
  detail: z.string(),
  createdAt: z.number().int(),
});
export type EvalSetSummary = z.infer<typeof EvalSetSummary>;

export const EvalSet = EvalSetSummary.extend({ cases: z.array(EvalCase) });
export type EvalSet = z.infer<typeof EvalSet>;

/** Who answers a run's cases: a profile, or knowledge mode (composed from the base, no model). */
export const EvalTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('knowledge') }).strict(),
  z.object({ kind: z.literal('profile'), profileId: Id }).strict(),
]);
export type EvalTarget = z.infer<typeof EvalTarget>;

/** Where a target's answers came from, recorded when the run starts it. */
export const EvalProvenance = z.object({
  mode: z.enum(['llm', 'knowledge']),
  appVersion: z.string(),
  knowledgeVersion: z.string(),
  profile: ProfileRef.optional(),
  model: FileRef.optional(),
  adapters: z.array(AdapterRef),
  template: z.string().optional(),
  sampling: Sampling.optional(),
  backend: z.object({ kind: z.enum(['local', 'remote']), baseUrl: z.string().optional(), model: z.string().optional() }).optional(),
  /** Answers asked at once on the model (sequences of one context, or requests to a server). */
  parallel: z.number().int().min(1),
});
export type EvalProvenance = z.infer<typeof EvalProvenance>;

/** How a gold item was found in an answer: its own name, a synonym from the base, or its head term (帕金森病 for 特发性帕金森病). */
export const HitVia = z.enum(['name', 'synonym', 'head']);
export type HitVia = z.infer<typeof HitVia>;

/** One gold item against one answer: hit or not, where it was found (UTF-16 spans of the answer) and whether a mention was negated. */
export const GoldItemScore = z.object({
  item: z.string(),
  hit: z.boolean(),
  via: HitVia.nullable(),
  spans: z.array(z.tuple([z.number().int(), z.number().int()])),
  /** Mentioned only in a negation (不用于…, 禁用于…): not a hit. */
  negated: z.boolean(),
});
export type GoldItemScore = z.infer<typeof GoldItemScore>;

/** The option a model chose, and how it was read: by comparing the options' likelihoods, or from its answer text. */
export const ChoiceScore = z.object({
  chosen: ChoiceAnswer.nullable(),
  via: z.enum(['likelihood', 'parsed']).nullable(),
  correct: z.boolean(),
});
export type ChoiceScore = z.infer<typeof ChoiceScore>;

/** A clinician's judgement of one answer: items whose hit they overrode, or the choice's correctness, and a note. */
export const CaseReview = z.object({
  items: z.record(z.string(), z.boolean()),
  correct: z.boolean().nullable(),
  note: z.string(),
  reviewer: z.string(),
  reviewedAt: z.number().int(),
});
export type CaseReview = z.infer<typeof CaseReview>;

export const CaseResult = z.object({
  caseId: CaseId,
  /** The index of the run's target that answered. */
  target: z.number().int().min(0),
  /** `failed`: the target could not answer (its error kept); a failed case counts as a miss. */
  status: z.enum(['done', 'failed']),
  answer: z.string(),
  error: ErrorData.nullable(),
  items: z.array(GoldItemScore).nullable(),
  choice: ChoiceScore.nullable(),
  review: CaseReview.nullable(),
  ms: z.number().int().min(0),
});
export type CaseResult = z.infer<typeof CaseResult>;

/** A share with its 95 % Wilson interval. */
export const Rate = z.object({ count: z.number().int(), n: z.number().int(), rate: z.number(), low: z.number(), high: z.number() });
export type Rate = z.infer<typeof Rate>;

/** QiZhen's three criteria: at least one gold item hit; at least half; at least two thirds. Or, for choice sets, the share answered correctly. */
export const EvalScores = z.object({
  any: Rate.nullable(),
  half: Rate.nullable(),
  twoThirds: Rate.nullable(),
  correct: Rate.nullable(),
});
export type EvalScores = z.infer<typeof EvalScores>;

export const EvalTargetSummary = z.object({
  target: EvalTarget,
  label: z.string(),
  provenance: EvalProvenance.nullable(),
  done: z.number().int(),
  failed: z.number().int(),
  total: z.number().int(),
  auto: EvalScores,
  /** The same scores with every clinician's override applied (equal to auto where nobody reviewed). */
  reviewed: EvalScores,
  reviewedCases: z.number().int(),
  reviewers: z.array(z.string()),
});
export type EvalTargetSummary = z.infer<typeof EvalTargetSummary>;

/**
 * `interrupted`: the app closed (or the run was cancelled) before every case was answered; resume
 * continues with the cases not answered yet. `failed`: a target failed to load; its answered cases are kept.
 */
export const EvalRunState = z.enum(['running', 'done', 'interrupted', 'failed']);
export type EvalRunState = z.infer<typeof EvalRunState>;

export const EvalRunSummary = z.object({
  id: Id,
  name: z.string(),
  setId: Id,
  setName: z.string(),
  format: EvalSetFormat,
  state: EvalRunState,
  error: ErrorData.nullable(),
  /** The job answering it while it runs. */
  jobId: Id.nullable(),
  createdAt: z.number().int(),
  endedAt: z.number().int().nullable(),
  targets: z.array(EvalTargetSummary),
});
export type EvalRunSummary = z.infer<typeof EvalRunSummary>;

export const EvalRunDetail = EvalRunSummary.extend({
  cases: z.array(z.object({ case: EvalCase, results: z.array(CaseResult) })),
});
export type EvalRunDetail = z.infer<typeof EvalRunDetail>;

export const EvalReportFormat = z.enum(['html', 'csv', 'json']);
export type EvalReportFormat = z.infer<typeof EvalReportFormat>;

/** What the instruction-data builder writes: Alpaca's instruction/input/output, or ShareGPT's conversations. */
export const DatasetFormat = z.enum(['alpaca', 'sharegpt']);
export type DatasetFormat = z.infer<typeof DatasetFormat>;

export const DatasetFile = z.object({ fileName: z.string(), count: z.number().int(), content: z.string() });

const Reviewer = z.string().trim().min(1).max(MAX_REVIEWER_CHARS);
const Seed = z.number().int().min(0).max(2 ** 32 - 1);

export const evalMethods = {
  'eval.sets': { input: None, output: z.array(EvalSetSummary) },
  'eval.set': { input: z.object({ id: Id }).strict(), output: EvalSet },
  /** A three-criteria set generated from the knowledge base with QiZhen's templates: `sample` entries per kind, drawn with `seed`. */
  'eval.makeSet': {
    input: z.object({
      kinds: z.array(CriteriaKind).min(1).max(CRITERIA_KINDS.length),
      sample: z.number().int().min(1).max(MAX_EVAL_CASES),
      seed: Seed.default(1),
      name: z.string().trim().min(1).max(100).optional(),
      /** Only entries an instruction-data build with this split and seed held out for testing: evaluates an adapter on what it never trained on. */
      heldOutOf: z.object({ split: z.number().min(0.5).max(1), seed: Seed }).strict().optional(),
    }).strict(),
    output: EvalSetSummary,
  },
  /** A set from a file: refused whole, naming the lines and causes, when any case is malformed. */
  'eval.importSet': {
    input: z.object({ file: FileHandle, format: EvalImportFormat.default('auto'), name: z.string().trim().min(1).max(100).optional() }).strict(),
    output: EvalSetSummary,
  },
  /** The set as a JSONL file of cases, one per line. */
  'eval.exportSet': { input: z.object({ id: Id }).strict(), output: z.object({ fileName: z.string(), content: z.string() }) },
  'eval.deleteSet': { input: z.object({ id: Id }).strict(), output: Ok },
  /** Starts a run of a set against one to three targets as a job (`eval.run`); cases arrive as `eval.case` events. */
  'eval.start': {
    input: z.object({
      setId: Id,
      targets: z.array(EvalTarget).min(1).max(MAX_EVAL_TARGETS),
      name: z.string().trim().min(1).max(100).optional(),
      /** Answer several cases at once where the model allows (false: one at a time). */
      parallel: z.boolean().default(true),
    }).strict(),
    output: EvalRunSummary,
  },
  /** Continues an interrupted or failed run with the cases it has not answered; nothing is scored twice. */
  'eval.resume': { input: z.object({ id: Id, parallel: z.boolean().default(true) }).strict(), output: EvalRunSummary },
  'eval.runs': { input: None, output: z.array(EvalRunSummary) },
  'eval.run': { input: z.object({ id: Id }).strict(), output: EvalRunDetail },
  'eval.deleteRun': { input: z.object({ id: Id }).strict(), output: Ok },
  /** A clinician's judgement of one answer; the run's reviewed scores change with it, the automatic ones never. */
  'eval.review': {
    input: z.object({
      runId: Id,
      caseId: CaseId,
      target: z.number().int().min(0).max(MAX_EVAL_TARGETS - 1),
      items: z.record(GoldItem, z.boolean()).default({}),
      correct: z.boolean().nullable().default(null),
      note: z.string().max(MAX_REVIEW_NOTE_CHARS).default(''),
      reviewer: Reviewer,
    }).strict(),
    output: CaseResult,
  },
  'eval.report': {
    input: z.object({ id: Id, format: EvalReportFormat }).strict(),
    output: z.object({ fileName: z.string(), mime: z.string(), content: z.string() }),
  },
  /**
   * Instruction data from the knowledge base (QiZhen's kinds of templates, several phrasings per
   * field), with optional question–answer pairs a hospital has (de-identified) and signed records as
   * drafting examples; split so every question about one entity lands on one side.
   */
  'dataset.build': {
    input: z.object({
      format: DatasetFormat.default('alpaca'),
      split: z.number().min(0.5).max(1).default(0.9),
      seed: Seed.default(1),
      templates: FileHandle.optional(),
      qa: FileHandle.optional(),
      /** Names to remove from the question–answer pairs (one per line), beside phone and ID numbers found by pattern. */
      names: FileHandle.optional(),
      records: z.boolean().default(false),
    }).strict(),
    output: z.object({
      train: DatasetFile,
      test: DatasetFile,
      /** Examples per template (kb:<kind>:<field>), per imported pair file and for records, after deduplication. */
      counts: z.record(z.string(), z.number().int()),
      duplicatesRemoved: z.number().int(),
      redactions: z.number().int(),
    }),
  },
} as const;

export const evalEvents = {
  /** One answered (and scored) case of a run, as saved. */
  'eval.case': z.object({ runId: Id, result: CaseResult }),
  /** A run's state or scores changed (started, ended, reviewed). */
  'eval.run': z.object({ run: EvalRunSummary }),
} as const;
