import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src-main/core/core.js';
import { appRoot } from '../../src-main/hosts/common/app-root.js';
import { generateFixtures } from '../fixtures/gguf/tiny-llama.js';
import { openInChromium, type BrowserSession } from '../helpers/browser.js';
import { openTestCore, tempDir } from '../helpers/env.js';

const shots = path.join(appRoot(), 'test-results');

/**
 * The real Svelte UI in Debian's Chromium against browser mode, on the fixture model: what a doctor
 * does on a first morning — ask, watch it stream, stop, regenerate, come back, search, switch language.
 */
describe('browser mode end to end', () => {
  let core: Core;
  let session: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    const modelsDir = tempDir('xinglin-e2e-models-');
    // A long context and a generous token budget, so an answer streams long enough to be stopped.
    generateFixtures(modelsDir, { contextLength: 4096 });
    core = await openTestCore({ modelsDir, contextSize: 4096, sampling: { temperature: 0, maxTokens: 3000 } });
    await core.api.models.load({ model: 'tiny-llama.gguf', adapters: [{ file: 'tiny-lora.gguf', scale: 0.8 }] });
    session = await openInChromium(core);
    page = session.page;
    fs.mkdirSync(shots, { recursive: true });
  });

  afterAll(async () => {
    await session?.close();
    await core?.close();
  });

  const assistant = () => page.locator('[data-testid="message"][data-role="assistant"]').last();

  it('opens in Chinese with the loaded model and adapter in the status bar', async () => {
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await expect.poll(() => page.getByTestId('model-status').textContent()).toContain('tiny-llama.gguf');
    expect(await page.getByTestId('adapter-status').textContent()).toContain('tiny-lora.gguf');
    expect(new URL(page.url()).hash).not.toContain('token');
  });

  it('creates a session, streams an answer, and stops it with Esc keeping the partial text', async () => {
    await page.getByTestId('new-session').click();
    await expect.poll(() => page.getByTestId('session-item').count()).toBe(1);
    expect(await page.getByTestId('session-item').textContent()).toContain('新对话');
    await page.getByTestId('composer').fill('痛风急性发作怎么处理？');
    await page.getByTestId('composer').press('Enter');
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

  it('searches with Ctrl+K and lands on the message', async () => {
    await page.getByTestId('new-session').click();
    await expect.poll(() => page.getByTestId('session-item').count()).toBe(2);
    // The new session has opened when the composer has focus; then Ctrl+K moves focus to the search.
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

  it('switches to English', async () => {
    await page.getByTestId('language-switch').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.getByTestId('new-session').getAttribute('aria-label')).toBe('New session');
    await page.screenshot({ path: path.join(shots, 'e2e-english.png') });
  });

  it('raised no page errors and no CSP violations', () => {
    expect(session.pageErrors).toEqual([]);
  });
});
