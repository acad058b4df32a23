import net from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ProfileInput } from '../../src-main/contract/index.js';
import type { Core } from '../../src-main/core/core.js';
import { generateFixtures } from '../fixtures/gguf/tiny-llama.js';
import { inChromium, shots, type BrowserSession } from '../helpers/browser.js';
import { openTestCore, tempDir } from '../helpers/env.js';


/** A loopback port nothing listens on: a model server that is down. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const profile = (id: string, name: string, adapters: Array<{ file: string; scale: number }>, maxTokens = 24): ProfileInput => ({
  id,
  name,
  backend: { kind: 'local', model: 'tiny-llama.gguf', adapters },
  sampling: { temperature: 0, topK: 40, topP: 0.9, seed: 7, maxTokens, repeatPenalty: 1.1 },
  contextSize: 2048,
});

/**
 * The comparison, the session's profile and the status bar in the real UI (Debian's Chromium,
 * browser mode) on the fixture model: a doctor puts one question to the base model and to the base
 * with its adapter side by side, comes back to it after a reload, answers a session with a chosen
 * profile, and reads where the model runs and how fast it went.
 */
describe('comparison and profiles in the browser', () => {
  let core: Core;
  let session: BrowserSession;
  let page: Page;

  inChromium(
    async () => {
      const modelsDir = tempDir('xinglin-e2e-compare-');
      generateFixtures(modelsDir, { contextLength: 2048 });
      core = await openTestCore({ modelsDir, contextSize: 2048, sampling: { temperature: 0, maxTokens: 24 } });
      await core.api.models.load({ model: 'tiny-llama.gguf', adapters: [] });
      await core.api.models.list(); // the registry records the files put in the folder by hand
      await core.api.profiles.save({ profile: profile('base', '基础模型', []) });
      await core.api.profiles.save({ profile: profile('base-lora', '基础模型 + 适配器', [{ file: 'tiny-lora.gguf', scale: 1 }]) });
      // Long answers, to be stopped while one streams and the other waits.
      await core.api.profiles.save({ profile: profile('long', '长回答', [], 3000) });
      await core.api.profiles.save({ profile: profile('long-lora', '长回答 + 适配器', [{ file: 'tiny-lora.gguf', scale: 1 }], 3000) });
      const down = `http://127.0.0.1:${await closedPort()}/v1`;
      await core.api.profiles.save({ profile: { ...profile('down', '诊所服务器', []), backend: { kind: 'remote', baseUrl: down, model: 'qizhen-cama', timeoutMs: 5000 } } });
      return core;
    },
    (opened) => ({ session, page } = opened),
  );

  const columns = () => page.getByTestId('compare-column');
  const shoot = (name: string, target: { screenshot(options: { path: string }): Promise<unknown> } = page) => target.screenshot({ path: path.join(shots, name) });

  async function startComparison(question: string, profiles: string[], shot?: string) {
    // Ctrl+D opens the dialog from wherever the doctor is in the chat pane.
    await page.getByTestId('composer').click();
    await page.keyboard.press('Control+d');
    const dialog = page.getByTestId('compare-dialog');
    await dialog.getByTestId('compare-question').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('compare-question');
    await page.keyboard.type(question);
    // The dialog keeps the profiles of the last comparison ticked: untick the others first (three at most).
    const boxes = dialog.getByTestId('compare-profile');
    for (const box of await boxes.all()) if (!profiles.includes((await box.getAttribute('data-profile-id'))!)) await box.uncheck();
    for (const id of profiles) await dialog.locator(`[data-testid="compare-profile"][data-profile-id="${id}"]`).check();
    expect(await boxes.evaluateAll((list) => list.filter((box) => (box as HTMLInputElement).checked).length)).toBe(profiles.length);
    if (shot) await shoot(shot);
    await dialog.getByTestId('compare-start').click();
    await page.getByTestId('compare-view').waitFor();
  }

  it('puts one question to two profiles side by side; both columns finish with their names and different answers', async () => {
    await page.getByTestId('composer').waitFor();
    await startComparison('痛风急性发作怎么处理？', ['base', 'base-lora'], 'e2e-compare-dialog.png');
    expect(await page.getByTestId('compare-dialog').getByTestId('compare-question').count()).toBe(0);
    await expect.poll(() => columns().count()).toBe(2);
    await expect.poll(() => columns().evaluateAll((list) => list.map((c) => c.getAttribute('data-state'))), { timeout: 120_000 }).toEqual(['complete', 'complete']);
    expect(await page.getByTestId('compare-profile-name').allTextContents()).toEqual(['基础模型', '基础模型 + 适配器']);
    const [base, lora] = await page.getByTestId('compare-answer').allTextContents();
    expect(base!.trim().length).toBeGreaterThan(0);
    expect(lora!.trim().length).toBeGreaterThan(0);
    expect(lora).not.toBe(base);
    // Each column says how its answer was made: model, adapters and scales, sampling, speed.
    const [baseLine, loraLine] = await page.getByTestId('compare-provenance').allTextContents();
    expect(baseLine).toContain('tiny-llama.gguf');
    expect(baseLine).not.toContain('tiny-lora.gguf');
    expect(loraLine).toContain('tiny-lora.gguf ×1.0');
    expect(loraLine).toMatch(/温度 0 · top-p 0\.9 · 重复惩罚 1\.1/);
    expect(loraLine).toMatch(/tok\/s/);
    // Saved as a comparison: marked in the sessions list, its address its own.
    const item = page.locator('[data-testid="session-item"]', { has: page.getByTestId('compare-mark') });
    await expect.poll(() => item.count()).toBe(1);
    expect(new URL(page.url()).hash).toMatch(/^#\/chat\/[\w-]+$/);
    await shoot('e2e-compare.png');
  });

  it('reopens the comparison from the sessions list after a reload, and stacks the columns in a narrow window', async () => {
    const before = await page.getByTestId('compare-answer').allTextContents();
    await page.reload();
    await page.getByTestId('new-session').click();
    await expect.poll(() => page.getByTestId('compare-view').count()).toBe(0);
    await page.locator('[data-testid="session-item"]', { has: page.getByTestId('compare-mark') }).getByRole('button').first().click();
    await page.getByTestId('compare-view').waitFor();
    await expect.poll(() => page.getByTestId('compare-answer').allTextContents()).toEqual(before);
    expect(await page.getByTestId('compare-profile-name').allTextContents()).toEqual(['基础模型', '基础模型 + 适配器']);
    expect(await page.getByTestId('compare-question-text').textContent()).toContain('痛风急性发作怎么处理？');
    const [first, second] = [await columns().nth(0).boundingBox(), await columns().nth(1).boundingBox()];
    expect(second!.y).toBeCloseTo(first!.y, 0); // side by side
    await page.setViewportSize({ width: 900, height: 800 });
    await expect.poll(async () => (await columns().nth(1).boundingBox())!.y).toBeGreaterThan((await columns().nth(0).boundingBox())!.y + 10);
    await shoot('e2e-compare-narrow.png');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('stops every answer of a comparison with one button', async () => {
    await page.getByTestId('new-session').click();
    await startComparison('高血压用什么药？', ['long', 'long-lora']);
    const first = columns().nth(0);
    await expect.poll(() => first.getAttribute('data-state'), { timeout: 60_000 }).toBe('streaming');
    expect(await columns().nth(1).getAttribute('data-state')).toBe('waiting');
    await page.getByTestId('compare-stop').click();
    await expect.poll(() => columns().evaluateAll((list) => list.map((c) => c.getAttribute('data-state'))), { timeout: 60_000 }).toEqual(['stopped', 'stopped']);
    expect(((await first.getByTestId('compare-answer').textContent()) ?? '').length).toBeGreaterThan(0);
    expect(await page.getByTestId('compare-stop').count()).toBe(0);
    await expect.poll(() => core.api.models.queue()).toEqual({ running: null, waiting: [] });
  });

  it('shows a failed column’s error while the other answers', async () => {
    await page.getByTestId('new-session').click();
    await startComparison('痛风能喝酒吗？', ['down', 'base']);
    await expect.poll(() => columns().evaluateAll((list) => list.map((c) => c.getAttribute('data-state'))), { timeout: 120_000 }).toEqual(['error', 'complete']);
    expect(await columns().nth(0).getByTestId('compare-status').textContent()).toContain('无法连接远程模型服务器');
    expect(((await columns().nth(1).getByTestId('compare-answer').textContent()) ?? '').trim().length).toBeGreaterThan(0);
    await shoot('e2e-compare-failed.png');
  });

  it('answers a session with the profile picked in the chat header, and its provenance names it', async () => {
    await page.getByTestId('new-session').click();
    await page.getByTestId('profile-picker').selectOption('base-lora');
    await page.getByTestId('composer').fill('高尿酸血症要注意什么？');
    await page.getByTestId('composer').press('Enter');
    const answer = page.locator('[data-testid="message"][data-role="assistant"]').last();
    await expect.poll(() => answer.getAttribute('data-status'), { timeout: 120_000 }).toBe('complete');
    const line = (await answer.getByTestId('answer-provenance').textContent()) ?? '';
    expect(line).toContain('配置：基础模型 + 适配器');
    expect(line).toContain('tiny-lora.gguf ×1.0');
    const id = new URL(page.url()).hash.split('/').at(-1)!;
    expect((await core.api.sessions.list()).find((s) => s.id === id)?.profileId).toBe('base-lora');
    expect(await page.getByTestId('profile-picker').inputValue()).toBe('base-lora');
    await shoot('e2e-profile-answer.png');
  });

  it('shows the device, the memory in use and the last speed in the status bar after an answer', async () => {
    await expect.poll(() => page.getByTestId('speed-status').textContent()).toMatch(/上次 [\d.]+ tok\/s/);
    expect(await page.getByTestId('device-status').textContent()).toMatch(/^CPU · 1 线程$/);
    const status = await core.api.models.status();
    expect(status.memory).not.toBeNull();
    await expect.poll(() => page.getByTestId('memory-status').textContent()).toMatch(/占用：权重 [\d.]+ [KMG]?B \+ 上下文 [\d.]+ [KMG]?B · 进程 [\d.]+ [KMG]?B/);
    // Another profile put to use: the status bar follows the host's `models.status` event.
    await core.api.profiles.use({ id: 'base-lora' });
    await expect.poll(() => page.getByTestId('profile-status').textContent()).toBe('配置：基础模型 + 适配器');
    await expect.poll(() => page.getByTestId('adapter-status').textContent()).toContain('tiny-lora.gguf');
    await shoot('e2e-statusbar.png', page.locator('.statusbar'));
    await page.getByTestId('language-switch').click();
    await expect.poll(() => page.getByTestId('memory-status').textContent()).toMatch(/^weights [\d.]+ [KMG]?B \+ contexts /);
    expect(await page.getByTestId('profile-status').textContent()).toBe('Profile: 基础模型 + 适配器');
    await shoot('e2e-statusbar-en.png', page.locator('.statusbar'));
    await page.getByTestId('language-switch').click();
  });

  it('raised no page errors and no CSP violations', () => {
    expect(session.pageErrors).toEqual([]);
  });
});
