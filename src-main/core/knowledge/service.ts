import fs from 'node:fs';
import path from 'node:path';
import { KB_FIELD_LABELS, XinglinError, type KbAskResult, type KbEntry, type KbHit, type KbImportProgress, type KbImportReport, type KbStats, type MethodParams } from '../../contract/index.js';
import { ftsQuery, makeSnippet, openDatabase, queryPieces, type Db } from '../store/index.js';
import { askResult, composeAnswer } from './answer.js';
import { findUnsupported, groundedPrompt, type GroundedPrompt } from './grounded.js';
import { importFile } from './importer.js';
import { flatten, KbStore } from './kb-store.js';
import { NameIndex, type NameHit } from './name-index.js';
import { drugKey, lookupForm, normalizeName, stripDosageForm } from './names.js';
import { recognize, type Retrieval } from './recognize.js';
import { linkedName } from './record.js';
import { knowledgeMigrations } from './schema.js';
import { defaultStarterDir, loadStarter, readStarter } from './starter.js';
import { checkSupport, SUPPORT_LABELS } from './support.js';
import { readSynonyms, type Synonym } from './synonyms.js';

/** The synonym table, beside the starter set's files. */
const SYNONYMS_FILE = 'synonyms.tsv';

export interface KnowledgeOptions {
  /** `<dataDir>/knowledge.db`. */
  file: string;
  /** The starter set's folder (`*.jsonl`); defaults to the one shipped with the app. */
  starterDir?: string;
  /**
   * An administrator's choice: a model answer that cites nothing from the base is refused
   * (replaced by what the base records) instead of shown with a warning.
   */
  refuseUngrounded?: boolean;
}

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

/**
 * The knowledge base: knowledge.db on disk, the name index in memory. Reads (search, entries,
 * retrieval) run on this connection; imports on their own (see importer.ts), after which the index
 * is rebuilt.
 */
export class KnowledgeService {
  #index: NameIndex;
  #importing = false;

  private constructor(
    private readonly db: Db,
    private readonly kb: KbStore,
    private readonly file: string,
    private readonly refuseUngrounded: boolean,
    private readonly synonyms: readonly Synonym[],
  ) {
    this.#index = this.#buildIndex();
  }

  #buildIndex(): NameIndex {
    return NameIndex.build(this.kb.indexNames(), this.kb.indexFacts(), this.kb.factValues(), this.synonyms);
  }

  /** Opens (creating and migrating) knowledge.db and imports the starter set when it is new or changed. */
  static open(options: KnowledgeOptions): KnowledgeService {
    const db = openDatabase(options.file, { migrations: knowledgeMigrations });
    const kb = new KbStore(db);
    const starterDir = options.starterDir ?? defaultStarterDir();
    // A broken starter file must not keep the app from opening: the previous starter set stays,
    // and a broken synonym table leaves names as they are.
    const logged = (event: string) => (cause: unknown) => console.error(JSON.stringify({ level: 'error', component: 'knowledge', event, error: String((cause as Error)?.message ?? cause) }));
    try {
      const set = readStarter(starterDir);
      db.transaction(() => loadStarter(kb, set)).immediate();
    } catch (cause) {
      logged('starter.load.failed')(cause);
    }
    let synonyms: Synonym[] = [];
    const table = path.join(starterDir, SYNONYMS_FILE);
    try {
      if (fs.existsSync(table)) synonyms = readSynonyms(table);
    } catch (cause) {
      logged('synonyms.load.failed')(cause);
    }
    return new KnowledgeService(db, kb, options.file, options.refuseUngrounded ?? false, synonyms);
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

  stats(): KbStats {
    const byType = this.kb.countByType();
    return { entries: byType.drug + byType.disease, byType, sources: this.kb.sourceStats() };
  }

  /** One import at a time; the index is rebuilt after a committed one. */
  async import(params: MethodParams<'kb.import'>, onProgress?: (progress: KbImportProgress) => void): Promise<KbImportReport> {
    if (this.#importing) throw new XinglinError('BUSY', '另一个知识库导入正在进行，请等待它完成');
    this.#importing = true;
    try {
      const report = await importFile(this.file, { file: params.path, format: params.format, mapping: params.mapping, dryRun: params.dryRun, source: params.source, kind: params.kind, onProgress });
      if (report.committed) this.#index = this.#buildIndex();
      return report;
    } finally {
      this.#importing = false;
    }
  }

  /** The entries a question names, with their facts, and what it asks about them. */
  retrieve(question: string): Retrieval {
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
   * The grounded answer with whatever else the model call returned (a streamed answer's status and
   * timings). `reply` is null when the model was not asked: the question names genuinely different
   * entries (the doctor chooses first), or the base records nothing on it and the administrator
   * refuses ungrounded answers. The answer is checked statement by statement against its sources.
   */
  async groundedAnswer<R extends ModelReply>(
    question: string,
    generate: (request: { system: string; prompt: string }) => Promise<R>,
    fits?: (system: string) => boolean,
  ): Promise<{ result: KbAskResult; reply: R | null }> {
    const retrieval = this.retrieve(question);
    const mustChoose = retrieval.entries.length === 0 && retrieval.choices.some((c) => c.reason === 'ambiguous');
    const prompt = this.groundedPrompt(question, retrieval, fits);
    if (mustChoose || (this.refuseUngrounded && prompt.citations.length === 0)) return { result: composeAnswer(retrieval), reply: null };
    const reply = await generate({ system: prompt.system, prompt: question });
    const check = checkSupport(reply.text, prompt.sources);
    const truncated = reply.stopReason === 'maxTokens';
    const unsupported = this.findUnsupported(reply.text, retrieval, question);
    if (this.refuseUngrounded && check.support === 'model-only') {
      const known = composeAnswer(retrieval);
      const text = [`模型的回答没有引用知识库（${SUPPORT_LABELS['model-only']}），按管理员设置不予显示。以下为知识库的记载：`, known.answer].join('\n');
      return { result: { ...known, answer: text }, reply: { ...reply, text } };
    }
    return { result: askResult(retrieval, { mode: 'llm', text: reply.text, citations: prompt.citations, check, truncated, unsupported }), reply };
  }

  groundedPrompt(question: string, retrieval: Retrieval, fits?: (system: string) => boolean): GroundedPrompt {
    return groundedPrompt(question, retrieval, fits);
  }

  findUnsupported(answer: string, retrieval: Retrieval, question: string): string[] {
    return findUnsupported(this.#index, answer, retrieval, question);
  }
}
