/**
 * Test helpers for the state classes: a fake Api whose named methods return scripted results,
 * with a hand-driven event bus. Only the tests import this (Vite bundles what main.ts reaches).
 */
import type { Api, CaseResult, ChosenFile, CriteriaCase, EvalRunDetail, EvalRunSummary, EvalScores, EvalSetSummary, EvalTargetSummary, Job, Message, Rate, Reply, Session } from '$contract';
import type { FilePicker } from '../api/files.js';
import { ChatState } from './chat.svelte.js';
import { SessionsState } from './sessions.svelte.js';

type Listener = (payload: unknown) => void;
/** A scripted reply: any input, any shape. */
type Handler = (input: any) => unknown;

export interface FakeApi {
  api: Api;
  emit(event: string, payload: unknown): void;
  calls: Array<[string, unknown]>;
  count(name: string): number;
}

/** An Api with `methods` (`'ns.member'`); a call with no handler fails the test loudly. */
export function fakeApi(methods: readonly string[], handlers: Record<string, Handler>): FakeApi {
  const listeners = new Map<string, Set<Listener>>();
  const calls: Array<[string, unknown]> = [];
  const api: Record<string, unknown> = {
    on(event: string, listener: Listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener);
      return () => listeners.get(event)!.delete(listener);
    },
  };
  for (const name of methods) {
    const [ns, member] = name.split('.') as [string, string];
    const namespace = (api[ns] ??= {}) as Record<string, unknown>;
    namespace[member] = async (input: unknown = {}) => {
      calls.push([name, input]);
      const handler = handlers[name];
      if (!handler) throw new Error(`unexpected call ${name}`);
      return handler(input);
    };
  }
  const emit = (event: string, payload: unknown) => listeners.get(event)?.forEach((listener) => listener(payload));
  return { api: api as unknown as Api, emit, calls, count: (name: string) => calls.filter(([n]) => n === name).length };
}

/** Every method the renderer calls (a fake with them all fails only on calls it has no handler for). */
export const allMethods = [
  'app.info',
  'sessions.list',
  'sessions.create',
  'sessions.rename',
  'sessions.delete',
  'sessions.messages',
  'sessions.search',
  'sessions.setProfile',
  'chat.send',
  'chat.compare',
  'chat.stop',
  'chat.regenerate',
  'models.list',
  'models.import',
  'models.verify',
  'models.remove',
  'models.status',
  'models.load',
  'models.unload',
  'models.queue',
  'models.cancelRequest',
  'profiles.list',
  'profiles.save',
  'profiles.delete',
  'profiles.use',
  'profiles.setAutoLoad',
  'jobs.list',
  'jobs.cancel',
  'kb.search',
  'kb.entry',
  'kb.stats',
  'kb.import',
  'kb.ask',
  'kb.source',
  'kb.removeSource',
  'kb.rollbackSource',
  'records.templates',
  'records.draft',
  'records.list',
  'records.get',
  'records.save',
  'records.sign',
  'records.addendum',
  'records.versions',
  'records.diff',
  'records.audit',
  'records.export',
  'eval.sets',
  'eval.makeSet',
  'eval.importSet',
  'eval.exportSet',
  'eval.deleteSet',
  'eval.start',
  'eval.resume',
  'eval.runs',
  'eval.run',
  'eval.deleteRun',
  'eval.review',
  'eval.report',
] as const;

/**
 * Electron's open dialog for the state tests: it answers `chosen` (null: the user cancelled; several:
 * `many`); dropped files are answered by `drop` (by default, each refused).
 */
export function dialogFiles(
  chosen: ChosenFile | null = null,
  many: ChosenFile[] = chosen ? [chosen] : [],
  drop: (files: readonly File[]) => Promise<Array<Reply<ChosenFile>>> = async (files) => files.map((file) => ({ ok: false, error: { code: 'MODEL_NOT_GGUF', message: `${file.name} 不是 GGUF 模型文件（文件头不符），未导入` } })),
): FilePicker {
  return { kind: 'dialog', choose: async () => chosen, chooseMany: async () => many, dropModelFiles: drop };
}

/** Lets pending promise callbacks run. */
export const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A fake with every method the renderer calls. */
export function fake(handlers: Record<string, Handler>): FakeApi {
  return fakeApi(allMethods, handlers);
}

/** A `job.progress` payload: a running import unless `extra` says otherwise. */
export const jobEvent = (extra: Partial<Job> = {}): Job => ({
  id: 'job1',
  kind: 'kb.import',
  subject: 'drugs.jsonl',
  state: 'running',
  phase: 'read',
  progress: 0,
  detail: null,
  done: null,
  total: null,
  error: null,
  startedAt: 1,
  endedAt: null,
  ...extra,
});

