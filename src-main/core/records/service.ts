/**
 * How a record travels: dialogue → findings → a draft from the findings, saved at once → (with a
 * model) the model's draft streamed in as a job → checks against the knowledge base whenever it is
 * read → the doctor's versions → signature (locked; addenda after) → export. Every step writes its
 * line in the audit trail.
 */
import { createHash } from 'node:crypto';
import { XinglinError, type MedicalRecord, type MethodOutput, type MethodParams, type RecordKind, type RecordProvenance, type RecordSection, type RecordTemplate, type Sampling, type TemplateSection } from '../../contract/index.js';
import { defaultSampling } from '../config.js';
import type { EventBus } from '../event-bus.js';
import type { Jobs } from '../jobs.js';
import type { KnowledgeService } from '../knowledge/index.js';
import type { LlmService } from '../llm/index.js';
import type { Logger } from '../log.js';
import { checkRecord } from './checks/index.js';
import { parseDialogue } from './dialogue.js';
import { diffSections } from './diff.js';
import { draftFromFindings } from './draft/from-findings.js';
import { reviseSections } from './draft/sentences.js';
import { loadTemplates, templateById } from './draft/templates.js';
import { linkEvidence } from './evidence.js';
import { exportRecord } from './export/index.js';
import { extractFindings, type Vocabulary } from './findings/index.js';
import { drugFacts } from './model-draft/drug-facts.js';
import { runModelDraft } from './model-draft/run.js';
import { RecordStore, SYSTEM_ACTOR, type StoredRecord } from './store.js';

/** A model draft writes more than an answer: every section of the record. */
const DRAFT_MAX_TOKENS = 2048;

export class RecordService {
  readonly #templates: RecordTemplate[];
  readonly #drafts = new Map<string, AbortController>();

  constructor(
    private readonly store: RecordStore,
    private readonly vocabulary: Vocabulary,
    private readonly deps: { knowledge: KnowledgeService; llm: LlmService; jobs: Jobs; bus: EventBus; log: Logger; appVersion: string; sampling: Partial<Sampling> | undefined },
  ) {
    this.#templates = loadTemplates();
  }

  extract(dialogue: string): MethodOutput<'records.extract'> {
    const turns = parseDialogue(dialogue);
    return { turns, findings: extractFindings(turns, this.vocabulary), extractionVersion: this.vocabulary.version };
  }

  templates(): RecordTemplate[] {
    return this.#templates;
  }

