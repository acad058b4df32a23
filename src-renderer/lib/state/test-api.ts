/**
 * Test helpers for the state classes: a fake Api whose named methods return scripted results,
 * with a hand-driven event bus. Only the tests import this (Vite bundles what main.ts reaches).
 */
import type { Api, ChosenFile, Job, Message, Reply, Session } from '$contract';
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