/** A session as the host lists it: a chat of session `id`, unless `extra` says otherwise. */
export const sessionOf = (id: string, extra: Partial<Session> = {}): Session => ({ id, title: `会话 ${id}`, kind: 'chat', profileId: null, createdAt: 1, updatedAt: 1, messageCount: 0, ...extra });

/** A saved message of session s1, complete, unless `extra` says otherwise. */
export const messageOf = (id: string, role: Message['role'], text: string, extra: Partial<Message> = {}): Message => ({
  id,
  sessionId: 's1',
  role,
  text,
  status: 'complete',
  provenance: null,
  error: null,
  profileId: null,
  createdAt: 1,
  ...extra,
});

/** The chat pane's state (its comparison within) on a fake with every method, subscribed; animation frames run by hand (`runFrames`). */
export function chatOn(handlers: Record<string, Handler>) {
  const api = fake(handlers);
  const frames: Array<() => void> = [];
  const sessions = new SessionsState(api.api);
  const chat = new ChatState(api.api, sessions, (callback: () => void) => frames.push(callback));
  const detach = chat.attach();
  const runFrames = () => frames.splice(0).forEach((frame) => frame());
  return { ...api, frames, runFrames, sessions, chat, detach };
}

/** An evaluation set as the host lists it: 4 three-criteria cases made from the knowledge base, unless `extra` says otherwise. */
export const evalSetOf = (id: string, extra: Partial<EvalSetSummary> = {}): EvalSetSummary => ({
  id,
  name: `评测集 ${id}`,
  format: 'criteria',
  caseCount: 4,
  kinds: { 'drug-indication': 4 },
  origin: 'made',
  detail: '从知识库生成',
  createdAt: 1,
  ...extra,
});

/** A share as the host reports it (its interval is not recomputed here). */
export const rateOf = (count: number, n: number): Rate => ({ count, n, rate: n ? count / n : 0, low: 0, high: 1 });

/** Three-criteria scores: `any` of `n` cases met the first criterion, the others none. */
export const criteriaScores = (any: number, n: number): EvalScores => ({ any: rateOf(any, n), half: rateOf(0, n), twoThirds: rateOf(0, n), correct: null });

/** A run's target: knowledge mode with nothing answered yet, unless `extra` says otherwise. */
export const evalTargetOf = (extra: Partial<EvalTargetSummary> = {}): EvalTargetSummary => ({
  target: { kind: 'knowledge' },
  label: '知识库模式',
  provenance: null,
  done: 0,
  failed: 0,
  total: 4,
  auto: criteriaScores(0, 0),
  reviewed: criteriaScores(0, 0),
  reviewedCases: 0,
  reviewers: [],
  ...extra,
});

/** A run of set s1 as the host lists it: running on job j1 with one knowledge-mode target, unless `extra` says otherwise. */
export const evalRunOf = (id: string, extra: Partial<EvalRunSummary> = {}): EvalRunSummary => ({
  id,
  name: `评测 ${id}`,
  setId: 's1',
  setName: '评测集 s1',
  format: 'criteria',
  state: 'running',
  error: null,
  jobId: 'j1',
  createdAt: 1,
  endedAt: null,
  targets: [evalTargetOf()],
  ...extra,
});

/** A three-criteria case asking what drug `n` treats, with three gold items. */
export const criteriaCaseOf = (n: number): CriteriaCase => ({ id: `c${n}`, instruction: `药${n}的适应病症`, gold: ['高血压', '心绞痛', '心律失常'], kind: 'drug-indication' });

/** An answered case of target 0 hitting the gold items named in `hits` (by name, at their place in the answer). */
export const criteriaResultOf = (caseId: string, hits: readonly string[], extra: Partial<CaseResult> = {}): CaseResult => {
  const answer = `可用于${hits.join('、')}。`;
  return {
    caseId,
    target: 0,
    status: 'done',
    answer,
    error: null,
    items: ['高血压', '心绞痛', '心律失常'].map((item) => {
      const at = hits.includes(item) ? answer.indexOf(item) : -1;
      return { item, hit: at >= 0, via: at >= 0 ? 'name' : null, spans: at >= 0 ? [[at, at + item.length]] : [], negated: false };
    }),
    choice: null,
    review: null,
    ms: 5,
    ...extra,
  };
};

/** A run's detail: `evalRunOf(id)` with the cases given and their results. */
export const evalDetailOf = (id: string, cases: EvalRunDetail['cases'], extra: Partial<EvalRunSummary> = {}): EvalRunDetail => ({ ...evalRunOf(id, extra), cases });
