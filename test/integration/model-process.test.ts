// @vitest-environment node
/**
 * The model runs in a process of its own: killed (SIGKILL, as the out-of-memory killer does),
 * aborted (SIGABRT, as a failed GGML_ASSERT does) or hung (SIGSTOP) while it answers, the app
 * keeps running, the partial answer stays as `interrupted`, the status offers the model for
 * reload and nothing reloads it by itself. Real core, real model process, real SQLite.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src-main/core/core.js';
import { answerOf, fixtureModels, nextEvent, openTestCore, recordingRuntime } from '../helpers/env.js';

const MODEL = 'tiny-llama.gguf';
const QUESTION = '患者头痛三天，伴发热，应该怎么处理？';
const LONG = { temperature: 0, maxTokens: 400 };

let core: Core | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

/** A core whose model processes the test can see (to kill them as the system would). */
async function openCore(options: { runtimeHangMs?: number } = {}) {
  const { spawn, spawned } = recordingRuntime();
  const { modelsDir } = fixtureModels();
  core = await openTestCore({ modelsDir, spawnRuntime: spawn, ...options });
  await core.api.models.load({ model: MODEL });
  const session = await core.api.sessions.create({});
  return { core, modelsDir, session, spawned, current: () => spawned.at(-1)! };
}

/** Asks, and sends `signal` to the model process once `afterChunks` chunks of the answer have arrived. */
async function askAndSignal(app: Awaited<ReturnType<typeof openCore>>, signal: NodeJS.Signals, afterChunks = 3) {
  const chunks: string[] = [];
  const pid = app.current().pid!;
  const unsubscribe = app.core.subscribe((name, payload) => {
    if (name !== 'chat.token') return;
    chunks.push((payload as { text: string }).text);
    if (chunks.length === afterChunks) process.kill(pid, signal);
  });
  const sent = await app.core.api.chat.send({ sessionId: app.session.id, text: QUESTION, sampling: LONG });
  const outcome = await answerOf(app.core, sent.assistantMessageId);
  unsubscribe();
  return { sent, outcome, chunks, pid };
}

async function lastMessage(app: Awaited<ReturnType<typeof openCore>>) {
  return (await app.core.api.sessions.messages({ id: app.session.id })).at(-1)!;
}

