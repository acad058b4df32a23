import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XinglinError } from '../../src-main/contract/index.js';
import { answerGrounded } from '../../src-main/core/chat/grounded-answer.js';
import type { Core } from '../../src-main/core/core.js';
import { KnowledgeService } from '../../src-main/core/knowledge/index.js';
import { planLoad, RuntimeClient, type ChatTurn } from '../../src-main/core/llm/index.js';
import { LocalProvider } from '../../src-main/core/llm/providers/local.js';
import { silentLog } from '../../src-main/core/log.js';
import { GREEDY, saveDownProfile, saveLocalProfile } from '../helpers/chat-profiles.js';
import { answerOf, fixtureModels, openTestCore, spawnTestRuntime, STARTER_DIR, tempDir } from '../helpers/env.js';
import { olderChatDb } from '../helpers/older-chat-db.js';

const QUESTION = '痛风急性发作怎么处理？';

async function ask(core: Core, sessionId: string, text = QUESTION, sampling?: { maxTokens: number }) {
  const { assistantMessageId } = await core.api.chat.send({ sessionId, text, ...(sampling ? { sampling } : {}) });
  return answerOf(core, assistantMessageId);
}

describe('chat: each session answers with its profile', () => {
  const { modelsDir } = fixtureModels();
  let core: Core;

  beforeAll(async () => {
    core = await openTestCore({ modelsDir });
    await saveLocalProfile(core, 'base', []);
    await saveLocalProfile(core, 'lora', [{ file: 'tiny-lora.gguf', scale: 1 }]);
    await saveDownProfile(core, 'down');
  });
  afterAll(() => core.close());

  it('with no model loaded, a local profile answers from the knowledge base, a remote one asks its server', async () => {
    const local = await core.api.sessions.create({});
    expect(local).toMatchObject({ kind: 'chat', profileId: null });
    expect(await core.api.sessions.setProfile({ id: local.id, profileId: 'lora' })).toMatchObject({ id: local.id, profileId: 'lora', kind: 'chat' });
    const composed = await ask(core, local.id, '非布司他的适应病症是什么？');
    expect(composed.done?.message.provenance?.mode).toBe('knowledge');
    expect(composed.done?.message.text).toContain('痛风');

    const remote = await core.api.sessions.create({});
    await core.api.sessions.setProfile({ id: remote.id, profileId: 'down' });
    const failed = await ask(core, remote.id);
    expect(failed.error?.error.code).toBe('REMOTE_UNAVAILABLE');
    expect(failed.error?.error.message).toMatch(/[\u4e00-\u9fff]/);
    const messages = await core.api.sessions.messages({ id: remote.id });
    expect(messages.map((m) => [m.role, m.status])).toEqual([['user', 'complete'], ['assistant', 'error']]);
  });

  it('an adapter profile and the base profile answer differently, each provenance naming its profile', async () => {
    await core.api.models.load({ model: 'tiny-llama.gguf' });
    const answers = new Map<string, { text: string; provenance: unknown }>();
    for (const profileId of ['base', 'lora']) {
      const session = await core.api.sessions.create({ title: profileId });
      await core.api.sessions.setProfile({ id: session.id, profileId });
      const { done, error } = await ask(core, session.id);
      expect(error).toBeUndefined();
      const message = done!.message;
      expect(message).toMatchObject({ status: 'complete', profileId: null });
      expect(message.provenance).toMatchObject({ mode: 'llm', profile: { id: profileId, name: `配置 ${profileId}` }, backend: { kind: 'local' }, model: { file: 'tiny-llama.gguf' } });
      expect(message.provenance?.sampling).toMatchObject(GREEDY);
      expect(message.provenance?.knowledge?.citations.length).toBeGreaterThan(0);
      answers.set(profileId, { text: message.text, provenance: message.provenance });
    }
    expect((answers.get('base')!.provenance as { adapters: unknown[] }).adapters).toEqual([]);
    expect((answers.get('lora')!.provenance as { adapters: unknown[] }).adapters).toEqual([expect.objectContaining({ file: 'tiny-lora.gguf', scale: 1 })]);
    expect(answers.get('lora')!.text).not.toBe(answers.get('base')!.text);

    // Greedy: the base profile again gives the same answer, after the adapter's turn.
    const again = await core.api.sessions.create({});
    await core.api.sessions.setProfile({ id: again.id, profileId: 'base' });
    expect((await ask(core, again.id)).done?.message.text).toBe(answers.get('base')!.text);
  });

  it('a request\'s own sampling goes over the profile\'s', async () => {
    const session = await core.api.sessions.create({});
    await core.api.sessions.setProfile({ id: session.id, profileId: 'base' });
    const { done } = await ask(core, session.id, QUESTION, { maxTokens: 8 });
    expect(done?.message.provenance?.sampling).toMatchObject({ ...GREEDY, maxTokens: 8 });
  });

  it('refuses an unknown profile, and a deleted one fails the answer with its name, the messages kept', async () => {
    const session = await core.api.sessions.create({});
    const unknown = await core.api.sessions.setProfile({ id: session.id, profileId: 'no-such' }).catch((e: XinglinError) => e);
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no-such') });
    expect((await core.api.sessions.list()).find((s) => s.id === session.id)?.profileId).toBeNull();

    await saveLocalProfile(core, 'temp', []);
    await core.api.sessions.setProfile({ id: session.id, profileId: 'temp' });
    expect((await ask(core, session.id)).done?.message.status).toBe('complete');
    await core.api.profiles.delete({ id: 'temp' });
    // Asked now: refused before the question is saved.
    const refused = await core.api.chat.send({ sessionId: session.id, text: '还有别的办法吗？' }).catch((e: XinglinError) => e);
    expect(refused).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/temp.*删除/) });
    expect((await core.api.sessions.messages({ id: session.id })).map((m) => m.status)).toEqual(['complete', 'complete']);

    // Deleted while the question waits for the model: the answer fails, naming it.
    await saveLocalProfile(core, 'temp', []);
    const busy = await core.api.sessions.create({});
    const long = await core.api.chat.send({ sessionId: busy.id, text: 'hello', sampling: { ...GREEDY, maxTokens: 4000 } });
    const waiting = await core.api.chat.send({ sessionId: session.id, text: '还有别的办法吗？' });
    await core.api.profiles.delete({ id: 'temp' });
    await core.api.chat.stop({ sessionId: busy.id });
    await answerOf(core, long.assistantMessageId);
    const { error } = await answerOf(core, waiting.assistantMessageId);
    expect(error?.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/temp.*删除/) });
    expect((await core.api.sessions.messages({ id: session.id })).map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'], ['assistant', 'complete'], ['user', 'complete'], ['assistant', 'error'],
    ]);
  });

  it('setting the profile back to none answers with the loaded model as loaded', async () => {
    const session = await core.api.sessions.create({});
    await core.api.sessions.setProfile({ id: session.id, profileId: 'lora' });
    expect(await core.api.sessions.setProfile({ id: session.id, profileId: null })).toMatchObject({ profileId: null });
    const { done } = await ask(core, session.id, QUESTION, { maxTokens: 8 });
    expect(done?.message.provenance).toMatchObject({ mode: 'llm', adapters: [], model: { file: 'tiny-llama.gguf' } });
  });
});

