import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XinglinError, type EventPayload } from '../../src-main/contract/index.js';
import type { Core } from '../../src-main/core/core.js';
import { answerOf, fixtureModels, openTestCore, tempDir } from '../helpers/env.js';

const greedy = { temperature: 0, seed: 7, maxTokens: 24 };

describe('core: one question end to end on real SQLite and node-llama-cpp', () => {
  const { modelsDir } = fixtureModels();
  const dataDir = tempDir();
  let core: Core;

  beforeAll(async () => {
    core = await openTestCore({ dataDir, modelsDir });
  });
  afterAll(() => core.close());

  it('answers from the knowledge base, cited, while no model is loaded', async () => {
    const session = await core.api.sessions.create({ title: '无模型' });
    const { assistantMessageId } = await core.api.chat.send({ sessionId: session.id, text: '非布司他的适应病症是什么？' });
    const { done } = await answerOf(core, assistantMessageId);
    expect(done?.message.provenance?.mode).toBe('knowledge');
    expect(done?.message.text).toContain('痛风');
    expect(done?.message.provenance?.knowledge?.citations.some((c) => c.name === '非布司他' && c.field === 'indications')).toBe(true);

    const nothing = await core.api.chat.send({ sessionId: session.id, text: '量子纠缠的适应症是什么？' });
    const empty = await answerOf(core, nothing.assistantMessageId);
    expect(empty.done?.message.provenance?.knowledge?.citations).toEqual([]);
    expect(empty.done?.message.text).toMatch(/知识库/);
  });

  it('lists the fixture model and its adapters, and loads one with progress', async () => {
    const listed = await core.api.models.list();
    expect(listed.models.map((m) => m.file)).toContain('tiny-llama.gguf');
    expect(listed.adapters.map((m) => m.file)).toContain('tiny-lora.gguf');
    const progress: number[] = [];
    const unsubscribe = core.subscribe((event, payload) => {
      if (event === 'job.progress' && (payload as EventPayload<'job.progress'>).kind === 'models.load') progress.push((payload as EventPayload<'job.progress'>).progress);
    });
    const status = await core.api.models.load({ model: 'tiny-llama.gguf', adapters: [{ file: 'tiny-lora.gguf', scale: 0.5 }] });
    unsubscribe();
    expect(status.state).toBe('ready');
    expect(status.adapters).toEqual([expect.objectContaining({ file: 'tiny-lora.gguf', scale: 0.5 })]);
    expect(status.threads).toBe(1);
    expect(progress.at(-1)).toBe(1);
  });

  it('streams an answer, saves it with provenance, and finds it again after a restart', async () => {
    const session = await core.api.sessions.create({ title: '痛风随访' });
    const tokens: string[] = [];
    const unsubscribe = core.subscribe((event, payload) => {
      if (event === 'chat.token') tokens.push((payload as { text: string }).text);
    });
    const { userMessage, assistantMessageId } = await core.api.chat.send({ sessionId: session.id, text: '痛风急性发作怎么处理？', sampling: greedy });
    const { done } = await answerOf(core, assistantMessageId);
    unsubscribe();
    expect(userMessage.text).toBe('痛风急性发作怎么处理？');
    expect(done?.message.status).toBe('complete');
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.join('')).toBe(done?.message.text);
    const provenance = done!.message.provenance!;
    expect(provenance.model?.file).toBe('tiny-llama.gguf');
    expect(provenance.model?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(provenance.adapters[0]).toMatchObject({ file: 'tiny-lora.gguf', scale: 0.5 });
    expect(provenance.sampling).toMatchObject(greedy);
    expect(provenance.timings?.generatedTokens).toBeGreaterThan(0);
    expect(provenance.template).toBeTruthy();
    // Grounded LLM mode: the retrieved entries and their citations travel with the answer.
    expect(provenance.knowledge?.entryIds.length).toBeGreaterThan(0);
    expect(provenance.knowledge?.citations.length).toBeGreaterThan(0);

    await core.close();
    core = await openTestCore({ dataDir, modelsDir });
    const messages = await core.api.sessions.messages({ id: session.id });
    expect(messages.map((m) => [m.role, m.status])).toEqual([['user', 'complete'], ['assistant', 'complete']]);
    expect(messages[1]!.text).toBe(done!.message.text);
    const hits = await core.api.sessions.search({ query: '痛风' });
    expect(hits.some((h) => h.messageId === userMessage.id && h.snippet.includes('\u0001痛风\u0002'))).toBe(true);
  });

  it('stop keeps the partial answer, marked stopped; regenerate replaces it', async () => {
    await core.api.models.load({ model: 'tiny-llama.gguf' });
    const session = await core.api.sessions.create({});
    const { assistantMessageId } = await core.api.chat.send({ sessionId: session.id, text: 'hello', sampling: { ...greedy, maxTokens: 4000 } });
    let stopRequested = false;
    const unsubscribe = core.subscribe((event) => {
      if (event === 'chat.token' && !stopRequested) {
        stopRequested = true;
        void core.api.chat.stop({ sessionId: session.id });
      }
    });
    const { done } = await answerOf(core, assistantMessageId);
    unsubscribe();
    expect(done?.message.status).toBe('stopped');
    expect(done?.message.provenance?.timings?.generatedTokens).toBeLessThan(4000);

    const again = await core.api.chat.regenerate({ sessionId: session.id, sampling: greedy });
    const regenerated = await answerOf(core, again.assistantMessageId);
    expect(regenerated.done?.message.status).toBe('complete');
    const messages = await core.api.sessions.messages({ id: session.id });
    expect(messages.map((m) => m.id)).toEqual([messages[0]!.id, again.assistantMessageId]);
  });

  it('refuses a second question while one streams (BUSY) and keeps the first', async () => {
    const session = await core.api.sessions.create({});
    const first = await core.api.chat.send({ sessionId: session.id, text: 'one', sampling: greedy });
    const busy = await core.api.chat.send({ sessionId: session.id, text: 'two' }).catch((e: XinglinError) => e);
    expect((busy as XinglinError).code).toBe('BUSY');
    await answerOf(core, first.assistantMessageId);
    expect((await core.api.sessions.messages({ id: session.id })).filter((m) => m.role === 'user').map((m) => m.text)).toEqual(['one']);
  });

  it('rejects invalid payloads with INVALID_INPUT naming the field, and unknown methods', async () => {
    const bad = await core.call('chat.send', { sessionId: 'x', text: '', extra: true });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('INVALID_INPUT');
      expect(bad.error.message).toMatch(/text 不能为空/);
      expect(bad.error.message).toMatch(/未知字段：extra/);
    }
    const unknown = await core.call('chat.explode', {});
    expect(!unknown.ok && unknown.error.code).toBe('UNKNOWN_METHOD');
    const missing = await core.call('sessions.rename', { id: 'no-such-session', title: 'x' });
    expect(!missing.ok && missing.error.code).toBe('NOT_FOUND');
  });

  it('a bad model file leaves the previous conversation intact and the app usable', async () => {
    const sessions = await core.api.sessions.list();
    for (const [file, code] of [['missing.gguf', 'MODEL_NOT_FOUND'], ['not-a-model.gguf', 'MODEL_NOT_GGUF'], ['tiny-llama-truncated.gguf', 'MODEL_TRUNCATED']] as const) {
      const reply = await core.call('models.load', { model: file });
      expect(!reply.ok && reply.error.code).toBe(code);
      expect(!reply.ok && reply.error.message).toContain(file);
    }
    const mismatch = await core.call('models.load', { model: 'tiny-llama.gguf', adapters: [{ file: 'mismatch-lora.gguf' }] });
    expect(!mismatch.ok && mismatch.error.code).toBe('ADAPTER_MISMATCH');
    expect(await core.api.sessions.list()).toEqual(sessions);
    expect((await core.api.models.load({ model: 'tiny-llama.gguf' })).state).toBe('ready');
  });
});
