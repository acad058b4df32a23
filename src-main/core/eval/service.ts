import { randomUUID } from 'node:crypto';
import { XinglinError, type CaseResult, type EvalRunDetail, type EvalRunSummary, type EvalSet, type EvalSetSummary, type EvalTarget, type MethodOutput, type MethodParams } from '../../contract/index.js';
import type { EventBus } from '../event-bus.js';
import type { Jobs } from '../jobs.js';
import type { KnowledgeService } from '../knowledge/index.js';
import type { LlmService } from '../llm/index.js';
import type { EvalStore, StoredRun, StoredTarget } from './eval-store.js';
import { evalReport } from './report/index.js';
import { answerRun } from './runner.js';
import { summarize } from './scoring/summary.js';
import { makeCriteriaSet } from './sets/make.js';
import { readSetFile } from './sets/read-file.js';

const KNOWLEDGE_LABEL = '知识库模式';

function dateLabel(at: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * Evaluation: sets (made from the knowledge base or imported), runs of a set against one to three
 * targets as jobs that survive a closed app (resume answers what is left), clinician reviews, and
 * reports. Scores are computed from the saved results whenever asked, so a review changes the
 * reviewed scores at once and the automatic ones never.
 */
export class EvalService {
  /** Runs answering now: run id → their job and its end. */
  readonly #active = new Map<string, { jobId: string; done: Promise<unknown> }>();

  constructor(
    private readonly store: EvalStore,
    private readonly deps: { knowledge: KnowledgeService; llm: LlmService; jobs: Jobs; bus: EventBus; appVersion: string },
  ) {}

  sets(): EvalSetSummary[] {
    return this.store.listSets();
  }

  set(id: string): EvalSet {
    return this.store.getSet(id);
  }

  makeSet(params: MethodParams<'eval.makeSet'>): EvalSetSummary {
    const { kinds, sample, seed, heldOutOf } = params;
    const { cases, drawn } = makeCriteriaSet(this.deps.knowledge, [...new Set(kinds)], sample, seed, heldOutOf);
    if (cases.length === 0) throw new XinglinError('INVALID_INPUT', `知识库中没有可出题的条目（题型：${kinds.join('、')}）`, { field: 'kinds' });
    const counts = Object.entries(drawn).map(([kind, d]) => `${kind} ${d.asked}/${d.available}`).join('，');
    const heldOut = heldOutOf ? `；只用指令数据（训练比例 ${heldOutOf.split}，种子 ${heldOutOf.seed}）留作测试的条目` : '';
    const detail = `从知识库生成：${counts}；每类抽 ${sample} 个，种子 ${seed}${heldOut}；知识库 ${this.deps.knowledge.version()}`;
    return this.store.insertSet({ id: randomUUID(), name: params.name ?? `知识库三标准评测（${dateLabel(Date.now())}）`, format: 'criteria', origin: 'made', detail, cases });
  }

  importSet(file: { path: string; name: string }, params: Omit<MethodParams<'eval.importSet'>, 'file'>): EvalSetSummary {
    const { format, cases } = readSetFile(file.path, params.format, file.name);
    return this.store.insertSet({ id: randomUUID(), name: params.name ?? file.name.replace(/\.(jsonl|json|csv)$/iu, ''), format, origin: 'imported', detail: `导入自 ${file.name}（${params.format === 'auto' ? '自动识别格式' : params.format}）`, cases });
  }

  exportSet(id: string): MethodOutput<'eval.exportSet'> {
    const set = this.store.getSet(id);
    return { fileName: `${safeFileName(set.name)}.jsonl`, content: set.cases.map((c) => JSON.stringify(c)).join('\n') + '\n' };
  }

  deleteSet(id: string): void {
    this.store.deleteSet(id);
  }

  start(params: MethodParams<'eval.start'>): EvalRunSummary {
    const set = this.store.getSet(params.setId);
    const targets = params.targets.map((target) => this.#target(target, set));
    const keys = params.targets.map((t) => JSON.stringify(t));
    if (new Set(keys).size !== keys.length) throw new XinglinError('INVALID_INPUT', '同一个评测对象选了两次，请去掉重复的', { field: 'targets' });
    const id = randomUUID();
    const name = params.name ?? `${set.name} · ${targets.map((t) => t.label).join(' / ')}`;
    const run = this.store.insertRun({ id, name, setId: set.id, targets });
    this.#launch(run, set, params.parallel);
    return this.summary(id);
  }

  resume(params: MethodParams<'eval.resume'>): EvalRunSummary {
    const run = this.store.getRun(params.id);
    if (this.#active.has(run.id)) throw new XinglinError('BUSY', `评测「${run.name}」正在进行中`, { id: run.id });
    if (run.state === 'done') throw new XinglinError('INVALID_INPUT', `评测「${run.name}」已全部完成，无需继续`, { id: run.id });
    const set = this.store.getSet(run.setId);
    for (const { target } of run.targets) this.#target(target, set);
    this.store.setRunState(run.id, 'running');
    this.#launch({ ...run, state: 'running', error: null }, set, params.parallel);
    return this.summary(run.id);
  }

  runs(): EvalRunSummary[] {
    const sets = new Map(this.store.listSets().map((s) => [s.id, s]));
    return this.store.listRuns().map((run) => this.#summarize(run, sets.get(run.setId)!, this.store.results(run.id)));
  }

  summary(id: string): EvalRunSummary {
    const run = this.store.getRun(id);
    return this.#summarize(run, this.store.getSet(run.setId), this.store.results(id));
  }

  run(id: string): EvalRunDetail {
    const run = this.store.getRun(id);
    const set = this.store.getSet(run.setId);
    const results = this.store.results(id);
    const byCase = new Map<string, CaseResult[]>();
    for (const result of results) byCase.set(result.caseId, [...(byCase.get(result.caseId) ?? []), result]);
    return { ...this.#summarize(run, set, results), cases: set.cases.map((c) => ({ case: c, results: (byCase.get(c.id) ?? []).sort((a, b) => a.target - b.target) })) };
  }

  deleteRun(id: string): void {
    if (this.#active.has(id)) throw new XinglinError('BUSY', '评测正在进行中，请先取消再删除', { id });
    this.store.deleteRun(id);
  }

  review(params: MethodParams<'eval.review'>): CaseResult {
    const { runId, caseId, target, items, correct, note, reviewer } = params;
    const detail = this.run(runId);
    const entry = detail.cases.find((c) => c.case.id === caseId);
    if (!entry) throw new XinglinError('NOT_FOUND', `这次评测中没有病例 ${caseId}`, { entity: 'eval.case', id: caseId });
    if ('gold' in entry.case) {
      const unknown = Object.keys(items).filter((item) => !(entry.case as { gold: string[] }).gold.includes(item));
      if (unknown.length) throw new XinglinError('INVALID_INPUT', `复核的条目不在标准答案中：${unknown.join('、')}`, { field: 'items' });
      if (correct !== null) throw new XinglinError('INVALID_INPUT', '三标准问题按条目复核，不能直接标记对错', { field: 'correct' });
    } else if (Object.keys(items).length) {
      throw new XinglinError('INVALID_INPUT', '选择题按对错复核，没有标准答案条目', { field: 'items' });
    }
    const result = this.store.review(runId, caseId, target, { items, correct, note, reviewer, reviewedAt: Date.now() });
    this.deps.bus.emit('eval.run', { run: this.summary(runId) });
    return result;
  }

  report(params: MethodParams<'eval.report'>): MethodOutput<'eval.report'> {
    const detail = this.run(params.id);
    // Earlier runs of the same set; the report adds this one.
    const history = this.runs()
      .filter((r) => r.setId === detail.setId && r.id !== detail.id && r.createdAt <= detail.createdAt)
      .sort((a, b) => a.createdAt - b.createdAt);
    return evalReport(detail, params.format, history);
  }

  /** Cancels the runs answering now and waits until their last results are saved (app exit). */
  async halt(): Promise<void> {
    const active = [...this.#active.values()];
    for (const { jobId } of active) this.deps.jobs.cancel(jobId);
    await Promise.allSettled(active.map((a) => a.done));
  }

  /** A target as stored, its label fixed at the start; a choice set cannot be answered in knowledge mode. */
  #target(target: EvalTarget, set: EvalSet): StoredTarget {
    if (target.kind === 'knowledge') {
      if (set.format === 'choice') throw new XinglinError('INVALID_INPUT', '知识库模式只能回答三标准问题，不能做选择题；请选择一个模型配置', { field: 'targets' });
      return { target, label: KNOWLEDGE_LABEL, provenance: null };
    }
    let name: string;
    try {
      name = this.deps.llm.profiles.get(target.profileId).name;
    } catch (cause) {
      if (cause instanceof XinglinError && cause.code === 'NOT_FOUND') throw new XinglinError('NOT_FOUND', `找不到配置 ${target.profileId}，它可能已被删除；请另选一个配置`, { entity: 'profile', id: target.profileId });
      throw cause;
    }
    return { target, label: name, provenance: null };
  }

  #launch(run: StoredRun, set: EvalSet, parallel: boolean): void {
    const { jobs, bus } = this.deps;
    const job = jobs.start('eval.run', run.name, async (control) => {
      const deps = { store: this.store, knowledge: this.deps.knowledge, llm: this.deps.llm, appVersion: this.deps.appVersion, onResult: (runId: string, result: CaseResult) => bus.emit('eval.case', { runId, result }) };
      return answerRun(deps, run, set, control, parallel);
    });
    const done = job.result.then(
      (error) => this.store.setRunState(run.id, error ? 'failed' : 'done', error),
      (cause: unknown) => {
        const error = cause instanceof XinglinError ? cause : new XinglinError('INTERNAL', String(cause));
        // A cancel (or a closed app) leaves the run to resume; anything else failed it, its answers kept.
        this.store.setRunState(run.id, error.code === 'CANCELLED' ? 'interrupted' : 'failed', error.code === 'CANCELLED' ? null : { code: error.code, message: error.message });
      },
    ).finally(() => {
      this.#active.delete(run.id);
      bus.emit('eval.run', { run: this.summary(run.id) });
    });
    this.#active.set(run.id, { jobId: job.id, done });
    bus.emit('eval.run', { run: this.summary(run.id) });
  }

  #summarize(run: StoredRun, set: EvalSetSummary, results: readonly CaseResult[]): EvalRunSummary {
    return {
      id: run.id,
      name: run.name,
      setId: run.setId,
      setName: set.name,
      format: set.format,
      state: run.state,
      error: run.error,
      jobId: this.#active.get(run.id)?.jobId ?? null,
      createdAt: run.createdAt,
      endedAt: run.endedAt,
      targets: run.targets.map((t, index) => {
        const own = results.filter((r) => r.target === index);
        const reviewed = own.filter((r) => r.review);
        return {
          target: t.target,
          label: t.label,
          provenance: t.provenance,
          done: own.filter((r) => r.status === 'done').length,
          failed: own.filter((r) => r.status === 'failed').length,
          total: set.caseCount,
          auto: summarize(set.format, own, false),
          reviewed: summarize(set.format, own, true),
          reviewedCases: reviewed.length,
          reviewers: [...new Set(reviewed.map((r) => r.review!.reviewer))],
        };
      }),
    };
  }
}

/** A name safe as a file name on every system the app runs on. */
function safeFileName(name: string): string {
  return name.replace(/[\\/:*?"<>|\u0000-\u001f]/gu, '_').slice(0, 80) || 'eval-set';
}
