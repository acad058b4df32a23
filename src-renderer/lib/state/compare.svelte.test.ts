import { describe, expect, it } from 'vitest';
import type { Message, Provenance } from '$contract';
import { compareSlots } from './compare.svelte.js';
import { chatOn, messageOf, sessionOf as session } from './test-api.js';

/** A message of the saved comparison c1. */
const message = (id: string, role: Message['role'], text: string, extra: Partial<Message> = {}): Message => messageOf(id, role, text, { sessionId: 'c1', ...extra });
const provenance = (profile: { id: string; name: string }, tokensPerSecond = 12.5): Provenance => ({
  mode: 'llm',
  appVersion: '0.1.0',
  model: { file: 'tiny-llama.gguf', sha256: 'a'.repeat(64), sizeBytes: 1 },
  adapters: [],
  profile,
  backend: { kind: 'local' },
  timings: { promptTokens: 3, generatedTokens: 4, tokensPerSecond, durationMs: 300 },
});

describe('CompareState', () => {
  const setup = (handlers: Record<string, (input: any) => unknown> = {}) => {
    const on = chatOn({
      'sessions.list': () => [session('s1'), session('c1', { kind: 'compare' })],
      'chat.compare': ({ text, profiles }: { text: string; profiles: string[] }) => ({
        session: session('c2', { kind: 'compare', updatedAt: 9 }),
        userMessage: message('q2', 'user', text, { sessionId: 'c2' }),
        answers: profiles.map((profileId, i) => ({ profileId, messageId: `m${i + 1}` })),
      }),
      'chat.stop': () => ({ stopped: true }),
      ...handlers,
    });
    return { ...on, compare: on.chat.compare };
  };

  it('streams each answer by its message id, once per frame, and keeps going when one fails', async () => {
    const { compare, chat, sessions, emit, frames, runFrames, calls } = setup();
    await sessions.refresh();
    const id = await compare.start('  痛风急性发作怎么处理？ ', ['base', 'lora']);
    expect(id).toBe('c2');
    expect(calls.find(([name]) => name === 'chat.compare')?.[1]).toEqual({ text: '痛风急性发作怎么处理？', profiles: ['base', 'lora'] });
    // The new comparison is listed (marked as one) before any answer ends.
    expect(sessions.kindOf('c2')).toBe('compare');
    await chat.open('c2');
    expect(chat.isCompare).toBe(true);
    expect(compare.question?.text).toBe('痛风急性发作怎么处理？');
    expect(compare.columns.map((c) => [c.profileId, c.state, c.name])).toEqual([
      ['base', 'waiting', null],
      ['lora', 'waiting', null],
    ]);
    expect(chat.busy).toBe(true);

    for (const piece of ['首先', '休息']) emit('chat.token', { sessionId: 'c2', messageId: 'm1', text: piece });
    emit('chat.token', { sessionId: 'c2', messageId: 'm2', text: '多饮水' });
    expect(compare.columns[0]!.text).toBe(''); // nothing applied before the frame
    expect(frames).toHaveLength(1);
    runFrames();
    expect(compare.columns.map((c) => [c.state, c.text])).toEqual([
      ['streaming', '首先休息'],
      ['streaming', '多饮水'],
    ]);
    // The chat pane's own stream is untouched by a comparison's tokens.
    expect(chat.streaming).toBeNull();

    emit('chat.error', { sessionId: 'c2', messageId: 'm2', error: { code: 'REMOTE_UNAVAILABLE', message: '无法连接远程模型服务器 http://10.0.0.5:8000/v1' } });
    expect(compare.columns[1]).toMatchObject({ state: 'error', text: '多饮水', error: { code: 'REMOTE_UNAVAILABLE' } });
    expect(compare.busy).toBe(true); // the other answer goes on
    emit('chat.token', { sessionId: 'c2', messageId: 'm1', text: '，抬高患肢' });
    runFrames();
    expect(compare.columns[0]!.text).toBe('首先休息，抬高患肢');

    const done = message('m1', 'assistant', '首先休息，抬高患肢。', { sessionId: 'c2', profileId: 'base', provenance: provenance({ id: 'base', name: '基础模型（存档名）' }) });
    emit('chat.done', { sessionId: 'c2', message: done });
    expect(compare.columns[0]).toMatchObject({ state: 'complete', text: '首先休息，抬高患肢。', name: '基础模型（存档名）', message: done });
    expect(compare.busy).toBe(false);
    expect(chat.busy).toBe(false);
    // A late token of an ended answer changes nothing.
    emit('chat.token', { sessionId: 'c2', messageId: 'm1', text: '迟到的' });
    runFrames();
    expect(compare.columns[0]!.text).toBe('首先休息，抬高患肢。');
  });

  it('reopens a saved comparison as its columns, picking up an answer still being written', async () => {
    const saved = [
      message('q1', 'user', '高血压用什么药？'),
      message('a1', 'assistant', '可用氨氯地平。', { profileId: 'base', provenance: provenance({ id: 'base', name: '基础模型' }) }),
      message('a2', 'assistant', '可用', { profileId: 'lora', status: 'streaming' }),
    ];
    const { chat, compare, sessions, emit, runFrames } = setup({ 'sessions.messages': () => saved });
    await sessions.refresh();
    await chat.open('c1');
    expect(chat.isCompare).toBe(true);
    expect(chat.messages).toEqual([]);
    expect(compare.question?.text).toBe('高血压用什么药？');
    expect(compare.columns.map((c) => [c.profileId, c.state, c.text])).toEqual([
      ['base', 'complete', '可用氨氯地平。'],
      ['lora', 'streaming', '可用'],
    ]);
    emit('chat.token', { sessionId: 'c1', messageId: 'a2', text: '硝苯地平' });
    runFrames();
    expect(compare.columns[1]!.text).toBe('可用硝苯地平');
  });

  it('stops every answer with one call for the session (the stop button, and Esc through the chat pane)', async () => {
    const { chat, compare, sessions, calls } = setup({ 'sessions.messages': () => [message('q1', 'user', '问'), message('a1', 'assistant', '', { profileId: 'base', status: 'streaming' })] });
    await sessions.refresh();
    await chat.open('c1');
    expect(compare.busy).toBe(true);
    await chat.stop();
    expect(calls.filter(([name]) => name === 'chat.stop')).toEqual([['chat.stop', { sessionId: 'c1' }]]);
  });

  it('keeps tokens that arrive before the comparison is listed, and leaves chat sessions to the chat pane', async () => {
    const { compare, chat, sessions, emit, runFrames } = setup();
    await sessions.refresh();
    // A comparison's first token may outrun the reply that names its session.
    emit('chat.token', { sessionId: 'c2', messageId: 'm1', text: '先到的' });
    emit('chat.token', { sessionId: 's1', messageId: 'x1', text: '聊天的' });
    await compare.start('问题', ['base', 'lora']);
    await chat.open('c2');
    runFrames();
    expect(compare.columns[0]).toMatchObject({ state: 'streaming', text: '先到的' });
    expect(Object.keys(compare.live)).toEqual(['m1']);
  });

  it('reads the columns of saved messages: one per profile, in order, the latest answer of each', () => {
    const rows = [
      message('q', 'user', '问'),
      message('a1', 'assistant', '甲', { profileId: 'base' }),
      message('a2', 'assistant', '乙', { profileId: 'lora' }),
      message('a3', 'assistant', '甲2', { profileId: 'base' }),
    ];
    expect(compareSlots(rows)).toEqual([
      { profileId: 'base', messageId: 'a3' },
      { profileId: 'lora', messageId: 'a2' },
    ]);
    // A comparison started here keeps its answers' ids even before their rows exist.
    expect(compareSlots([message('q', 'user', '问')], [{ profileId: 'hot', messageId: 'm9' }])).toEqual([{ profileId: 'hot', messageId: 'm9' }]);
  });

  it('lets the dialog pick two or three profiles and starts only with a question', async () => {
    const { compare, calls } = setup();
    compare.openDialog();
    compare.draftText = '已经写好的问题';
    compare.closeDialog();
    compare.openDialog(); // as it was left
    expect(compare.dialogOpen).toBe(true);
    expect(compare.draftText).toBe('已经写好的问题');
    expect(compare.toggle('base')).toBe(true);
    expect(compare.canStart).toBe(false); // one profile
    compare.toggle('lora');
    compare.toggle('hot');
    expect(compare.toggle('x')).toBe(false); // a fourth is refused
    expect(compare.chosen).toEqual(['base', 'lora', 'hot']);
    compare.toggle('lora');
    expect(compare.chosen).toEqual(['base', 'hot']);
    compare.draftText = '   ';
    expect(compare.canStart).toBe(false);
    expect(await compare.submit()).toBeNull();
    expect(calls.some(([name]) => name === 'chat.compare')).toBe(false);
    compare.draftText = '痛风怎么办';
    expect(await compare.submit()).toBe('c2');
    expect(compare.dialogOpen).toBe(false);
    expect(compare.draftText).toBe('');
    expect(compare.columns.map((c) => c.profileId)).toEqual(['base', 'hot']);
    // A new comparison from this one: its question and profiles, to change one of them.
    compare.openDialog({ text: '痛风怎么办', profileIds: compare.slots.map((slot) => slot.profileId) });
    expect([compare.draftText, compare.chosen]).toEqual(['痛风怎么办', ['base', 'hot']]);
  });

  it('shows why a comparison did not start and keeps the dialog open', async () => {
    const { compare } = setup({
      'chat.compare': () => {
        throw Object.assign(new Error('x'), { code: 'NOT_FOUND', message: '找不到配置 lora' });
      },
    });
    compare.openDialog({ text: '问题', profileIds: ['base', 'lora'] });
    expect(await compare.submit()).toBeNull();
    expect(compare.error).toEqual({ code: 'NOT_FOUND', message: '找不到配置 lora' });
    expect(compare.dialogOpen).toBe(true);
    expect(compare.sessionId).toBeNull();
  });
});
