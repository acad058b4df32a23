import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Core } from '../../src-main/core/core.js';
import { generateFixtures } from '../fixtures/gguf/tiny-llama.js';
import { inChromium, shots, type BrowserSession } from '../helpers/browser.js';
import { answerOf, nextEvent, openTestCore, tempDir } from '../helpers/env.js';


/**
 * The real Svelte UI in Debian's Chromium against browser mode, on the fixture model: what a doctor
 * does on a first morning — ask, watch it stream, stop, regenerate, come back, search, switch language.
 */
describe('browser mode end to end', () => {
  let core: Core;
  let session: BrowserSession;
  let page: Page;

  inChromium(
    async () => {
      const modelsDir = tempDir('xinglin-e2e-models-');
      // A long context and a generous token budget, so an answer streams long enough to be stopped.
      generateFixtures(modelsDir, { contextLength: 4096 });
      core = await openTestCore({ modelsDir, contextSize: 4096, sampling: { temperature: 0, maxTokens: 3000 } });
      await core.api.models.load({ model: 'tiny-llama.gguf', adapters: [{ file: 'tiny-lora.gguf', scale: 0.8 }] });
      return core;
    },
    (opened) => ({ session, page } = opened),
  );

  const assistant = () => page.locator('[data-testid="message"][data-role="assistant"]').last();

  it('opens in Chinese with the loaded model and adapter in the status bar', async () => {
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await expect.poll(() => page.getByTestId('model-status').textContent()).toContain('tiny-llama.gguf');
    expect(await page.getByTestId('adapter-status').textContent()).toContain('tiny-lora.gguf');
    expect(new URL(page.url()).hash).not.toContain('token');
  });

  it('a new session is an empty draft: in the list only once its first question is sent', async () => {
    await page.getByTestId('new-session').click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('composer');
    await page.getByTestId('new-session').click();
    expect(await page.getByTestId('session-title').textContent()).toBe('新会话');
    expect(await page.getByTestId('session-item').count()).toBe(0);
    expect(await core.api.sessions.list()).toEqual([]);
  });

  it('creates the session with its first question, streams an answer, and stops it with Esc keeping the partial text', async () => {
    await page.getByTestId('composer').fill('痛风急性发作怎么处理？');
    await page.getByTestId('composer').press('Enter');
    await expect.poll(() => page.getByTestId('session-item').count()).toBe(1);
    const streaming = assistant().and(page.locator('[data-status="streaming"]'));
    await streaming.waitFor();
    // Streaming shows text while the answer is still being written, and more of it later: nothing
    // here depends on how many updates a busy machine manages per second.
    await expect.poll(async () => ((await streaming.textContent()) ?? '').trim().length).toBeGreaterThan(0);
    const first = ((await streaming.textContent()) ?? '').length;
    await expect.poll(async () => ((await assistant().textContent()) ?? '').length).toBeGreaterThan(first);
    await page.screenshot({ path: path.join(shots, 'e2e-streaming.png') });
    await page.getByTestId('composer').press('Escape');
    await assistant().and(page.locator('[data-status="stopped"]')).waitFor();
    expect(((await assistant().textContent()) ?? '').length).toBeGreaterThan(0);
    // The untitled session is now named after its first question.
    await expect.poll(() => page.getByTestId('session-item').textContent()).toContain('痛风急性发作怎么处理');
  });

  it('regenerates the answer', async () => {
    const stoppedId = await assistant().getAttribute('data-message-id');
    await page.getByTestId('regenerate').click();
    await page.getByTestId('stop').waitFor();
    await page.getByTestId('stop').click();
    await assistant().and(page.locator('[data-status="stopped"]')).waitFor();
    expect(await assistant().getAttribute('data-message-id')).not.toBe(stoppedId);
    expect(await page.locator('[data-testid="message"][data-role="assistant"]').count()).toBe(1);
  });

  it('finds the session again after a reload', async () => {
    await page.reload();
    await page.getByTestId('session-item').first().waitFor();
    await page.getByTestId('session-item').first().getByRole('button').first().click();
    await expect.poll(() => page.locator('[data-testid="message"][data-role="user"]').first().textContent()).toContain('痛风急性发作怎么处理');
  });

  it('returns to the previous pane and session with the browser’s Back button', async () => {
    const sessionUrl = page.url();
    expect(new URL(sessionUrl).hash).toMatch(/^#\/chat\/[\w-]+$/);
    await page.getByTestId('kb-tab').click();
    await page.getByTestId('kb-search-input').waitFor();
    await expect.poll(() => new URL(page.url()).hash).toMatch(/^#\/knowledge/);
    await page.goBack();
    await expect.poll(() => page.getByTestId('chat-tab').getAttribute('aria-selected')).toBe('true');
    expect(page.url()).toBe(sessionUrl);
    expect(await page.locator('#pane-chat').isVisible()).toBe(true);
    await expect.poll(() => page.locator('[data-testid="message"][data-role="user"]').first().textContent()).toContain('痛风急性发作怎么处理');
    // The empty draft, then Back: the session again.
    await page.getByTestId('new-session').click();
    await expect.poll(() => new URL(page.url()).hash).toBe('#/chat');
    expect(await page.locator('[data-testid="message"]').count()).toBe(0);
    await page.goBack();
    await expect.poll(() => page.locator('[data-testid="message"][data-role="user"]').count()).toBeGreaterThan(0);
    expect(page.url()).toBe(sessionUrl);
    // Forward: the draft again (it replaced the knowledge pane ahead in the history), then back.
    await page.goForward();
    await expect.poll(() => new URL(page.url()).hash).toBe('#/chat');
    await page.goBack();
    await expect.poll(() => page.url()).toBe(sessionUrl);
  });

  it('searches with Ctrl+K and lands on the message', async () => {
    await page.getByTestId('new-session').click();
    expect(await page.getByTestId('session-item').count()).toBe(1);
    // The draft has opened when the composer has focus; then Ctrl+K moves focus to the search.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('composer');
    await page.keyboard.press('Control+k');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('search-input');
    await page.keyboard.type('痛风');
    const result = page.getByTestId('search-result').first();
    await result.waitFor();
    expect(await result.locator('mark').first().textContent()).toBe('痛风');
    await result.click();
    const target = page.locator('[data-testid="message"][data-role="user"]', { hasText: '痛风急性发作' });
    await target.waitFor();
    await expect.poll(() => target.isVisible()).toBe(true);
    await page.screenshot({ path: path.join(shots, 'e2e-search.png') });
  });

  it('switches to English, the host’s default session name included', async () => {
    await page.getByTestId('language-switch').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.getByTestId('new-session').getAttribute('aria-label')).toBe('New session');
    // A session made elsewhere (the CLI) keeps the host's default name, 新对话, until its first question.
    const made = await core.api.sessions.create({});
    expect(made.title).toBe('新对话');
    await page.reload();
    const item = page.locator(`[data-testid="session-item"][data-session-id="${made.id}"]`);
    await expect.poll(() => item.textContent()).toContain('New session');
    expect(await item.textContent()).not.toContain('新对话');
    await page.screenshot({ path: path.join(shots, 'e2e-english.png') });
    await page.getByTestId('language-switch').click();
    await expect.poll(() => item.textContent()).toContain('新会话');
  });

  it('an answer that waits for the model shows its place in line where it will appear, and stops there', async () => {
    // Another session's long answer has the model (its first token says so).
    const other = await core.api.sessions.create({ title: '占着模型' });
    const granted = nextEvent(core, 'chat.token', (token) => token.sessionId === other.id);
    const held = await core.api.chat.send({ sessionId: other.id, text: '痛风急性发作怎么处理？' });
    const heldAnswer = answerOf(core, held.assistantMessageId);
    await granted;
    await page.getByTestId('new-session').click();
    await page.getByTestId('composer').fill('高血压用什么药？');
    await page.getByTestId('composer').press('Enter');
    const place = page.getByTestId('queue-position');
    await place.waitFor();
    expect(await place.getAttribute('data-ahead')).toBe('1');
    expect(await place.textContent()).toContain('正在等待模型：前面还有 1 个请求');
    expect(await assistant().getAttribute('data-status')).toBe('waiting');
    await page.screenshot({ path: path.join(shots, 'e2e-queue-waiting.png') });
    await page.getByTestId('stop').click();
    await assistant().and(page.locator('[data-status="stopped"]')).waitFor();
    expect(await assistant().getByTestId('message-status').textContent()).toContain('在等待模型时停止');
    expect(await place.count()).toBe(0);
    expect(await page.getByTestId('stop').count()).toBe(0);
    await core.api.chat.stop({ sessionId: other.id });
    expect((await heldAnswer).done?.message.status).toBe('stopped');
    await expect.poll(() => core.api.models.queue()).toEqual({ running: null, waiting: [] });
  });

  it('shows the locked page, and calls nothing, when opened without the access token', async () => {
    const locked = await session.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const calls: string[] = [];
    const errors: string[] = [];
    locked.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/')) calls.push(request.url());
    });
    locked.on('pageerror', (error) => errors.push(String(error)));
    await locked.goto(new URL('/', session.host.url).href);
    await locked.getByTestId('locked').waitFor();
    expect(await locked.getByTestId('locked').getAttribute('data-reason')).toBe('missing');
    expect(await locked.locator('h1').textContent()).toContain('访问令牌');
    expect(await locked.getByText('xinglin serve').count()).toBeGreaterThan(0);
    expect(await locked.locator('.shell, [data-testid="composer"], [data-testid="alert"]').count()).toBe(0);
    await locked.screenshot({ path: path.join(shots, 'e2e-locked.png') });
    await locked.getByTestId('language-switch').click();
    await expect.poll(() => locked.locator('h1').textContent()).toContain('access link');
    expect(await locked.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(calls).toEqual([]);
    expect(errors).toEqual([]);
    // A token from an earlier start (Xinglin restarted since): refused, and the same page says so.
    await locked.goto('about:blank');
    await locked.goto(new URL('/#token=from-an-earlier-start', session.host.url).href);
    await expect.poll(() => locked.getByTestId('locked').getAttribute('data-reason')).toBe('rejected');
    expect(await locked.locator('[data-testid="composer"]').count()).toBe(0);
    expect(errors).toEqual([]);
    await locked.close();
  });

  it('raised no page errors and no CSP violations', () => {
    expect(session.pageErrors).toEqual([]);
  });
});
