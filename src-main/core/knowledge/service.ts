import fs from 'node:fs';
import path from 'node:path';
import { KB_FIELD_LABELS, XinglinError, type KbAskResult, type KbEntry, type KbEntryRef, type KbHit, type KbImportReport, type KbSource, type KbSourceDetail, type KbSourceStats, type KbStats, type MethodParams } from '../../contract/index.js';
import { ftsQuery, makeSnippet, openDatabase, queryPieces, slowQueryTimer, type DatabaseKey, type Db } from '../db/index.js';
import { askResult, composeAnswer } from './ask/answer.js';
import { findUnsupported, GROUNDING_RULES, groundedPrompt, type GroundedPrompt, type SourcesFit } from './ask/grounded-prompt.js';
import { importFile, type ImportProgress } from './import/importer.js';
import { flatten, KbStore } from './kb-store.js';
import { NameIndex, type NameHit } from './ask/name-index.js';
import { drugKey, lookupForm, normalizeName, stripDosageForm } from './names.js';
import { recognize, type Retrieval } from './ask/recognize.js';
import { linkedName } from './entry-schema.js';
import { knowledgeMigrations } from './migrations/index.js';
import { loadStarter, readStarter } from './import/starter.js';
import { silentLog, type Logger } from '../log.js';
import { checkSupport, SUPPORT_LABELS } from './ask/support.js';
import { readSynonyms, type Synonym } from './synonyms.js';

/** The synonym table, beside the starter set's files. */
const SYNONYMS_FILE = 'synonyms.tsv';

export interface KnowledgeOptions {
  /** `<dataDir>/knowledge.db`. */
  file: string;
  /** The data folder's key when it is encrypted. */
  key?: DatabaseKey | undefined;
  /** The starter set's folder (`*.jsonl` and the synonym table), as the host found it (config). */
  starterDir: string;
  log?: Logger;
  /** Reads slower than this are logged (default 50 ms). */
  slowQueryMs?: number;
  /**
   * An administrator's choice: a model answer that cites nothing from the base is refused
   * (replaced by what the base records) instead of shown with a warning.
   */
  refuseUngrounded?: boolean;
}

/** An import as the service runs it: the contract's options, with the file the handle stood for and the name shown for it. */
export type ImportRequest = Omit<MethodParams<'kb.import'>, 'file'> & { path: string; name?: string | undefined };

/** Entries one question can bring into an answer by name; more is a list, not an answer. */
const MAX_ENTRIES_PER_QUESTION = 5;
/** Members of one class read for a question (头孢 → the cephalosporins). */
const MAX_CLASS_MEMBERS = 30;
const LINKED_FIELDS = new Set(['drugs', 'otherDrugs', 'differentials', 'interactions']);

/** What a model call returns: its text, and why it stopped ('maxTokens' when cut off). */
export interface ModelReply {
  text: string;
  stopReason?: string;
}

/** The model's part of a grounded answer, prepared: what it is told, or that it is not asked at all. */
export interface GroundedPlan {
  retrieval: Retrieval;
  prompt: GroundedPrompt;
  /**
   * Not for the model: the question names genuinely different entries (the doctor chooses first),
   * or the base records nothing on it and the administrator refuses ungrounded answers.
   */
  composeInstead: KbAskResult | null;
}

/**
 * The knowledge base: knowledge.db on disk, the name index in memory. Reads (search, entries,
 * retrieval) run on this connection; imports on their own (see importer.ts), after which the index
 * is rebuilt.
 */
export class KnowledgeService {
  #index: NameIndex;
  /** sameAs answers by lookup form, until the next import changes the names (scoring asks the same gold items again and again). */
  #sameAs = new Map<string, string[]>();
  #importing = false;
  readonly #key: DatabaseKey | undefined;
  readonly #timed: <T>(op: string, fn: () => T) => T;

  private constructor(
    private readonly db: Db,
    private readonly kb: KbStore,
    private readonly file: string,
    private readonly refuseUngrounded: boolean,
    private readonly synonyms: readonly Synonym[],
    options: KnowledgeOptions,
  ) {
    this.#key = options.key;
    this.#index = this.#buildIndex();
    this.#timed = slowQueryTimer({ db: 'knowledge', log: options.log ?? silentLog, ...(options.slowQueryMs === undefined ? {} : { thresholdMs: options.slowQueryMs }) });
  }

