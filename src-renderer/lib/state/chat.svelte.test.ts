import { describe, expect, it } from 'vitest';
import type { ModelQueue, ModelRequest, Session } from '$contract';
import { mergeMessages, requestsAhead, upsertMessage } from './chat.svelte.js';
import { chatOn, messageOf as message, sessionOf as session, tick } from './test-api.js';

const request = (id: string, kind: ModelRequest['kind'], sessionId: string | null): ModelRequest => ({ id, kind, sessionId });

describe('ChatState', () => {
  const setup = (extra: Record<string, (input: any) => unknown> = {}) =>
    chatOn({
      'sessions.list': () => [session('s1')],
      'sessions.messages': () => [message('u0', 'user', '旧问题'), message('a0', 'assistant', '旧回答')],
      'chat.send': ({ text }) => ({ userMessage: message('u1', 'user', text), assistantMessageId: 'a1' }),
      'chat.stop': () => ({ stopped: true }),
      ...extra,
    });

  it('applies streamed tokens once per animation frame', async () => {
    const { chat, emit, frames } = setup();
    await chat.open('s1');
    expect(chat.messages.map((m) => m.id)).toEqual(['u0', 'a0']);
    expect(await chat.send('  痛风急性发作怎么处理？ ')).toBe(true);
    expect(chat.messages.at(-1)).toMatchObject({ id: 'u1', text: '痛风急性发作怎么处理？' });
    expect(chat.streaming).toEqual({ messageId: 'a1', text: '' });
    expect(chat.busy).toBe(true);

    for (const piece of ['首先', '休息', '，', '多饮水']) emit('chat.token', { sessionId: 's1', messageId: 'a1', text: piece });
    emit('chat.token', { sessionId: 'other', messageId: 'x', text: '别的会话' });
    expect(chat.streaming!.text).toBe(''); // nothing applied before the frame
    expect(frames).toHaveLength(1);
    frames.shift()!();
    expect(chat.streaming).toEqual({ messageId: 'a1', text: '首先休息，多饮水' });

    emit('chat.done', { sessionId: 's1', message: message('a1', 'assistant', '首先休息，多饮水。') });
    expect(chat.streaming).toBeNull();
    expect(chat.busy).toBe(false);
    expect(chat.messages.map((m) => m.id)).toEqual(['u0', 'a0', 'u1', 'a1']);
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
    expect(chat.messages.map((m) => m.id)).toEqual(['u0', 'a0']);
    expect(chat.error).toEqual({ code: 'NO_MODEL', message: '还没有加载模型' });
    expect(chat.busy).toBe(false);
  });

  it('creates the session when the first question of the empty draft is sent', async () => {
    const { chat, sessions, calls } = setup({ 'sessions.create': () => session('s9', { updatedAt: 5 }), 'sessions.list': () => [session('s9', { updatedAt: 5 })] });
    await chat.open(null);
    expect(calls).toEqual([]); // the draft costs nothing
    expect(await chat.send('你好')).toBe(true);
    expect(calls.map(([name]) => name).slice(0, 2)).toEqual(['sessions.create', 'chat.send']);
    expect(calls[1]).toEqual(['chat.send', { sessionId: 's9', text: '你好' }]);
    expect(chat.sessionId).toBe('s9');
    expect(sessions.currentId).toBe('s9');
    expect(sessions.list.map((s) => s.id)).toEqual(['s9']);
  });

  it('sends into the new session but stays where the doctor went while it was being created', async () => {
    let release: (value: Session) => void = () => {};
    const { chat, calls } = setup({ 'sessions.create': () => new Promise<Session>((resolve) => (release = resolve)) });
    const sending = chat.send('第一个问题');
    await chat.open('s1');
    release(session('s9', { updatedAt: 5 }));
    expect(await sending).toBe(true);
    expect(calls.find(([name]) => name === 'chat.send')).toEqual(['chat.send', { sessionId: 's9', text: '第一个问题' }]);
    expect(chat.sessionId).toBe('s1');
    expect(chat.messages.map((m) => m.id)).toEqual(['u0', 'a0']);
  });

  it('shows the error and creates nothing more when the session cannot be created', async () => {
    const { chat, count } = setup({ 'sessions.create': () => Promise.reject({ code: 'INTERNAL', message: '数据库不可用' }) });
    expect(await chat.send('你好')).toBe(false);
    expect(chat.error).toMatchObject({ code: 'INTERNAL' });
    expect(count('chat.send')).toBe(0);
    expect(chat.sessionId).toBeNull();
    expect(chat.busy).toBe(false);
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

  it('keeps an answer cut off by a crash of the model process as interrupted, and regenerates it', async () => {
    const crash = { code: 'RUNTIME_CRASHED', message: '模型进程意外退出：被系统强制结束（SIGKILL）。应用仍在运行；请重新加载模型。' } as const;
    const { chat, emit, frames, calls } = setup({ 'chat.regenerate': () => ({ assistantMessageId: 'a2' }) });
    await chat.open('s1');
    await chat.send('痛风急性发作怎么处理？');
    emit('chat.token', { sessionId: 's1', messageId: 'a1', text: '首先休息，' });
    frames.splice(0).forEach((f) => f());
    emit('chat.token', { sessionId: 's1', messageId: 'a1', text: '多饮水' }); // not yet on screen when the crash comes
    emit('chat.error', { sessionId: 's1', messageId: 'a1', error: crash });
    expect(chat.streaming).toBeNull();
    expect(chat.busy).toBe(false);
    expect(chat.messages.at(-1)).toMatchObject({ id: 'a1', status: 'interrupted', text: '首先休息，多饮水', error: crash });
    expect(chat.canRegenerate).toBe(true);
    expect(await chat.regenerate()).toBe(true);
    expect(calls.at(-1)).toEqual(['chat.regenerate', { sessionId: 's1' }]);
    expect(chat.messages.map((m) => m.id)).toEqual(['u0', 'a0', 'u1']); // the interrupted answer gives way to the new one
    expect(chat.streaming).toEqual({ messageId: 'a2', text: '' });
  });

  it('continues an answer whose saved row is still streaming (the page opened mid-answer)', async () => {
    const { chat, emit, frames } = setup({
      'sessions.messages': () => [message('u0', 'user', '旧问题'), message('a0', 'assistant', '首先', { status: 'streaming' })],
    });
    await chat.open('s1');
    expect(chat.messages.map((m) => m.id)).toEqual(['u0']);
    expect(chat.streaming).toEqual({ messageId: 'a0', text: '首先' });
    expect(chat.busy).toBe(true);
    expect(chat.canRegenerate).toBe(false);
    emit('chat.token', { sessionId: 's1', messageId: 'a0', text: '休息' });
    frames.splice(0).forEach((f) => f());
    expect(chat.streaming).toEqual({ messageId: 'a0', text: '首先休息' });
    emit('chat.done', { sessionId: 's1', message: message('a0', 'assistant', '首先休息，多饮水。') });
    expect(chat.streaming).toBeNull();
    expect(chat.messages.map((m) => [m.id, m.status, m.text])).toEqual([
      ['u0', 'complete', '旧问题'],
      ['a0', 'complete', '首先休息，多饮水。'],
    ]);
  });

  it('keeps following a stream it has from the start when the session is reopened mid-answer', async () => {
    let saved = [message('u0', 'user', '旧问题')];
    const { chat, emit, frames } = setup({ 'sessions.messages': () => saved });
    await chat.open('s1');
    await chat.send('问题');
    emit('chat.token', { sessionId: 's1', messageId: 'a1', text: '首先休息，多饮水' });
    frames.splice(0).forEach((f) => f());
    saved = [...saved, message('u1', 'user', '问题'), message('a1', 'assistant', '首先休息', { status: 'streaming' })];
    await chat.open(null);
    await chat.open('s1');
    expect(chat.messages.map((m) => m.id)).toEqual(['u0', 'u1']);
    expect(chat.streaming).toEqual({ messageId: 'a1', text: '首先休息，多饮水' }); // not cut back to the saved text
  });

  it('reads the saved text of a resumed answer that a crash cut off, and settles one that no longer runs', async () => {
    let saved = [message('u0', 'user', '旧问题'), message('a0', 'assistant', '首先', { status: 'streaming' })];
    const { chat, emit, frames } = setup({ 'sessions.messages': () => saved, 'chat.stop': () => ({ stopped: false }) });
    await chat.open('s1');
    emit('chat.token', { sessionId: 's1', messageId: 'a0', text: '多饮水' }); // '休息' was saved before this page listened
    frames.splice(0).forEach((f) => f());
    const crash = { code: 'RUNTIME_CRASHED', message: '模型进程意外退出' } as const;
    saved = [saved[0]!, message('a0', 'assistant', '首先休息多饮水', { status: 'interrupted', error: crash })];
    emit('chat.error', { sessionId: 's1', messageId: 'a0', error: crash });
    expect(chat.streaming).toBeNull();
    await tick();
    expect(chat.messages.at(-1)).toMatchObject({ id: 'a0', status: 'interrupted', text: '首先休息多饮水' });

    // A row left streaming with nothing answering it: stopping it shows it as saved.
    saved = [saved[0]!, message('a1', 'assistant', '一半', { status: 'streaming' })];
    await chat.open(null);
    await chat.open('s1');
    expect(chat.busy).toBe(true);
    await chat.stop();
    await tick();
    expect(chat.busy).toBe(false);
    expect(chat.messages.at(-1)).toMatchObject({ id: 'a1', text: '一半' });
  });

  it('regenerates: the old answer leaves and the new one streams', async () => {
    const { chat, calls } = setup({ 'chat.regenerate': () => ({ assistantMessageId: 'a2' }) });
    await chat.open('s1');
    expect(chat.canRegenerate).toBe(true);
    expect(await chat.regenerate()).toBe(true);
    expect(calls.at(-1)).toEqual(['chat.regenerate', { sessionId: 's1' }]);
    expect(chat.messages.map((m) => m.id)).toEqual(['u0']);
    expect(chat.streaming).toEqual({ messageId: 'a2', text: '' });
  });

  it('stops the open session', async () => {
    const { chat, calls } = setup();
    await chat.open('s1');
    await chat.send('问题');
    await chat.stop();
    expect(calls.at(-1)).toEqual(['chat.stop', { sessionId: 's1' }]);
  });

  it('shows the open session’s place in the model queue while its answer waits, and stops it there', async () => {
    let seed: (queue: ModelQueue) => void = () => {};
    const { chat, emit, calls, frames } = setup({ 'models.queue': () => new Promise<ModelQueue>((resolve) => (seed = resolve)) });
    const seeding = chat.refreshQueue();
    await chat.open('s1');
    expect(await chat.send('痛风用什么药？')).toBe(true);
    expect(chat.waitingAhead).toBeNull();
    // kb.ask runs, another session waits first, then this one.
    emit('models.queue', { running: request('r0', 'kb.ask', null), waiting: [request('r1', 'chat', 's2'), request('r2', 'chat', 's1')] });
    seed({ running: null, waiting: [] }); // older than the event: ignored
    await seeding;
    expect(chat.waitingAhead).toBe(2);
    expect(chat.busy).toBe(true);
    emit('models.queue', { running: request('r1', 'chat', 's2'), waiting: [request('r2', 'chat', 's1')] });
    expect(chat.waitingAhead).toBe(1);
    // Another session's place is not this one's.
    await chat.open('s2');
    expect(chat.waitingAhead).toBeNull();
    await chat.open('s1');
    expect(chat.waitingAhead).toBe(1);
    await chat.stop();
    expect(calls.at(-1)).toEqual(['chat.stop', { sessionId: 's1' }]);
    emit('models.queue', { running: request('r1', 'chat', 's2'), waiting: [] });
    emit('chat.done', { sessionId: 's1', message: message('a1', 'assistant', '', { status: 'stopped' }) });
    frames.splice(0).forEach((f) => f());
    expect(chat.waitingAhead).toBeNull();
    expect(chat.busy).toBe(false);
    expect(chat.messages.at(-1)).toMatchObject({ id: 'a1', status: 'stopped', text: '' });
  });

  it('is busy for an answer it only knows of from the queue (a reload while it waits)', async () => {
    const { chat, calls } = setup({ 'models.queue': () => ({ running: request('r0', 'chat', 's2'), waiting: [request('r1', 'chat', 's1')] }) });
    await chat.refreshQueue();
    await chat.open('s1');
    expect(chat.streaming).toBeNull();
    expect(chat.waitingAhead).toBe(1);
    expect(chat.busy).toBe(true);
    expect(chat.canRegenerate).toBe(false);
    expect(await chat.send('再问')).toBe(false);
    await chat.stop();
    expect(calls.at(-1)).toEqual(['chat.stop', { sessionId: 's1' }]);
  });

  it('counts only requests ahead: none while the model is taken by a load', () => {
    const queue = { running: null, waiting: [request('r1', 'chat', 's1'), request('r2', 'kb.ask', null), request('r3', 'chat', 's3')] };
    expect(requestsAhead(queue, 's1')).toBe(0);
    expect(requestsAhead(queue, 's3')).toBe(2);
    expect(requestsAhead({ running: request('r1', 'chat', 's1'), waiting: [] }, 's1')).toBeNull(); // running, not waiting
    expect(requestsAhead(queue, null)).toBeNull();
  });
});

describe('ChatState profiles', () => {
  function setup(extra: Record<string, (input: any) => unknown> = {}) {
    let list = [session('s1')];
    return chatOn({
      'sessions.list': () => list,
      'sessions.create': () => {
        list = [session('s9', { updatedAt: 5 }), ...list];
        return list[0];
      },
      'sessions.setProfile': ({ id, profileId }) => {
        list = list.map((s) => (s.id === id ? { ...s, profileId } : s));
        return list.find((s) => s.id === id);
      },
      'sessions.messages': () => [],
      'chat.send': ({ text }) => ({ userMessage: message('u1', 'user', text), assistantMessageId: 'a1' }),
      ...extra,
    });
  }

  it('answers an open session with the profile picked for it', async () => {
    const { chat, sessions, calls } = setup();
    await sessions.refresh();
    await chat.open('s1');
    expect(chat.profileId).toBeNull();
    expect(await chat.setProfile('qizhen-cama')).toBe(true);
    expect(calls.at(-1)).toEqual(['sessions.setProfile', { id: 's1', profileId: 'qizhen-cama' }]);
    expect(chat.profileId).toBe('qizhen-cama');
    expect(await chat.setProfile(null)).toBe(true);
    expect(chat.profileId).toBeNull();
  });

  it('gives the draft’s profile to its session before the first question is sent', async () => {
    const { chat, calls } = setup();
    await chat.open(null);
    expect(await chat.setProfile('qizhen-cama')).toBe(true);
    expect(calls).toEqual([]); // the draft costs nothing
    expect(chat.profileId).toBe('qizhen-cama');
    expect(await chat.send('痛风怎么办')).toBe(true);
    expect(calls.map(([name]) => name).slice(0, 3)).toEqual(['sessions.create', 'sessions.setProfile', 'chat.send']);
    expect(calls[1]).toEqual(['sessions.setProfile', { id: 's9', profileId: 'qizhen-cama' }]);
    expect(chat.profileId).toBe('qizhen-cama');
    // A new draft starts from the model as loaded.
    await chat.open(null);
    expect(chat.profileId).toBeNull();
  });

  it('does not send when the draft’s profile is refused, and says why', async () => {
    const { chat, count } = setup({ 'sessions.setProfile': () => Promise.reject({ code: 'NOT_FOUND', message: '找不到配置 qizhen-cama' }) });
    await chat.open(null);
    await chat.setProfile('qizhen-cama');
    expect(await chat.send('痛风怎么办')).toBe(false);
    expect(chat.error).toEqual({ code: 'NOT_FOUND', message: '找不到配置 qizhen-cama' });
    expect(count('chat.send')).toBe(0);
  });
});

describe('chat message lists', () => {
  it('replaces a message by id or appends it, and keeps live messages a load did not have', () => {
    const a = message('a', 'user', '甲');
    const b = message('b', 'assistant', '乙');
    expect(upsertMessage([a], { ...a, text: '甲2' }).map((m) => m.text)).toEqual(['甲2']);
    expect(upsertMessage([a], b).map((m) => m.id)).toEqual(['a', 'b']);
    expect(mergeMessages([a], [a, b, message('local-1', 'user', '草稿')]).map((m) => m.id)).toEqual(['a', 'b']);
    // An answer that ended while its streaming row was being read: the event's copy wins.
    const done = message('b', 'assistant', '乙全文');
    expect(mergeMessages([a, { ...b, status: 'streaming' }], [done])).toEqual([a, done]);
  });
});
