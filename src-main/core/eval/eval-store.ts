import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { XinglinError, type CaseResult, type CaseReview, type ErrorData, type EvalCase, type EvalProvenance, type EvalRunState, type EvalSetFormat, type EvalSetSummary, type EvalTarget } from '../../contract/index.js';
import { openDatabase, type DatabaseKey, type Db } from '../db/index.js';
import { evalMigrations } from './migrations/index.js';

type Stmt<P extends unknown[], R = unknown> = BetterSqlite3.Statement<P, R>;

/** A run's target as stored: who answers, the name shown for it, and its provenance once it started. */
export interface StoredTarget {
  target: EvalTarget;
  label: string;
  provenance: EvalProvenance | null;
}

export interface StoredRun {
  id: string;
  name: string;
  setId: string;
  state: EvalRunState;
  error: ErrorData | null;
  targets: StoredTarget[];
  createdAt: number;
  endedAt: number | null;
}

export interface NewSet {
  id: string;
  name: string;
  format: EvalSetFormat;
  origin: EvalSetSummary['origin'];
  detail: string;
  cases: readonly EvalCase[];
}

interface SetRow { id: string; name: string; format: EvalSetFormat; origin: EvalSetSummary['origin']; detail: string; created_at: number; case_count: number }
interface RunRow { id: string; name: string; set_id: string; state: EvalRunState; error: string | null; targets: string; created_at: number; ended_at: number | null }
interface ResultRow { case_id: string; target: number; status: CaseResult['status']; answer: string; error: string | null; items: string | null; choice: string | null; ms: number; r_items: string | null; correct: number | null; note: string | null; reviewer: string | null; reviewed_at: number | null }

const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

type Queries = {
  sets: Stmt<[], SetRow>;
  set: Stmt<[string], SetRow>;
  kinds: Stmt<[string], { kind: string; n: number }>;
  cases: Stmt<[string], { body: string }>;
  insertSet: Stmt<[string, string, string, string, string, number]>;
  insertCase: Stmt<[string, number, string, string | null, string]>;
  deleteSet: Stmt<[string]>;
  runsOfSet: Stmt<[string], { n: number }>;
  runs: Stmt<[], RunRow>;
  run: Stmt<[string], RunRow>;
  insertRun: Stmt<[string, string, string, string, string, number]>;
  setState: Stmt<[string, string | null, number | null, string]>;
  setTargets: Stmt<[string, string]>;
  deleteRun: Stmt<[string]>;
  interrupt: Stmt<[number]>;
  results: Stmt<[string], ResultRow>;
  result: Stmt<[string, string, number], ResultRow>;
  answered: Stmt<[string, number], { case_id: string }>;
  insertResult: Stmt<[string, string, number, string, string, string | null, string | null, string | null, number, number]>;
  upsertReview: Stmt<[string, string, number, string, number | null, string, string, number]>;
};

/** eval.db behind one typed interface: sets and their cases, runs, results and reviews. */
export class EvalStore {
  readonly #q: Queries;

  private constructor(private readonly db: Db) {
    const resultColumns = `r.case_id, r.target, r.status, r.answer, r.error, r.items, r.choice, r.ms,
      v.items AS r_items, v.correct, v.note, v.reviewer, v.reviewed_at
      FROM eval_results r LEFT JOIN eval_reviews v USING (run_id, case_id, target)`;
    const prep = <P extends unknown[], R = unknown>(text: string) => db.prepare(text) as Stmt<P, R>;
    this.#q = {
      sets: prep('SELECT s.*, (SELECT count(*) FROM eval_cases c WHERE c.set_id = s.id) AS case_count FROM eval_sets s ORDER BY created_at DESC'),
      set: prep('SELECT s.*, (SELECT count(*) FROM eval_cases c WHERE c.set_id = s.id) AS case_count FROM eval_sets s WHERE id = ?'),
      kinds: prep('SELECT kind, count(*) AS n FROM eval_cases WHERE set_id = ? AND kind IS NOT NULL GROUP BY kind ORDER BY kind'),
      cases: prep('SELECT body FROM eval_cases WHERE set_id = ? ORDER BY seq'),
      insertSet: prep('INSERT INTO eval_sets (id, name, format, origin, detail, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      insertCase: prep('INSERT INTO eval_cases (set_id, seq, id, kind, body) VALUES (?, ?, ?, ?, ?)'),
      deleteSet: prep('DELETE FROM eval_sets WHERE id = ?'),
      runsOfSet: prep('SELECT count(*) AS n FROM eval_runs WHERE set_id = ?'),
      runs: prep('SELECT * FROM eval_runs ORDER BY created_at DESC'),
      run: prep('SELECT * FROM eval_runs WHERE id = ?'),
      insertRun: prep("INSERT INTO eval_runs (id, name, set_id, state, targets, created_at) VALUES (?, ?, ?, ?, ?, ?)"),
      setState: prep('UPDATE eval_runs SET state = ?, error = ?, ended_at = ? WHERE id = ?'),
      setTargets: prep('UPDATE eval_runs SET targets = ? WHERE id = ?'),
      deleteRun: prep('DELETE FROM eval_runs WHERE id = ?'),
      interrupt: prep("UPDATE eval_runs SET state = 'interrupted', ended_at = ? WHERE state = 'running'"),
      results: prep(`SELECT ${resultColumns} WHERE r.run_id = ? ORDER BY r.created_at, r.target`),
      result: prep(`SELECT ${resultColumns} WHERE r.run_id = ? AND r.case_id = ? AND r.target = ?`),
      answered: prep('SELECT case_id FROM eval_results WHERE run_id = ? AND target = ?'),
      insertResult: prep('INSERT INTO eval_results (run_id, case_id, target, status, answer, error, items, choice, ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      upsertReview: prep(
        `INSERT INTO eval_reviews (run_id, case_id, target, items, correct, note, reviewer, reviewed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, case_id, target) DO UPDATE SET items = excluded.items, correct = excluded.correct, note = excluded.note, reviewer = excluded.reviewer, reviewed_at = excluded.reviewed_at`,
      ),
    };
  }

