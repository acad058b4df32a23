/**
 * The renderer's state classes (`*.svelte.ts`, Svelte runes) in plain Node, compiled by
 * test/helpers/svelte-state.ts (the shared vitest config has no Svelte plugin).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message, ModelStatus, SearchHit, Session } from '../../src-main/contract/index.js';
import { compileStateModules, fakeApi as fakeApiFor, tick, type CompiledState } from '../helpers/svelte-state.js';

const methods = ['app.info', 'sessions.list', 'sessions.create', 'sessions.rename', 'sessions.delete', 'sessions.messages', 'sessions.search', 'chat.send', 'chat.stop', 'chat.regenerate', 'models.list', 'models.status', 'models.load', 'models.unload'];
const fakeApi = (handlers: Record<string, (input: any) => unknown>) => fakeApiFor(methods, handlers);
let compiled: CompiledState | undefined;

const session = (id: string, updatedAt = 1): Session => ({ id, title: `会话 ${id}`, createdAt: 1, updatedAt, messageCount: 0 });
const message = (id: string, role: 'user' | 'assistant', text: string, extra: Partial<Message> = {}): Message => ({
  id,
  sessionId: 's1',
  role,
  text,
  status: 'complete',
  provenance: null,
  error: null,
  createdAt: 1,
  ...extra,
});

let mod: { SessionsState: any; ChatState: any; ModelsState: any; I18nState: any; overallProgress: (p: string, v: number) => number };

beforeAll(async () => {
  compiled = await compileStateModules('xinglin-renderer-state-');
  const [sessions, chat, models, i18n] = await Promise.all(['sessions.svelte', 'chat.svelte', 'models.svelte', 'i18n.svelte'].map((name) => compiled!.load(name)));
  mod = { SessionsState: sessions.SessionsState, ChatState: chat.ChatState, ModelsState: models.ModelsState, I18nState: i18n.I18nState, overallProgress: models.overallProgress };
}, 60_000);

afterAll(() => {
  compiled?.cleanup();
});

describe('renderer ChatState', () => {
  function setup(extra: Record<string, (input: any) => unknown> = {}) {
    const fake = fakeApi({
      'sessions.list': () => [session('s1')],
      'sessions.messages': () => [message('u0', 'user', '旧问题'), message('a0', 'assistant', '旧回答')],
      'chat.send': ({ text }) => ({ userMessage: message('u1', 'user', text), assistantMessageId: 'a1' }),
      'chat.stop': () => ({ stopped: true }),
      ...extra,
    });
    const frames: Array<() => void> = [];
    const sessions = new mod.SessionsState(fake.api);
    const chat = new mod.ChatState(fake.api, sessions, (cb: () => void) => frames.push(cb));
    const detach = chat.attach();
    return { ...fake, frames, sessions, chat, detach };
  }

  it('applies streamed tokens once per animation frame', async () => {
    const { chat, emit, frames } = setup();
    await chat.open('s1');
    expect(chat.messages.map((m: Message) => m.id)).toEqual(['u0', 'a0']);
    expect(await chat.send('  痛风急性发作怎么处理？ ')).toBe(true);
    expect(chat.messages.at(-1)).toMatchObject({ id: 'u1', text: '痛风急性发作怎么处理？' });
    expect(chat.streaming).toEqual({ messageId: 'a1', text: '' });
    expect(chat.busy).toBe(true);

    for (const piece of ['首先', '休息', '，', '多饮水']) emit('chat.token', { sessionId: 's1', messageId: 'a1', text: piece });
    emit('chat.token', { sessionId: 'other', messageId: 'x', text: '别的会话' });
    expect(chat.streaming.text).toBe(''); // nothing applied before the frame
    expect(frames).toHaveLength(1);
    frames.shift()!();
    expect(chat.streaming).toEqual({ messageId: 'a1', text: '首先休息，多饮水' });

    emit('chat.done', { sessionId: 's1', message: message('a1', 'assistant', '首先休息，多饮水。') });
    expect(chat.streaming).toBeNull();
    expect(chat.busy).toBe(false);
    expect(chat.messages.map((m: Message) => m.id)).toEqual(['u0', 'a0', 'u1', 'a1']);
    emit('chat.token', { sessionId: 's1', messageId: 'a1', text: '迟到的' });
    frames.splice(0).forEach((f) => f());
    expect(chat.streaming).toBeNull();
  });

  it('keeps the question in the box and shows the error when sending fails', async () => {
    const { chat } = setup({
      'chat.send': () => {
        throw Object.assign(new Error('还没有加载模型'), { code: 'NO_MODEL', message: '还没有加载模型' });
      },
    });
    await chat.open('s1');
    expect(await chat.send('问题')).toBe(false);
    expect(chat.messages.map((m: Message) => m.id)).toEqual(['u0', 'a0']);
    expect(chat.error).toEqual({ code: 'NO_MODEL', message: '还没有加载模型' });
    expect(chat.busy).toBe(false);
  });

  it('creates a session when none is open', async () => {
    const { chat, sessions, calls } = setup({ 'sessions.create': () => session('s9', 5) });
    expect(await chat.send('你好')).toBe(true);
    expect(calls.map(([name]) => name)).toContain('sessions.create');
    expect(chat.sessionId).toBe('s9');
    expect(sessions.currentId).toBe('s9');
  });

  it('marks an answer that failed mid-stream, keeping its partial text', async () => {
    const { chat, emit, frames } = setup();
    await chat.open('s1');
    await chat.send('问题');
    emit('chat.token', { sessionId: 's1', messageId: 'a1', text: '部分' });
    emit('chat.error', { sessionId: 's1', messageId: 'a1', error: { code: 'GENERATION_FAILED', message: '生成失败' } });
    frames.splice(0).forEach((f) => f());
    expect(chat.streaming).toBeNull();
    expect(chat.messages.at(-1)).toMatchObject({ id: 'a1', status: 'error', text: '部分', error: { code: 'GENERATION_FAILED' } });
  });

  it('regenerates: the old answer leaves and the new one streams', async () => {
    const { chat, calls } = setup({ 'chat.regenerate': () => ({ assistantMessageId: 'a2' }) });
    await chat.open('s1');
    expect(chat.canRegenerate).toBe(true);
    expect(await chat.regenerate()).toBe(true);
    expect(calls.at(-1)).toEqual(['chat.regenerate', { sessionId: 's1' }]);
    expect(chat.messages.map((m: Message) => m.id)).toEqual(['u0']);
    expect(chat.streaming).toEqual({ messageId: 'a2', text: '' });
  });

  it('stops the open session', async () => {
    const { chat, calls } = setup();
    await chat.open('s1');
    await chat.send('问题');
    await chat.stop();
    expect(calls.at(-1)).toEqual(['chat.stop', { sessionId: 's1' }]);
  });
});

describe('renderer SessionsState', () => {
  it('keeps the list by recency and picks a neighbour after deleting the open session', async () => {
    const { api } = fakeApi({
      'sessions.list': () => [session('a', 1), session('b', 3), session('c', 2)],
      'sessions.delete': () => ({ ok: true }),
      'sessions.rename': ({ id, title }) => ({ ...session(id, 9), title }),
    });
    const sessions = new mod.SessionsState(api);
    await sessions.refresh();
    expect(sessions.list.map((s: Session) => s.id)).toEqual(['b', 'c', 'a']);
    sessions.select('c');
    expect(sessions.current.id).toBe('c');
    expect(await sessions.rename('c', '  痛风随访 ')).toBe(true);
    expect(sessions.current.title).toBe('痛风随访');
    sessions.select('b');
    expect(await sessions.remove('b')).toEqual({ ok: true, next: 'c' });
    expect(sessions.list.map((s: Session) => s.id)).toEqual(['c', 'a']);
  });

  it('drops results of an older search', async () => {
    const resolvers: Array<(hits: SearchHit[]) => void> = [];
    const { api } = fakeApi({ 'sessions.search': () => new Promise<SearchHit[]>((resolve) => resolvers.push(resolve)) });
    const sessions = new mod.SessionsState(api);
    const first = sessions.search('痛');
    const second = sessions.search('痛风');
    const hit = (id: string): SearchHit => ({ sessionId: 's', sessionTitle: 't', messageId: id, role: 'user', snippet: id, createdAt: 1 });
    resolvers[1]!([hit('new')]);
    await second;
    resolvers[0]!([hit('old')]);
    await first;
    expect(sessions.results.map((h: SearchHit) => h.messageId)).toEqual(['new']);
    expect(sessions.resultsFor).toBe('痛风');
    expect(sessions.searching).toBe(false);
  });
});

describe('renderer ModelsState', () => {
  const status = (state: ModelStatus['state']): ModelStatus => ({ state, model: null, adapters: [], gpu: 'cpu', threads: 4, lastTokensPerSecond: null, error: null });

  it('reports a monotone overall progress while loading and clears it after', async () => {
    let finish: (value: ModelStatus) => void = () => {};
    const { api, emit } = fakeApi({
      'models.load': () => new Promise<ModelStatus>((resolve) => (finish = resolve)),
      'models.status': () => status('none'),
      'models.list': () => ({ modelsDir: '/m', models: [], adapters: [] }),
      'app.info': () => ({ name: 'xinglin', version: '0', host: 'web', dataDir: '/d', modelsDir: '/m', platform: 'linux' }),
    });
    const models = new mod.ModelsState(api);
    models.attach();
    await models.init();
    expect(models.noModelInstalled).toBe(true);
    const loading = models.load('m.gguf', [{ file: 'a.gguf', scale: 0.5 }]);
    expect(models.loading).toBe(true);
    emit('models.progress', { phase: 'hash', file: 'm.gguf', progress: 1 });
    const afterHash = models.progress.overall;
    emit('models.progress', { phase: 'model', file: 'm.gguf', progress: 0.5 });
    expect(models.progress.overall).toBeGreaterThan(afterHash);
    emit('models.progress', { phase: 'hash', file: 'a.gguf', progress: 0 });
    expect(models.progress.overall).toBeGreaterThan(afterHash);
    finish({ ...status('ready'), model: { file: 'm.gguf', sha256: 'x', sizeBytes: 1, architecture: 'llama', contextSize: 4096, template: 'chatml' } });
    expect(await loading).toBe(true);
    expect(models.progress).toBeNull();
    expect(models.ready).toBe(true);
    expect(models.noModelInstalled).toBe(false);
    expect(mod.overallProgress('context', 1)).toBeCloseTo(1);
  });
});

describe('renderer I18nState', () => {
  it('defaults to Chinese, switches, and remembers the choice', async () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    const i18n = new mod.I18nState(storage);
    expect(i18n.locale).toBe('zh-CN');
    expect(i18n.t('chat.send')).toBe('发送');
    i18n.toggle();
    expect(i18n.t('chat.send')).toBe('Send');
    expect(new mod.I18nState(storage).locale).toBe('en');
    await tick();
  });
});
