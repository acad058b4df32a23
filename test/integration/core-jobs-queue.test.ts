/**
 * Long work as jobs and the one queue for the model, through the core's API on real SQLite files
 * and real node-llama-cpp on the generated model.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, ModelQueue } from '../../src-main/contract/index.js';
import type { Core } from '../../src-main/core/core.js';
import { answerOf, bigImport, fixtureModels, nextEvent, openTestCore, tempDir } from '../helpers/env.js';

describe('jobs: long work with progress, cancel and a final state', () => {
  let core: Core;
  beforeAll(async () => {
    core = await openTestCore();
  });
  afterAll(() => core.close());

  it('cancels a 50 MB knowledge import at half way: the base is unchanged, the job says cancelled, a new import runs', async () => {
    const before = await core.api.kb.stats();
    const file = bigImport(50);
    const seen: Job[] = [];
    const off = core.subscribe((event, payload) => {
      if (event !== 'job.progress') return;
      const job = payload as Job;
      seen.push(job);
      if (job.state === 'running' && job.phase === 'read' && job.progress >= 0.5) void core.api.jobs.cancel({ id: job.id });
    });
    const outcome = await core.api.kb.import({ file: core.files.register(file).file }).catch((error: unknown) => error);
    off();
    expect(outcome).toMatchObject({ code: 'CANCELLED' });
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ kind: 'kb.import', subject: 'big.jsonl', state: 'cancelled', error: { code: 'CANCELLED' } });
    expect(seen.filter((j) => j.state === 'running').map((j) => j.progress).every((p, i, all) => i === 0 || p >= all[i - 1]!)).toBe(true);
    expect(Math.max(...seen.filter((j) => j.phase === 'read').map((j) => j.progress))).toBeLessThan(1);
    expect(await core.api.kb.stats()).toEqual(before);
    expect((await core.api.kb.search({ query: '测试病1' })).filter((h) => h.name.startsWith('测试病'))).toEqual([]);
    expect(await core.api.jobs.list()).toEqual(expect.arrayContaining([expect.objectContaining({ id: last.id, state: 'cancelled' })]));

    const small = path.join(tempDir(), 'small.jsonl');
    fs.writeFileSync(small, `${JSON.stringify({ type: 'disease', name: '测试病甲', symptoms: ['发热'] })}\n`);
    const done = nextEvent(core, 'job.progress', (job) => job.subject === 'small.jsonl' && job.state !== 'running');
    expect(await core.api.kb.import({ file: core.files.register(small).file })).toMatchObject({ committed: true, added: 1 });
    expect(await done).toMatchObject({ state: 'done', progress: 1, error: null });
    expect((await core.api.kb.stats()).entries).toBe(before.entries + 1);
  });

  it('cancels an import while it re-indexes, before it commits', async () => {
    const before = await core.api.kb.stats();
    const off = core.subscribe((event, payload) => {
      const job = payload as Job;
      if (event === 'job.progress' && job.state === 'running' && job.phase === 'index') void core.api.jobs.cancel({ id: job.id });
    });
    const outcome = await core.api.kb.import({ file: core.files.register(bigImport(5)).file }).catch((error: unknown) => error);
    off();
    expect(outcome).toMatchObject({ code: 'CANCELLED' });
    expect(await core.api.kb.stats()).toEqual(before);
  });

  it('cancelling an unknown or ended job says so', async () => {
    expect(await core.api.jobs.cancel({ id: 'no-such-job' })).toEqual({ cancelled: false });
  });
});

describe('the model queue: one sequence, requests in order, each cancellable', () => {
  const { modelsDir } = fixtureModels();
  let core: Core;
  const queues: ModelQueue[] = [];

  beforeAll(async () => {
    core = await openTestCore({ modelsDir, sampling: { temperature: 0, maxTokens: 48 } });
    core.subscribe((event, payload) => event === 'models.queue' && queues.push(payload as ModelQueue));
    const loaded = nextEvent(core, 'job.progress', (job) => job.kind === 'models.load' && job.state !== 'running');
    await core.api.models.load({ model: 'tiny-llama.gguf' });
    expect(await loaded).toMatchObject({ state: 'done', subject: 'tiny-llama.gguf' });
  });
  afterAll(() => core.close());

  it('a chat sent while kb.ask holds the model waits its turn instead of failing after its question was saved', async () => {
    queues.length = 0;
    const session = await core.api.sessions.create({ title: '排队' });
    // kb.ask is granted the model at once (nothing else runs); the chat comes while it answers.
    const asking = core.api.kb.ask({ question: '痛风用什么药', mode: 'llm' });
    const sent = await core.api.chat.send({ sessionId: session.id, text: '非布司他的禁忌是什么？' });
    const [asked, answer] = await Promise.all([asking, answerOf(core, sent.assistantMessageId)]);
    expect(asked.mode).toBe('llm');
    expect(answer.error).toBeUndefined();
    expect(answer.done?.message).toMatchObject({ status: 'complete', provenance: { mode: 'llm' } });
    // The doctor could see the chat's place: first in line behind kb.ask.
    expect(queues).toContainEqual({ running: expect.objectContaining({ kind: 'kb.ask' }), waiting: [expect.objectContaining({ kind: 'chat', sessionId: session.id })] });
    // The answer is saved and announced while its request still holds the model; the line clears right after.
    await new Promise((resolve) => setImmediate(resolve));
    expect(await core.api.models.queue()).toEqual({ running: null, waiting: [] });
  });

  it('a chat stopped while waiting is saved as stopped, never answered, and leaves the line', async () => {
    queues.length = 0;
    const first = await core.api.sessions.create({ title: '先问' });
    const second = await core.api.sessions.create({ title: '后问' });
    const a = await core.api.chat.send({ sessionId: first.id, text: '痛风急性发作怎么处理？' });
    const b = await core.api.chat.send({ sessionId: second.id, text: '高血压用什么药？' });
    const answers = Promise.all([answerOf(core, a.assistantMessageId), answerOf(core, b.assistantMessageId)]);
    await nextEvent(core, 'models.queue', (q) => q.waiting.some((r) => r.sessionId === second.id));
    expect(await core.api.chat.stop({ sessionId: second.id })).toEqual({ stopped: true });
    const [answerA, answerB] = await answers;
    expect(answerB.done?.message).toMatchObject({ status: 'stopped', text: '', provenance: null });
    expect(answerA.done?.message.status).toBe('complete');
    expect(queues.filter((q) => q.running?.sessionId === second.id)).toEqual([]);
  });

  it('one question at a time per session: a second is refused before it is saved', async () => {
    const session = await core.api.sessions.create({ title: '一次一问' });
    const first = await core.api.chat.send({ sessionId: session.id, text: '痛风用什么药？' });
    const refused = await core.api.chat.send({ sessionId: session.id, text: '再问一个' }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'BUSY' });
    await answerOf(core, first.assistantMessageId);
    const texts = (await core.api.sessions.messages({ id: session.id })).map((m) => m.text);
    expect(texts).not.toContain('再问一个');
  });

  it('a load takes the model from a running answer, which is saved as stopped first', async () => {
    const session = await core.api.sessions.create({ title: '换模型' });
    const sent = await core.api.chat.send({ sessionId: session.id, text: '头痛三天伴发热怎么办？', sampling: { maxTokens: 2000 } });
    await nextEvent(core, 'chat.token', (t) => t.messageId === sent.assistantMessageId);
    const reload = core.api.models.load({ model: 'tiny-llama.gguf' });
    const answer = await answerOf(core, sent.assistantMessageId);
    expect(answer.done?.message.status).toBe('stopped');
    expect((await reload).state).toBe('ready');
  });
});

describe('the log: structured events, no patient text', () => {
  it('a session full of a marker leaves no trace of it in any log file', async () => {
    const { modelsDir } = fixtureModels();
    const dataDir = tempDir('xinglin-data-');
    // Every database operation logged (threshold 0), so the log sees every path the text takes.
    const core = await openTestCore({ dataDir, modelsDir, slowQueryMs: 0, sampling: { maxTokens: 16 } });
    const marker = '患者王小明身份证号码一二三四五';
    try {
      const session = await core.api.sessions.create({ title: `${marker}的随访` });
      const knowledge = await core.api.chat.send({ sessionId: session.id, text: `${marker}，痛风用什么药？` });
      await answerOf(core, knowledge.assistantMessageId);
      await core.api.models.load({ model: 'tiny-llama.gguf' });
      const model = await core.api.chat.send({ sessionId: session.id, text: `${marker}头痛三天` });
      await answerOf(core, model.assistantMessageId);
      await core.api.sessions.search({ query: '王小明' });
      await core.api.sessions.rename({ id: session.id, title: `${marker}复诊` });
      await core.api.kb.ask({ question: `${marker}的禁忌`, mode: 'llm' });
      await core.api.kb.search({ query: marker.slice(0, 10) });
      const bad = path.join(tempDir(), `${marker}.jsonl`);
      fs.writeFileSync(bad, `{"type":"drug","name":"${marker}"}\n{broken\n`);
      await core.api.kb.import({ file: core.files.register(bad).file }).catch(() => undefined);
      await core.call('sessions.create', { title: marker, extra: marker });
    } finally {
      await core.close();
    }
    const logs = path.join(dataDir, 'logs');
    const files = fs.readdirSync(logs);
    expect(files.length).toBeGreaterThan(0);
    const text = files.map((f) => fs.readFileSync(path.join(logs, f), 'utf8')).join('');
    const lines = text.trim().split('\n').map((line) => JSON.parse(line) as { event: string });
    // It did log: slow queries of both databases, the load, the jobs, the requests for the model.
    const events = new Set(lines.map((l) => l.event));
    for (const event of ['core.opened', 'db.slow_query', 'model.loaded', 'job.ended', 'model.request.ended', 'core.closed']) expect(events).toContain(event);
    expect(text).not.toContain(marker.slice(0, 3));
    expect(text).not.toContain('王小明');
  });
});