  #buildIndex(): NameIndex {
    return NameIndex.build(this.kb.indexNames(), this.kb.indexFacts(), this.kb.factValues(), this.synonyms);
  }

  /** Opens (creating and migrating) knowledge.db and imports the starter set when it is new or changed. */
  static open(options: KnowledgeOptions): KnowledgeService {
    const db = openDatabase(options.file, { migrations: knowledgeMigrations, key: options.key });
    const kb = new KbStore(db);
    const { starterDir } = options;
    const log = options.log ?? silentLog;
    // A broken starter file must not keep the app from opening: the previous starter set stays,
    // and a broken synonym table leaves names as they are.
    const details = (cause: unknown) => (cause instanceof XinglinError ? cause.details : undefined);
    try {
      const set = readStarter(starterDir);
      db.transaction(() => loadStarter(kb, set)).immediate();
    } catch (cause) {
      const d = details(cause);
      log.error({ event: 'kb.starter.failed', code: cause instanceof XinglinError ? cause.code : null, file: typeof d?.file === 'string' ? path.basename(d.file) : null, line: typeof d?.line === 'number' ? d.line : null });
    }
    let synonyms: Synonym[] = [];
    const table = path.join(starterDir, SYNONYMS_FILE);
    try {
      if (fs.existsSync(table)) synonyms = readSynonyms(table);
    } catch (cause) {
      const d = details(cause);
      log.error({ event: 'kb.synonyms.failed', code: cause instanceof XinglinError ? cause.code : null, line: typeof d?.line === 'number' ? d.line : null });
    }
    return new KnowledgeService(db, kb, options.file, options.refuseUngrounded ?? false, synonyms, options);
  }

  close(): void {
    if (!this.db.open) return;
    try {
      this.db.pragma('optimize');
    } finally {
      this.db.close();
    }
  }

  /** Names first (exact, alias, brand, generic name, one character off), then full text over every fact. */
  search(query: string, limit: number = 20): KbHit[] {
    return this.#timed('kb.search', () => this.#search(query, limit));
  }

  #search(query: string, limit: number): KbHit[] {
    const hits = new Map<string, KbHit>();
    const add = (found: NameHit[], matchedBy: KbHit['matchedBy']): void => {
      for (const hit of found) {
        const ref = this.#index.entries.get(hit.id);
        if (ref && !hits.has(hit.id)) hits.set(hit.id, { ...ref, matchedBy: matchedBy === 'name' ? hit.kind : matchedBy });
      }
    };
    const norm = lookupForm(query);
    add(this.#index.lookup(norm), 'name');
    add(this.#index.lookup(lookupForm(drugKey(query))).filter((h) => this.#index.entries.get(h.id)?.type === 'drug'), 'name');
    // Search may show near names (marked as such); an answer never does.
    if (hits.size === 0) add([...this.#index.near(norm), ...this.#index.near(lookupForm(stripDosageForm(query)))], 'fuzzy');

    const pieces = queryPieces(query);
    const match = ftsQuery(pieces);
    if (match !== null && hits.size < limit) {
      for (const entity of this.kb.search(match, limit)) {
        if (hits.has(entity.id)) continue;
        const names = this.kb.namesOf(entity.id);
        const named = names.find((n) => normalizeName(n.name).includes(norm));
        if (named || normalizeName(entity.name).includes(norm)) {
          hits.set(entity.id, { id: entity.id, type: entity.type, name: entity.name, matchedBy: named?.kind ?? 'name' });
          continue;
        }
        const texts = this.kb.facts(entity.id).flatMap((f) => flatten(f.value).map((t) => `${KB_FIELD_LABELS[f.field]}：${t}`));
        const text = texts.find((t) => pieces.every((p) => normalizeName(t).includes(p.kind === 'cjk' ? p.chars.join('') : p.norm))) ?? texts[0] ?? '';
        hits.set(entity.id, { id: entity.id, type: entity.type, name: entity.name, matchedBy: 'text', snippet: makeSnippet(text, pieces) });
      }
    }
    return [...hits.values()].slice(0, limit);
  }

  entry(id: string): KbEntry {
    return this.#timed('kb.entry', () => this.#entry(id));
  }

  #entry(id: string): KbEntry {
    const entity = this.kb.entityById(id);
    if (!entity) throw new XinglinError('NOT_FOUND', `知识库中没有这个条目（id：${id}），它可能已随知识库更新而移除`, { entity: 'kb.entry', id });
    const facts = this.kb.facts(id);
    const links: Record<string, string> = {};
    for (const fact of facts) {
      if (!LINKED_FIELDS.has(fact.field)) continue;
      for (const name of Array.isArray(fact.value) ? fact.value.map((v) => (typeof v === 'string' ? v : v.with)) : []) {
        const target = this.#index.lookup(normalizeName(linkedName(name)))[0] ?? this.#index.lookup(drugKey(linkedName(name)))[0];
        if (target && target.id !== id) links[name] = target.id;
      }
    }
    return { id, type: entity.type, name: entity.name, names: this.kb.namesOf(id), facts, links };
  }

  /** Every entry of the base: what evaluation sets and instruction data are made from. */
  entries(): KbEntryRef[] {
    return [...this.#index.entries.values()];
  }

  /**
   * Names that mean what `term` means, `term` first: the synonym table's pairings (either way) and,
   * where `term` names entries exactly, their names and aliases. An answer naming any of them names it.
   */
  sameAs(term: string): string[] {
    const form = lookupForm(term);
    const known = this.#sameAs.get(form);
    if (known) return known;
    const names = new Map<string, string>([[form, term]]);
    const add = (name: string) => {
      if (!names.has(lookupForm(name))) names.set(lookupForm(name), name);
    };
    for (const { term: synonym, preferred } of this.synonyms) {
      if (lookupForm(synonym) === form) add(preferred);
      else if (lookupForm(preferred) === form) add(synonym);
    }
    for (const hit of this.#index.lookup(form)) for (const { name, kind } of this.kb.namesOf(hit.id)) if (kind !== 'brand') add(name);
    const same = [...names.values()];
    this.#sameAs.set(form, same);
    return same;
  }

  /** Which base answered: every source's label and version. */
  version(): string {
    return this.kb.sourceStats().map((source) => `${source.label}@${source.version}`).join('；');
  }

  stats(): KbStats {
    return this.#timed('kb.stats', () => {
      const byType = this.kb.countByType();
      return { entries: byType.drug + byType.disease, byType, sources: this.kb.sourceStats() };
    });
  }

  /** One import at a time; the index is rebuilt after a committed one. */
  async import(params: ImportRequest, options: { onProgress?: (progress: ImportProgress) => void; signal?: AbortSignal } = {}): Promise<KbImportReport> {
    if (this.#importing) throw new XinglinError('BUSY', '另一个知识库导入正在进行，请等待它完成');
    this.#importing = true;
    try {
      const report = await importFile(this.file, { key: this.#key, file: params.path, name: params.name, format: params.format, mapping: params.mapping, dryRun: params.dryRun, source: params.source, kind: params.kind, onProgress: options.onProgress, signal: options.signal });
      if (report.committed) this.#rebuildIndex();
      return report;
    } finally {
      this.#importing = false;
    }
  }

  source(label: string, limit: number): KbSourceDetail {
    const source = this.kb.sourceStats().find((s) => s.label === label);
    if (!source) throw new XinglinError('NOT_FOUND', `知识库中没有来源“${label}”`, { source: label });
    const ids = this.kb.entityIdsOfSource(this.kb.source(label)!.id);
    const entries = ids.slice(0, limit).flatMap((id) => {
      const e = this.kb.entityById(id);
      return e ? [{ id: e.id, type: e.type, name: e.name }] : [];
    });
    return { source, entries, more: Math.max(0, ids.length - limit) };
  }

  /** Removes an imported source in one transaction; the starter set is the app's and stays. */
  removeSource(label: string): { label: string; entriesRemoved: number } {
    const source = this.#importedSource(label, '删除');
    const before = this.kb.countByType();
    this.#changeSources(() => {
      const ids = this.kb.entityIdsOfSource(source.id);
      this.kb.deleteSource(source.id);
      return { touched: ids, created: new Set<string>() };
    });
    const after = this.kb.countByType();
    return { label, entriesRemoved: before.drug + before.disease - after.drug - after.disease };
  }

  /** Puts an imported source back to the version its last re-import replaced, in one transaction. */
  rollbackSource(label: string): KbSourceStats {
    const source = this.#importedSource(label, '回滚');
    if (!source.previous) throw new XinglinError('INVALID_INPUT', `来源“${label}”没有可回滚的上一版本（只有重新导入过内容有变化的文件后才有）`, { source: label });
    this.#changeSources(() => this.kb.restorePrevious(source.id));
    return this.kb.sourceStats().find((s) => s.label === label)!;
  }

  #importedSource(label: string, action: string): KbSource & { id: number } {
    const source = this.kb.source(label);
    if (!source) throw new XinglinError('NOT_FOUND', `知识库中没有来源“${label}”`, { source: label });
    if (source.kind === 'starter') throw new XinglinError('INVALID_INPUT', `入门知识库随应用提供，不能${action}；可以导入本院的来源，它的事实排在入门知识库之前`, { source: label });
    if (this.#importing) throw new XinglinError('BUSY', '知识库导入正在进行，请等待它完成后再试');
    return source;
  }

  /** A change to sources, all or nothing: the touched entries reindexed, then the name index rebuilt. */
  #changeSources(change: () => { touched: string[]; created: Set<string> }): void {
    this.db.transaction(() => {
      const { touched, created } = change();
      for (const id of touched) this.kb.reindex(id, created.has(id));
    }).immediate();
    this.#rebuildIndex();
  }

  /** After names changed: the index read again, and what was looked up in the old one forgotten. */
  #rebuildIndex(): void {
    this.#index = this.#buildIndex();
    this.#sameAs = new Map();
  }

  /** The entries a question names, with their facts, and what it asks about them. */
  retrieve(question: string): Retrieval {
    return this.#timed('kb.retrieve', () => this.#retrieve(question));
  }

  #retrieve(question: string): Retrieval {
    const recognition = recognize(this.#index, question);
    const byClass = new Set(recognition.classes.flatMap((c) => c.ids));
    const named = recognition.entities.filter((e) => !byClass.has(e.id)).slice(0, MAX_ENTRIES_PER_QUESTION);
    const members = recognition.entities.filter((e) => byClass.has(e.id)).slice(0, MAX_CLASS_MEMBERS);
    const kept = new Set([...named, ...members].map((e) => e.id));
    return {
      ...recognition,
      entities: recognition.entities.filter((e) => kept.has(e.id)),
      classes: recognition.classes.map((c) => ({ ...c, ids: c.ids.filter((id) => kept.has(id)) })),
      entries: [...named, ...members].map((e) => this.entry(e.id)),
    };
  }

  /** Knowledge mode: composed from the entries, every statement cited. */
  ask(question: string): KbAskResult {
    return composeAnswer(this.retrieve(question));
  }

  /**
   * Grounded LLM mode, step one: the entries the question names and the numbered sources the model
   * answers from (`budget(system)` says whether a sources text, with that system text, still leaves
   * the question and its answer room).
   */
  async planGrounded(question: string, budget?: (system: string) => SourcesFit): Promise<GroundedPlan> {
    const retrieval = this.retrieve(question);
    const mustChoose = retrieval.entries.length === 0 && retrieval.choices.some((c) => c.reason === 'ambiguous');
    const prompt = await groundedPrompt(retrieval, budget?.(GROUNDING_RULES));
    const composeInstead = mustChoose || (this.refuseUngrounded && prompt.citations.length === 0) ? composeAnswer(retrieval) : null;
    return { retrieval, prompt, composeInstead };
  }

  /**
   * Step two, after the model answered: the answer checked statement by statement against its
   * sources, names it adds on its own flagged, and the administrator's policy applied (an answer
   * citing nothing is replaced by what the base records). `text` is what is shown and saved.
   */
  reviewGrounded(plan: GroundedPlan, question: string, reply: ModelReply): KbAskResult {
    const { retrieval, prompt } = plan;
    const check = checkSupport(reply.text, prompt.facts);
    if (this.refuseUngrounded && check.support === 'model-only') {
      const known = composeAnswer(retrieval);
      return { ...known, answer: [`模型的回答没有引用知识库（${SUPPORT_LABELS['model-only']}），按管理员设置不予显示。以下为知识库的记载：`, known.answer].join('\n') };
    }
    const unsupported = this.findUnsupported(reply.text, retrieval, question);
    return askResult(retrieval, { mode: 'llm', text: reply.text, citations: prompt.citations, check, truncated: reply.stopReason === 'maxTokens', unsupported });
  }

  groundedPrompt(retrieval: Retrieval, fits?: SourcesFit): Promise<GroundedPrompt> {
    return groundedPrompt(retrieval, fits);
  }

  findUnsupported(answer: string, retrieval: Retrieval, question: string): string[] {
    return findUnsupported(this.#index, answer, retrieval, question);
  }
}