  /** Saves the findings draft at once; with `useModel`, the model's draft follows as a job. */
  draft(params: MethodParams<'records.draft'>): MethodOutput<'records.draft'> {
    const started = performance.now();
    const template = templateById(params.templateId, this.#templates);
    const turns = parseDialogue(params.dialogue);
    if (params.useModel) {
      // Refused before anything is saved: no model, or no room in the queue.
      this.deps.llm.runtime.assertReady();
      this.deps.llm.queue.assertRoom();
    }
    const findings = extractFindings(turns, this.vocabulary);
    const sections = draftFromFindings({ kind: params.kind, template, turns, findings });
    const id = this.store.create({
      kind: params.kind,
      templateId: template.id,
      department: template.department,
      sessionId: params.sessionId ?? null,
      dialogue: turns,
      findings,
      sections,
      provenance: this.#provenance('findings', template),
      author: params.author,
      state: params.useModel ? 'drafting' : 'draft',
    });
    const jobId = params.useModel ? this.#startModelDraft(id, params.author, { ...defaultSampling, ...this.deps.sampling, maxTokens: DRAFT_MAX_TOKENS, ...params.sampling }) : null;
    const record = this.get(id);
    this.deps.log.info({ event: 'record.drafted', mode: 'findings', ms: Math.round(performance.now() - started), turns: turns.length, findings: findings.length, unsupported: record.unsupported, warnings: record.warnings.length });
    return { record, jobId };
  }

  list(limit: number): MethodOutput<'records.list'> {
    return this.store.list(limit);
  }

  get(id: string): MedicalRecord {
    return this.#checked(this.store.get(id));
  }

  /** The doctor's text of each section becomes a version; unchanged sentences keep their evidence. */
  save(params: MethodParams<'records.save'>): MedicalRecord {
    const current = this.store.get(params.id);
    const sections = reviseSections(current.sections, params.sections, this.#sectionsOf(current.templateId, current.kind));
    this.store.save(params.id, params.baseVersion, params.author, sections);
    return this.get(params.id);
  }

  sign(params: MethodParams<'records.sign'>): MedicalRecord {
    this.store.sign(params.id, params.version, params.signer);
    return this.get(params.id);
  }

  addendum(params: MethodParams<'records.addendum'>): MedicalRecord {
    this.store.addAddendum(params.id, params.author, params.text);
    return this.get(params.id);
  }

  versions(id: string): MethodOutput<'records.versions'> {
    return this.store.versions(id);
  }

  /** By default from the last draft (the model's, or the findings draft) to the latest version. */
  diff(params: MethodParams<'records.diff'>): MethodOutput<'records.diff'> {
    const versions = this.store.versions(params.id);
    const latest = versions.at(-1)!;
    const from = params.from ?? versions.findLast((v) => v.action === 'draft')?.version ?? 1;
    const to = params.to ?? latest.version;
    const find = (version: number) => {
      const found = versions.find((v) => v.version === version);
      if (!found) throw new XinglinError('NOT_FOUND', `病历没有第 ${version} 版（最新为第 ${latest.version} 版）`, { version });
      return found;
    };
    return { from, to, sections: diffSections(find(from).sections, find(to).sections) };
  }

  audit(id: string): MethodOutput<'records.audit'> {
    return this.store.audit(id);
  }

  export(params: MethodParams<'records.export'>): MethodOutput<'records.export'> {
    const record = this.get(params.id);
    const loinc = new Map(this.#sectionsOf(record.templateId, record.kind).map((s) => [s.key, s.loinc]));
    const exported = exportRecord(record, params.format, { appVersion: this.deps.appVersion, loincOf: (key) => loinc.get(key) });
    this.store.appendAudit(params.id, { actor: params.actor ?? SYSTEM_ACTOR, action: 'export', version: record.version, details: { format: params.format } });
    return exported;
  }

  /** Stops every model draft (app exit): each keeps its findings draft. */
  async halt(): Promise<void> {
    for (const abort of this.#drafts.values()) abort.abort();
  }

  #checked(stored: StoredRecord): MedicalRecord {
    const warnings = checkRecord({ kind: stored.kind, sections: stored.sections, findings: stored.findings, turns: stored.dialogue }, this.deps.knowledge);
    const unsupported = stored.sections.reduce((n, section) => n + section.sentences.filter((s) => s.origin === 'draft' && s.evidence.length === 0).length, 0);
    return { ...stored, warnings, unsupported };
  }

  #sectionsOf(templateId: string, kind: RecordKind): TemplateSection[] {
    return templateById(templateId, this.#templates).sections[kind];
  }

  #provenance(mode: 'findings', template: RecordTemplate): RecordProvenance {
    return { mode, appVersion: this.deps.appVersion, adapters: [], knowledgeVersion: this.#knowledgeVersion(), extractionVersion: this.vocabulary.version, template: template.id };
  }

  /** One digest over the knowledge base's sources and their versions: which base checked a draft. */
  #knowledgeVersion(): string {
    const sources = this.deps.knowledge.stats().sources.map((s) => `${s.label}\u0000${s.version}`).sort();
    return createHash('sha256').update(sources.join('\n')).digest('hex').slice(0, 16);
  }

  #startModelDraft(id: string, author: string, sampling: Sampling): string {
    const { llm, jobs, bus, knowledge, log } = this.deps;
    const record = this.store.get(id);
    const template = templateById(record.templateId, this.#templates);
    const sections = template.sections[record.kind];
    const abort = new AbortController();
    this.#drafts.set(id, abort);
    const started = performance.now();
    const toSection = (key: string, sentences: readonly string[]): RecordSection => {
      const { title, required } = sections.find((s) => s.key === key)!;
      return { key, title, required, sentences: sentences.map((text) => ({ text, evidence: linkEvidence(text, record.findings, record.dialogue, this.vocabulary), origin: 'draft' as const })) };
    };
    const job = jobs.start('records.draft', record.title || '病历草稿', ({ signal, report }) => {
      report({ phase: 'queue', progress: 0 });
      return llm.queue.run(
        'records.draft',
        null,
        async (granted) => {
          const streamed = new Map<string, RecordSection>();
          report({ phase: 'sections', progress: 0, done: 0, total: sections.length });
          // The loaded model as it was loaded, taken when granted (a load may have come between).
          const provider = await llm.provider(null);
          const { sections: written, result } = await runModelDraft(provider, {
            kind: record.kind,
            sections,
            turns: record.dialogue,
            findings: record.findings,
            facts: drugFacts(knowledge, record.findings),
            sampling,
            signal: granted,
            onSection: (key, sentences, index) => {
              const section = toSection(key, sentences);
              streamed.set(key, section);
              this.store.saveDraftingSections(id, [...streamed.values()]);
              bus.emit('records.section', { recordId: id, section });
              report({ phase: 'sections', progress: (index + 1) / sections.length, done: index + 1, total: sections.length });
            },
          });
          const { model, adapters } = provider.provenance();
          this.store.finishModelDraft(id, {
            sections: sections.map(({ key }) => toSection(key, written.get(key) ?? [])),
            provenance: { ...this.#provenance('findings', template), mode: 'llm', model, adapters, sampling },
            author,
          });
          log.info({ event: 'record.drafted', mode: 'llm', ms: Math.round(performance.now() - started), turns: record.dialogue.length, findings: record.findings.length, tokens: result.timings.generatedTokens });
        },
        { signal },
      );
    }, { signal: abort.signal });
    job.result
      .catch((cause: unknown) => {
        const error = cause instanceof XinglinError ? cause : new XinglinError('GENERATION_FAILED', `模型起草失败：${String(cause)}`);
        this.store.failModelDraft(id, { code: error.code, message: error.message });
      })
      .finally(() => {
        this.#drafts.delete(id);
        bus.emit('records.drafted', { record: this.get(id) });
      });
    return job.id;
  }
}