describe('chat: a database from before profiles', () => {
  it('upgrades in place: sessions, messages and search intact, each a chat without a profile', async () => {
    const dataDir = tempDir();
    const older = olderChatDb(path.join(dataDir, 'xinglin.db'), 2);
    const sessionId = older.session('旧的痛风随访');
    const question = older.message(sessionId, 'user', '痛风急性发作怎么处理？', 'complete');
    const answer = older.message(sessionId, 'assistant', '可用秋水仙碱 [1]。', 'complete', { mode: 'knowledge', appVersion: '0.9', adapters: [] });
    older.close();

    const { modelsDir } = fixtureModels();
    const core = await openTestCore({ dataDir, modelsDir });
    try {
      expect(await core.api.sessions.list()).toEqual([expect.objectContaining({ id: sessionId, title: '旧的痛风随访', kind: 'chat', profileId: null, messageCount: 2 })]);
      const messages = await core.api.sessions.messages({ id: sessionId });
      expect(messages.map((m) => [m.id, m.role, m.text, m.profileId])).toEqual([
        [question, 'user', '痛风急性发作怎么处理？', null],
        [answer, 'assistant', '可用秋水仙碱 [1]。', null],
      ]);
      expect(messages[1]!.provenance).toMatchObject({ mode: 'knowledge', appVersion: '0.9' });
      expect((await core.api.sessions.search({ query: '秋水仙碱' })).map((h) => h.messageId)).toEqual([answer]);
      // The old session goes on, now with a profile.
      await saveLocalProfile(core, 'base', []);
      expect(await core.api.sessions.setProfile({ id: sessionId, profileId: 'base' })).toMatchObject({ profileId: 'base', messageCount: 2 });
      const next = await ask(core, sessionId, '非布司他的适应病症是什么？');
      expect(next.done?.message.provenance?.mode).toBe('knowledge');
    } finally {
      await core.close();
    }
  });
});

describe('chat: a follow-up question reads only what is new', () => {
  it('the rules and the earlier turns come from the KV cache; each question\'s sources travel with it alone', async () => {
    const { modelsDir, paths } = fixtureModels();
    const dataDir = tempDir();
    const runtime = new RuntimeClient({ spawn: spawnTestRuntime(), log: silentLog, gpu: false, threads: 1, contextSize: 2048 });
    const knowledge = KnowledgeService.open({ file: path.join(dataDir, 'knowledge.db'), starterDir: STARTER_DIR });
    try {
      await runtime.load(await planLoad(paths.model, [], { signal: new AbortController().signal }));
      const provider = await LocalProvider.create(runtime, null, { dataDir, modelsDir, host: 'cli', appVersion: 'test', starterDir: STARTER_DIR, spawnRuntime: spawnTestRuntime(), sampling: GREEDY });
      const history: ChatTurn[] = [];
      const reused: number[] = [];
      for (const question of ['痛风急性发作怎么处理？', '非布司他的适应病症是什么？', '华法林和阿司匹林能不能一起吃？']) {
        const { reply, result } = await answerGrounded(knowledge, provider, { question, history, sampling: GREEDY, signal: new AbortController().signal });
        expect(result.citations.length).toBeGreaterThan(0);
        reused.push(reply!.reusedTokens ?? 0);
        history.push({ role: 'user', text: question }, { role: 'assistant', text: reply!.text });
      }
      // Second question: the rules were read already. Third: the first exchange too (the second
      // question's turn is read again, without its sources).
      expect(reused[1]).toBeGreaterThan(0);
      expect(reused[2]).toBeGreaterThan(reused[1]!);
    } finally {
      knowledge.close();
      await runtime.close();
    }
  });
});