describe('the model process', () => {
  it('killed while answering: the app keeps running, the partial answer is kept as interrupted, the model is offered for reload and not reloaded by itself', async () => {
    const app = await openCore();
    const { outcome, chunks, pid } = await askAndSignal(app, 'SIGKILL');

    expect(outcome.error?.error.code).toBe('RUNTIME_CRASHED');
    expect(outcome.error?.error.message).toMatch(/^模型进程意外退出：被系统强制终止（SIGKILL），常见原因是内存不足/);
    const interrupted = await lastMessage(app);
    expect(interrupted).toMatchObject({ role: 'assistant', status: 'interrupted', error: { code: 'RUNTIME_CRASHED' } });
    expect(interrupted.text).toBe(chunks.join(''));
    expect(interrupted.text.length).toBeGreaterThan(0);

    const status = await app.core.api.models.status();
    expect(status).toMatchObject({ state: 'error', model: null, error: { code: 'RUNTIME_CRASHED' }, reloadable: { model: MODEL, adapters: [] } });
    // A fresh model process was started, without a model; the dead one is gone.
    expect(app.spawned).toHaveLength(2);
    expect(app.current().pid).not.toBe(pid);

    // The app answers on (knowledge mode: no model loaded), and the next answer does not read the cut-off one.
    const next = await app.core.api.chat.send({ sessionId: app.session.id, text: '阿莫西林的禁忌是什么？' });
    const answer = await answerOf(app.core, next.assistantMessageId);
    expect(answer.done?.message).toMatchObject({ status: 'complete', provenance: { mode: 'knowledge' } });
    expect((await app.core.api.models.status()).state).toBe('error');

    // One action reloads what was running, in the new process; the model answers again.
    await app.core.api.models.load(status.reloadable!);
    expect(await app.core.api.models.status()).toMatchObject({ state: 'ready', model: { file: MODEL }, error: null, reloadable: null });
    const again = await app.core.api.chat.regenerate({ sessionId: app.session.id, sampling: { temperature: 0, maxTokens: 8 } });
    expect((await answerOf(app.core, again.assistantMessageId)).done?.message).toMatchObject({ status: 'complete', provenance: { mode: 'llm' } });
    expect(app.spawned).toHaveLength(2);
  });

  it('aborted as by a failed GGML_ASSERT: the cause names llama.cpp', async () => {
    const app = await openCore();
    const { outcome } = await askAndSignal(app, 'SIGABRT');
    expect(outcome.error?.error).toMatchObject({ code: 'RUNTIME_CRASHED', message: expect.stringMatching(/^模型进程意外退出：llama\.cpp 中止/) });
    expect((await lastMessage(app)).status).toBe('interrupted');
  });

  it('hung while answering: ended after the hang limit, the partial answer kept', async () => {
    const app = await openCore({ runtimeHangMs: 3000 });
    const { outcome, chunks, pid } = await askAndSignal(app, 'SIGSTOP');
    expect(outcome.error?.error).toMatchObject({ code: 'RUNTIME_CRASHED', message: expect.stringMatching(/^模型进程意外退出：\d+ 秒没有任何进展，已被终止/) });
    expect(() => process.kill(pid, 0)).toThrow();
    expect(await lastMessage(app)).toMatchObject({ status: 'interrupted', text: chunks.join('') });
  });

  it('saves the answer while it streams: the row exists with its text before the answer ends', async () => {
    const app = await openCore();
    let paused = '';
    const pid = app.current().pid!;
    const chunks: string[] = [];
    const stopped = new Promise<void>((resolve) => {
      const unsubscribe = app.core.subscribe((name, payload) => {
        if (name !== 'chat.token') return;
        chunks.push((payload as { text: string }).text);
        if (chunks.length === 2) {
          process.kill(pid, 'SIGSTOP');
          paused = chunks.join('');
          unsubscribe();
          resolve();
        }
      });
    });
    const sent = await app.core.api.chat.send({ sessionId: app.session.id, text: QUESTION, sampling: LONG });
    await stopped;
    try {
      // Within about a second the saved row holds exactly what was streamed (polled: no timing is asserted).
      let row = await lastMessage(app);
      for (let tries = 0; tries < 100 && row.text !== paused; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        row = await lastMessage(app);
      }
      expect(row).toMatchObject({ id: sent.assistantMessageId, status: 'streaming', text: paused });
      // Not searchable until it ends: the index never holds a half answer.
      expect((await app.core.api.sessions.search({ query: QUESTION.slice(0, 4) })).filter((hit) => hit.role === 'assistant')).toEqual([]);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const done = await answerOf(app.core, sent.assistantMessageId);
    expect(done.done?.message.status).toBe('complete');
    expect((await lastMessage(app)).text).toBe(done.done?.message.text);
  });

  it('killed while loading another model: the model that was loaded is loaded again', async () => {
    const app = await openCore();
    fs.copyFileSync(path.join(app.modelsDir, MODEL), path.join(app.modelsDir, 'other.gguf'));
    // Kill the model process as soon as llama.cpp starts reading the new weights.
    const killed = nextEvent(app.core, 'job.progress', (job) => job.kind === 'models.load' && job.phase === 'model').then(() => process.kill(app.current().pid!, 'SIGKILL'));
    const failure = await app.core.call('models.load', { model: 'other.gguf' });
    await killed;
    expect(failure).toMatchObject({ ok: false, error: { code: 'RUNTIME_CRASHED' } });
    expect(await app.core.api.models.status()).toMatchObject({ state: 'ready', model: { file: MODEL }, error: null });
    const sent = await app.core.api.chat.send({ sessionId: app.session.id, text: QUESTION, sampling: { temperature: 0, maxTokens: 8 } });
    expect((await answerOf(app.core, sent.assistantMessageId)).done?.message).toMatchObject({ status: 'complete', provenance: { mode: 'llm', model: { file: MODEL } } });
  });
});
