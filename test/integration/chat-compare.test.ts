import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XinglinError, type EventPayload, type Message } from '../../src-main/contract/index.js';
import type { Core } from '../../src-main/core/core.js';
import { GREEDY, saveDownProfile, saveLocalProfile } from '../helpers/chat-profiles.js';
import { answerOf, fixtureModels, openTestCore } from '../helpers/env.js';

const QUESTION = '痛风急性发作怎么处理？';

/** Every `chat.token` of a session, by message id. */
function tokensOf(core: Core, sessionId: () => string | undefined) {
  const byMessage = new Map<string, string[]>();
  const unsubscribe = core.subscribe((event, payload) => {
    if (event !== 'chat.token') return;
    const token = payload as EventPayload<'chat.token'>;
    if (token.sessionId !== sessionId()) return;
    byMessage.set(token.messageId, [...(byMessage.get(token.messageId) ?? []), token.text]);
  });
  return { byMessage, unsubscribe };
}

describe('chat: one question to two or three profiles side by side', () => {
  const { modelsDir } = fixtureModels();
  let core: Core;

  beforeAll(async () => {
    core = await openTestCore({ modelsDir });
    await saveLocalProfile(core, 'base', []);
    await saveLocalProfile(core, 'lora', [{ file: 'tiny-lora.gguf', scale: 1 }]);
    await saveLocalProfile(core, 'base-long', [], { ...GREEDY, maxTokens: 4000 });
    await saveLocalProfile(core, 'lora-long', [{ file: 'tiny-lora.gguf', scale: 1 }], { ...GREEDY, maxTokens: 4000 });
    await saveDownProfile(core, 'down');
  });
  afterAll(() => core.close());

  it('refuses an unknown profile before saving anything', async () => {
    const before = await core.api.sessions.list();
    const refused = await core.api.chat.compare({ text: QUESTION, profiles: ['base', 'no-such'] }).catch((e: XinglinError) => e);
    expect(refused).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no-such') });
    const twice = await core.call('chat.compare', { text: QUESTION, profiles: ['base', 'base'] });
    expect(!twice.ok && twice.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('对比的配置不能重复') });
    expect(await core.api.sessions.list()).toEqual(before);
  });

  it('streams each answer through the model queue, saves them with their profiles, and reopens as columns', async () => {
    await core.api.models.load({ model: 'tiny-llama.gguf' });
    let sessionId: string | undefined;
    const tokens = tokensOf(core, () => sessionId);
    const queued: EventPayload<'models.queue'>[] = [];
    const stopQueue = core.subscribe((event, payload) => event === 'models.queue' && queued.push(payload as EventPayload<'models.queue'>));

    const started = await core.api.chat.compare({ text: QUESTION, profiles: ['base', 'lora'] });
    sessionId = started.session.id;
    expect(started.session).toMatchObject({ kind: 'compare', profileId: null, title: QUESTION, messageCount: 3 });
    expect(started.userMessage).toMatchObject({ role: 'user', text: QUESTION, profileId: null });
    expect(started.answers.map((a) => a.profileId)).toEqual(['base', 'lora']);
    // Every column exists from the start, in the order asked.
    const early = await core.api.sessions.messages({ id: sessionId });
    expect(early.map((m) => [m.id, m.role, m.profileId])).toEqual([
      [started.userMessage.id, 'user', null],
      [started.answers[0]!.messageId, 'assistant', 'base'],
      [started.answers[1]!.messageId, 'assistant', 'lora'],
    ]);
    expect(early[2]!.status).toBe('streaming');

    const done = await Promise.all(started.answers.map((a) => answerOf(core, a.messageId)));
    tokens.unsubscribe();
    stopQueue();
    const [base, lora] = done.map((d) => d.done!.message) as [Message, Message];
    for (const [message, profileId] of [[base, 'base'], [lora, 'lora']] as const) {
      expect(message).toMatchObject({ status: 'complete', profileId, sessionId });
      expect(tokens.byMessage.get(message.id)!.join('')).toBe(message.text);
      expect(message.provenance).toMatchObject({ mode: 'llm', profile: { id: profileId }, backend: { kind: 'local' }, model: { file: 'tiny-llama.gguf' } });
      // The same grounded path as chat: the retrieved entries, their citations, the claims checked.
      expect(message.provenance?.knowledge?.citations.length).toBeGreaterThan(0);
      expect(message.provenance?.knowledge?.unsupported).toEqual(expect.any(Array));
    }
    expect(lora.provenance?.adapters).toEqual([expect.objectContaining({ file: 'tiny-lora.gguf', scale: 1 })]);
    expect(base.provenance?.adapters).toEqual([]);
    expect(lora.text).not.toBe(base.text);
    expect(queued.some((q) => q.running?.kind === 'compare' && q.running.sessionId === sessionId)).toBe(true);

    // Reopened: the question and each profile's answer, for the columns.
    const reopened = await core.api.sessions.messages({ id: sessionId });
    expect(reopened.map((m) => [m.role, m.profileId, m.status, m.text])).toEqual([
      ['user', null, 'complete', QUESTION],
      ['assistant', 'base', 'complete', base.text],
      ['assistant', 'lora', 'complete', lora.text],
    ]);
    expect((await core.api.sessions.list()).find((s) => s.id === sessionId)).toMatchObject({ kind: 'compare', messageCount: 3 });

    // A comparison is one question: it takes no follow-up, and no profile for the whole session.
    const followUp = await core.api.chat.send({ sessionId, text: '还有别的办法吗？' }).catch((e: XinglinError) => e);
    expect(followUp).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('对比会话不能继续提问') });
    const profile = await core.api.sessions.setProfile({ id: sessionId, profileId: 'base' }).catch((e: XinglinError) => e);
    expect(profile).toMatchObject({ code: 'INVALID_INPUT' });
    expect(await core.api.sessions.messages({ id: sessionId })).toHaveLength(3);
  });

  it('stop ends them all: the streaming answer keeps its text, the waiting one ends as stopped', async () => {
    let sessionId: string | undefined;
    let stopRequested = false;
    const unsubscribe = core.subscribe((event, payload) => {
      if (event === 'chat.token' && (payload as EventPayload<'chat.token'>).sessionId === sessionId && !stopRequested) {
        stopRequested = true;
        void core.api.chat.stop({ sessionId });
      }
    });
    const started = await core.api.chat.compare({ text: 'hello', profiles: ['base-long', 'lora-long', 'base'] });
    sessionId = started.session.id;
    const done = await Promise.all(started.answers.map((a) => answerOf(core, a.messageId)));
    unsubscribe();
    const [first, second, third] = done.map((d) => d.done!.message) as [Message, Message, Message];
    expect(first.status).toBe('stopped');
    expect(first.provenance?.timings?.generatedTokens).toBeLessThan(4000);
    expect(first.provenance?.profile?.id).toBe('base-long');
    for (const waited of [second, third]) expect(waited).toMatchObject({ status: 'stopped', text: '', provenance: null });
    expect((await core.api.sessions.messages({ id: sessionId })).map((m) => [m.profileId, m.status])).toEqual([
      [null, 'complete'], ['base-long', 'stopped'], ['lora-long', 'stopped'], ['base', 'stopped'],
    ]);
    expect(await core.api.chat.stop({ sessionId })).toEqual({ stopped: false });
  });

  it('a profile that cannot answer gives its column the error; the others still answer', async () => {
    const started = await core.api.chat.compare({ text: QUESTION, profiles: ['down', 'base'] });
    const [down, base] = await Promise.all(started.answers.map((a) => answerOf(core, a.messageId)));
    expect(down?.error?.error.code).toBe('REMOTE_UNAVAILABLE');
    expect(down?.error?.error.message).toMatch(/[\u4e00-\u9fff]/);
    expect(base?.done?.message).toMatchObject({ status: 'complete', profileId: 'base' });
    const saved = await core.api.sessions.messages({ id: started.session.id });
    expect(saved.map((m) => [m.profileId, m.status, m.error?.code ?? null])).toEqual([
      [null, 'complete', null], ['down', 'error', 'REMOTE_UNAVAILABLE'], ['base', 'complete', null],
    ]);
  });

  it('with no model loaded, a local profile\'s column fails naming the cause', async () => {
    await core.api.models.unload();
    const started = await core.api.chat.compare({ text: QUESTION, profiles: ['base', 'lora'] });
    const results = await Promise.all(started.answers.map((a) => answerOf(core, a.messageId)));
    for (const result of results) {
      expect(result.error?.error.code).toBe('NO_MODEL');
      expect(result.error?.error.message).toMatch(/加载/);
    }
  });
});