  static open(file: string, key?: DatabaseKey): EvalStore {
    return new EvalStore(openDatabase(file, { migrations: evalMigrations, key }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs the last app left running were cut off by its exit: they can be resumed. */
  interruptRunning(): void {
    this.#q.interrupt.run(Date.now());
  }

  listSets(): EvalSetSummary[] {
    return this.#q.sets.all().map((row) => this.#summary(row));
  }

  getSet(id: string): EvalSetSummary & { cases: EvalCase[] } {
    const row = this.#q.set.get(id);
    if (!row) throw new XinglinError('NOT_FOUND', `找不到评测集（id：${id}），它可能已被删除`, { entity: 'eval.set', id });
    return { ...this.#summary(row), cases: this.#q.cases.all(id).map((c) => JSON.parse(c.body) as EvalCase) };
  }

  /** The set and all its cases, in one transaction: a set is whole or absent. */
  insertSet(set: NewSet): EvalSetSummary {
    this.db.transaction(() => {
      this.#q.insertSet.run(set.id, set.name, set.format, set.origin, set.detail, Date.now());
      set.cases.forEach((c, seq) => this.#q.insertCase.run(set.id, seq, c.id, 'kind' in c ? c.kind : null, JSON.stringify(c)));
    })();
    return this.#summary(this.#q.set.get(set.id)!);
  }

  deleteSet(id: string): void {
    const { name } = this.getSet(id);
    const runs = this.#q.runsOfSet.get(id)!.n;
    if (runs > 0) throw new XinglinError('EVAL_SET_IN_USE', `评测集「${name}」有 ${runs} 次评测记录，请先删除这些评测再删除评测集`, { id, runs });
    this.#q.deleteSet.run(id);
  }

  listRuns(): StoredRun[] {
    return this.#q.runs.all().map(toRun);
  }

  getRun(id: string): StoredRun {
    const row = this.#q.run.get(id);
    if (!row) throw new XinglinError('NOT_FOUND', `找不到这次评测（id：${id}），它可能已被删除`, { entity: 'eval.run', id });
    return toRun(row);
  }

  insertRun(run: { id: string; name: string; setId: string; targets: StoredTarget[] }): StoredRun {
    this.#q.insertRun.run(run.id, run.name, run.setId, 'running', JSON.stringify(run.targets), Date.now());
    return this.getRun(run.id);
  }

  setRunState(id: string, state: EvalRunState, error: ErrorData | null = null): void {
    this.#q.setState.run(state, error ? JSON.stringify(error) : null, state === 'running' ? null : Date.now(), id);
  }

  setTargets(id: string, targets: StoredTarget[]): void {
    this.#q.setTargets.run(JSON.stringify(targets), id);
  }

  deleteRun(id: string): void {
    this.getRun(id);
    this.#q.deleteRun.run(id);
  }

  results(runId: string): CaseResult[] {
    return this.#q.results.all(runId).map(toResult);
  }

  result(runId: string, caseId: string, target: number): CaseResult {
    const row = this.#q.result.get(runId, caseId, target);
    if (!row) throw new XinglinError('NOT_FOUND', `这次评测中没有病例 ${caseId} 的第 ${target + 1} 个对象的回答`, { entity: 'eval.result', id: caseId });
    return toResult(row);
  }

  /** Cases of a target that have a result: a resumed run skips them. */
  answered(runId: string, target: number): Set<string> {
    return new Set(this.#q.answered.all(runId, target).map((r) => r.case_id));
  }

  insertResult(runId: string, result: CaseResult): void {
    this.#q.insertResult.run(runId, result.caseId, result.target, result.status, result.answer, result.error ? JSON.stringify(result.error) : null, result.items ? JSON.stringify(result.items) : null, result.choice ? JSON.stringify(result.choice) : null, result.ms, Date.now());
  }

  review(runId: string, caseId: string, target: number, review: CaseReview): CaseResult {
    this.result(runId, caseId, target);
    this.#q.upsertReview.run(runId, caseId, target, JSON.stringify(review.items), review.correct === null ? null : Number(review.correct), review.note, review.reviewer, review.reviewedAt);
    return this.result(runId, caseId, target);
  }

  #summary(row: SetRow): EvalSetSummary {
    const kinds = Object.fromEntries(this.#q.kinds.all(row.id).map((k) => [k.kind, k.n]));
    return { id: row.id, name: row.name, format: row.format, caseCount: row.case_count, kinds, origin: row.origin, detail: row.detail, createdAt: row.created_at };
  }
}

function toRun(row: RunRow): StoredRun {
  return { id: row.id, name: row.name, setId: row.set_id, state: row.state, error: json<ErrorData>(row.error), targets: JSON.parse(row.targets) as StoredTarget[], createdAt: row.created_at, endedAt: row.ended_at };
}

function toResult(row: ResultRow): CaseResult {
  const review: CaseReview | null =
    row.reviewer === null ? null : { items: json<Record<string, boolean>>(row.r_items) ?? {}, correct: row.correct === null ? null : row.correct === 1, note: row.note ?? '', reviewer: row.reviewer, reviewedAt: row.reviewed_at ?? 0 };
  return { caseId: row.case_id, target: row.target, status: row.status, answer: row.answer, error: json<ErrorData>(row.error), items: json(row.items), choice: json(row.choice), review, ms: row.ms };
}
