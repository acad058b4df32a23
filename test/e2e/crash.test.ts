import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Core } from '../../src-main/core/core.js';
import { inChromium, shots, type BrowserSession } from '../helpers/browser.js';
import { fixtureModels, openTestCore, recordingRuntime } from '../helpers/env.js';

const MODEL = 'tiny-llama.gguf';
const QUESTION = '患者头痛三天，伴发热，应该怎么处理？';

/**
 * The real UI in Chromium when the model process dies under an answer (SIGKILL, as the
 * out-of-memory killer does) and when the page is reloaded mid-answer: the partial answer stays on
 * screen as interrupted with 重新生成, the models pane and the status bar offer 重新加载, and
 * after the reload the model answers again. Every wait is on a DOM state, none on a timing.
 */
describe('a crash of the model process, in the browser', () => {
  let core: Core;
  let session: BrowserSession;
  let page: Page;
  const { spawn, spawned } = recordingRuntime();

  inChromium(
    async () => {
      const { modelsDir } = fixtureModels();
      core = await openTestCore({ modelsDir, spawnRuntime: spawn, sampling: { temperature: 0, maxTokens: 400 } });
      await core.api.models.load({ model: MODEL });
      return core;
    },
    async (opened) => {
      ({ session, page } = opened);
      await page.getByTestId('model-status').and(page.locator('[data-state="ready"]')).waitFor();
    },
  );

  const assistant = () => page.locator('[data-testid="message"][data-role="assistant"]').last();

  /**
   * Sends `signal` to the model process once `afterChunks` chunks of the next answer went out;
   * `text()` is every chunk so far (some may still arrive after the signal, already on their way).
   */
  function signalAfter(signal: NodeJS.Signals, afterChunks: number) {
    const pid = spawned.at(-1)!.pid!;
    const chunks: string[] = [];
    let stop = () => {};
    const sent = new Promise<void>((resolve) => {
      stop = core.subscribe((name, payload) => {
        if (name !== 'chat.token') return;
        chunks.push((payload as { text: string }).text);
        if (chunks.length !== afterChunks) return;
        process.kill(pid, signal);
        resolve();
      });
    });
    return { pid, sent, text: () => chunks.join(''), stop };
  }

  async function savedAnswer() {
    const id = new URL(page.url()).hash.split('/').at(-1)!;
    return (await core.api.sessions.messages({ id: decodeURIComponent(id) })).at(-1)!;
  }

  it('keeps the partial answer as interrupted, offers the model for reload, and answers again after it', async () => {
    const killed = signalAfter('SIGKILL', 3);
    await page.getByTestId('composer').fill(QUESTION);
    await page.getByTestId('composer').press('Enter');
    await killed.sent;

    const interrupted = assistant().and(page.locator('[data-status="interrupted"]'));
    await interrupted.waitFor();
    const saved = await savedAnswer();
    killed.stop();
    expect(saved).toMatchObject({ status: 'interrupted', text: killed.text(), error: { code: 'RUNTIME_CRASHED' } });
    const note = interrupted.getByTestId('message-status');
    expect(await note.textContent()).toContain('回答被中断');
    expect(await interrupted.getByTestId('interrupted-cause').textContent()).toContain('模型进程意外退出');
    expect(await interrupted.getByTestId('regenerate').isEnabled()).toBe(true);
    // The partial text is on screen, above the note (rendered as Markdown: its text, not the markup).
    expect(saved.text.trim().length).toBeGreaterThan(0);
    expect(((await interrupted.locator('.markdown').textContent()) ?? '').trim().length).toBeGreaterThan(0);

    // Nothing blocks: no answer runs, the question box takes a new question.
    expect(await page.getByTestId('stop').count()).toBe(0);
    expect(await page.getByTestId('composer').isEditable()).toBe(true);
    await page.getByTestId('model-status').and(page.locator('[data-state="error"]')).waitFor();
    expect(await page.getByTestId('model-status').textContent()).toContain('模型进程意外退出');
    expect(await page.getByTestId('status-reload').isVisible()).toBe(true);
    await page.screenshot({ path: path.join(shots, 'e2e-crash-chat.png') });

    await page.getByTestId('models-open').click();
    const crash = page.getByTestId('models-crash');
    await crash.waitFor();
    expect(await crash.textContent()).toContain('模型进程意外退出');
    expect(await page.getByTestId('models-reload').textContent()).toContain(`重新加载“${MODEL}”`);
    await page.screenshot({ path: path.join(shots, 'e2e-crash-models.png') });
    expect((await core.api.models.status()).state).toBe('error'); // never reloaded by itself

    await page.getByTestId('models-reload').click();
    await page.getByTestId('models-current').filter({ hasText: MODEL }).waitFor();
    expect(await crash.count()).toBe(0);
    expect(await core.api.models.status()).toMatchObject({ state: 'ready', model: { file: MODEL }, reloadable: null });
    await page.getByTestId('model-status').and(page.locator('[data-state="ready"]')).waitFor();
    await page.goBack(); // from the models pane back to the session
    await expect.poll(() => page.getByTestId('chat-tab').getAttribute('aria-selected')).toBe('true');

    // 重新生成 is reached from the keyboard; the interrupted answer gives way to the model's new one.
    await interrupted.getByTestId('regenerate').focus();
    await page.keyboard.press('Enter');
    const complete = assistant().and(page.locator('[data-status="complete"]'));
    await complete.waitFor();
    expect(await page.locator('[data-status="interrupted"]').count()).toBe(0);
    expect(await complete.getByTestId('answer-mode').getAttribute('data-mode')).toBe('llm');
    expect(await savedAnswer()).toMatchObject({ status: 'complete', provenance: { mode: 'llm' } });
  });

  it('shows an answer still being written after a page reload, and goes on with it', async () => {
    await page.getByTestId('new-session').click();
    const paused = signalAfter('SIGSTOP', 2);
    await page.getByTestId('composer').fill(QUESTION);
    await page.getByTestId('composer').press('Enter');
    await paused.sent;
    try {
      // The row holds what was streamed within about a second (polled: no timing asserted).
      await expect.poll(async () => (await savedAnswer()).text === paused.text(), { timeout: 30_000 }).toBe(true);
      await page.reload();
      const streaming = assistant().and(page.locator('[data-status="streaming"]'));
      await streaming.waitFor();
      expect(await streaming.getAttribute('aria-busy')).toBe('true'); // the live answer, not a saved row
      await expect.poll(async () => ((await streaming.textContent()) ?? '').trim().length).toBeGreaterThan(0);
      expect(await page.getByTestId('stop').isVisible()).toBe(true);
    } finally {
      paused.stop();
      process.kill(paused.pid, 'SIGCONT');
    }
    const complete = assistant().and(page.locator('[data-status="complete"]'));
    await complete.waitFor();
    const saved = await savedAnswer();
    expect(saved.status).toBe('complete');
    expect(await page.locator('[data-testid="message"][data-role="assistant"]').count()).toBe(1);
    expect(session.pageErrors).toEqual([]);
  });
});
