import { z } from 'zod';
import { AppInfo, Id, Message, ModelFile, ModelStatus, Sampling, SearchHit, Session } from './entities.js';
import { KbAskResult, KbCsvMapping, KbEntry, KbHit, KbImportFormat, KbImportKind, KbImportReport, KbSourceDetail, KbSourceStats, KbStats } from './knowledge.js';

const SourceLabel = z.string().trim().min(1).max(100);

const None = z.object({}).strict();
const Ok = z.object({ ok: z.literal(true) });

/** The longest question a doctor may type; longer input is refused before it reaches the model. */
export const MAX_QUESTION_CHARS = 16_000;

const AdapterChoice = z.object({
  file: z.string().min(1).max(1024),
  scale: z.number().min(-4).max(4).default(1),
});

/**
 * Every method of the API: its input schema (validated at each host boundary) and its output
 * schema. Hosts, the preload and the renderer client are all built from this table.
 */
export const methods = {
  'app.info': { input: None, output: AppInfo },

  'sessions.list': { input: None, output: z.array(Session) },
  'sessions.create': { input: z.object({ title: z.string().trim().min(1).max(200).optional() }).strict(), output: Session },
  'sessions.rename': { input: z.object({ id: Id, title: z.string().trim().min(1).max(200) }).strict(), output: Session },
  'sessions.delete': { input: z.object({ id: Id }).strict(), output: Ok },
  'sessions.messages': { input: z.object({ id: Id }).strict(), output: z.array(Message) },
  'sessions.search': {
    input: z.object({ query: z.string().trim().min(1).max(200), limit: z.number().int().min(1).max(200).default(50) }).strict(),
    output: z.array(SearchHit),
  },

  'chat.send': {
    input: z.object({
      sessionId: Id,
      text: z.string().trim().min(1).max(MAX_QUESTION_CHARS),
      sampling: Sampling.partial().optional(),
    }).strict(),
    output: z.object({ userMessage: Message, assistantMessageId: Id }),
  },
  'chat.stop': { input: z.object({ sessionId: Id }).strict(), output: z.object({ stopped: z.boolean() }) },
  'chat.regenerate': {
    input: z.object({ sessionId: Id, sampling: Sampling.partial().optional() }).strict(),
    output: z.object({ assistantMessageId: Id }),
  },

  'models.list': { input: None, output: z.object({ modelsDir: z.string(), models: z.array(ModelFile), adapters: z.array(ModelFile) }) },
  'models.status': { input: None, output: ModelStatus },
  'models.load': {
    input: z.object({ model: z.string().min(1).max(1024), adapters: z.array(AdapterChoice).max(8).default([]) }).strict(),
    output: ModelStatus,
  },
  'models.unload': { input: None, output: ModelStatus },

  'kb.search': {
    input: z.object({ query: z.string().trim().min(1).max(200), limit: z.number().int().min(1).max(200).default(20) }).strict(),
    output: z.array(KbHit),
  },
  'kb.entry': { input: z.object({ id: Id }).strict(), output: KbEntry },
  'kb.stats': { input: None, output: KbStats },
  'kb.import': {
    input: z.object({
      /** A file on this workstation. */
      path: z.string().min(1).max(4096),
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
  /** `knowledge` composes the answer from the entries; `llm` has the loaded model answer from them. */
  'kb.ask': {
    input: z.object({ question: z.string().trim().min(1).max(MAX_QUESTION_CHARS), mode: z.enum(['knowledge', 'llm']).default('knowledge') }).strict(),
    output: KbAskResult,
  },
} as const;

export type MethodName = keyof typeof methods;
export type MethodInput<M extends MethodName> = z.input<(typeof methods)[M]['input']>;
/** The input after validation (defaults applied): what the core receives. */
export type MethodParams<M extends MethodName> = z.output<(typeof methods)[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<(typeof methods)[M]['output']>;

export const methodNames = Object.keys(methods) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}
