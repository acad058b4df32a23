import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Core } from '../../src-main/core/core.js';
import { generateFixtures, type FixturePaths } from '../fixtures/gguf/tiny-llama.js';
import { inChromium, type BrowserSession } from '../helpers/browser.js';
import { openTestCore, tempDir } from '../helpers/env.js';

/** The screenshot of the pane a person looks at (the brief's path for it). */
const SHOT = '/tmp/h/models-pane.png';
const MODEL = 'tiny-llama.gguf';
const ADAPTER = 'tiny-lora.gguf';
const PRESET = 'qizhen-cama';

/**
 * The models pane in Chromium against browser mode, as IT staff meet it on a new workstation: an
 * empty models folder holding one file that is no model, the fixture model and adapter imported
 * through the pane (uploaded), a profile made from a QiZhen preset with the adapter, a scale out of
 * range refused with the range, the profile put to use, and still current after a reload.
 */
describe('the models pane, in the browser', () => {
  let core: Core;
  let session: BrowserSession;
  let page: Page;
  let source: FixturePaths;
  let modelsDir: string;

  inChromium(
    async () => {
      source = generateFixtures(tempDir('xinglin-e2e-source-'), { contextLength: 2048 });
      modelsDir = tempDir('xinglin-e2e-models-');
      // Put there by hand, as IT staff might: a file named .gguf that is no model.
      fs.copyFileSync(source.notAModel, path.join(modelsDir, 'not-a-model.gguf'));
      fs.mkdirSync(path.dirname(SHOT), { recursive: true });
      core = await openTestCore({ modelsDir });
      return core;
    },
    (opened) => ({ session, page } = opened),
  );

  const entry = (file: string) => page.locator(`[data-testid="models-entry"][data-file="${file}"]`);

  it('opens from the status bar with nothing loaded, and keeps a file that is no model apart, with its reason', async () => {
    await page.getByTestId('models-open').click();
    await expect.poll(() => page.getByTestId('models-tab').getAttribute('aria-selected')).toBe('true');
    expect(new URL(page.url()).hash).toBe('#/models');
    expect(await page.getByTestId('models-current').textContent()).toContain('未载入模型');
    expect(await page.getByTestId('models-folder').textContent()).toBe(modelsDir);

    const invalid = page.getByTestId('models-invalid');
    await invalid.waitFor();
    expect(await invalid.getAttribute('open')).toBeNull(); // folded until asked for
    expect(await invalid.locator('summary').textContent()).toContain('无法使用的文件（1）');
    await invalid.locator('summary').click();
    const reason = invalid.locator('[data-testid="models-invalid-file"][data-file="not-a-model.gguf"] [data-testid="models-invalid-reason"]');
    await reason.waitFor();
    expect((await reason.textContent())?.trim()).toMatch(/[\u4e00-\u9fff]/);
    expect(await entry('not-a-model.gguf').count()).toBe(0);
    expect(await page.getByTestId('models-table-model').count()).toBe(0); // no model yet: nothing to pick by mistake
  });

  it('imports the model and the adapter through the pane, lists them with their metadata, and refuses a truncated file with its reason', async () => {
    await page.getByTestId('models-import-file').setInputFiles([source.model, source.lora, source.truncated]);
    const outcome = page.getByTestId('models-import-outcome');
    await outcome.waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('models-imported').count()).toBe(2);
    expect(await page.locator('[data-testid="models-imported"]').evaluateAll((items) => items.map((item) => item.getAttribute('data-file')))).toEqual([MODEL, ADAPTER]);
    const refused = page.locator('[data-testid="models-refused"][data-file="tiny-llama-truncated.gguf"]');
    expect((await refused.textContent())?.replace('tiny-llama-truncated.gguf', '')).toMatch(/[\u4e00-\u9fff]/);

    const model = entry(MODEL);
    await model.waitFor();
    expect(await model.getAttribute('data-kind')).toBe('model');
    expect(await model.getByTestId('models-entry-arch').textContent()).toBe('llama');
    expect(await model.getByTestId('models-entry-params').textContent()).not.toBe('—');
    expect(await model.getByTestId('models-entry-quant').textContent()).not.toBe('—');
    expect(await model.getByTestId('models-entry-context').textContent()).toBe('2048');
    expect(await model.getByTestId('models-entry-sha').textContent()).toMatch(/^\s*[0-9a-f]{12}\s*$/);
    expect(await entry(ADAPTER).getAttribute('data-kind')).toBe('adapter');
    expect(fs.existsSync(path.join(modelsDir, MODEL)) && fs.existsSync(path.join(modelsDir, 'lora', ADAPTER))).toBe(true);
  });

  it('verifies every file and marks each one', async () => {
    await page.getByTestId('models-verify').click();
    const report = page.getByTestId('models-verify-report');
    await report.waitFor({ timeout: 60_000 });
    const states = await report.locator('[data-testid="models-verify-result"]').evaluateAll((items) => items.map((item) => [item.getAttribute('data-file'), item.getAttribute('data-state')]));
    expect(states).toEqual(expect.arrayContaining([[MODEL, 'ok'], [ADAPTER, 'ok']]));
  });

  it('makes a profile from a QiZhen preset with the adapter: a scale of −5 is refused with the range, and saving waits for a valid one', async () => {
    await page.getByTestId('profile-start').selectOption(PRESET);
    await page.getByTestId('profile-create').click();
    const editor = page.getByTestId('profile-editor');
    await editor.getByTestId('profile-id').waitFor();
    expect(await editor.getByTestId('profile-model').inputValue()).toBe(MODEL);
    expect(await editor.getByTestId('profile-sampling-repeatPenalty').inputValue()).toBe('1.3');

    const adapter = editor.locator(`[data-testid="profile-adapter"][data-file="${ADAPTER}"]`);
    await adapter.getByTestId('profile-adapter-use').check();
    const scale = adapter.getByTestId('profile-adapter-scale');
    await scale.fill('-5');
    const problem = adapter.getByTestId('profile-adapter-scale-problem');
    await problem.waitFor();
    expect(await problem.textContent()).toContain('须在 −4 到 4 之间');
    expect(await scale.inputValue()).toBe('-5'); // kept as typed, never clamped
    expect(await editor.getByTestId('profile-save').isDisabled()).toBe(true);
    await page.screenshot({ path: '/tmp/h/models-editor.png' });

    await scale.fill('0.5');
    await problem.waitFor({ state: 'detached' });
    await editor.getByTestId('profile-save').click();
    await editor.waitFor({ state: 'hidden' });
    const item = page.locator(`[data-testid="profile-item"][data-profile-id="${PRESET}"]`);
    await item.waitFor();
    expect(await item.getByTestId('profile-backend').textContent()).toContain(`${ADAPTER} ×0.5`);
    const saved = (await core.api.profiles.list()).profiles.find((p) => p.id === PRESET);
    expect(saved).toMatchObject({ preset: PRESET, template: { kind: 'alpaca' }, backend: { kind: 'local', model: MODEL, adapters: [{ file: ADAPTER, scale: 0.5 }] }, sampling: { temperature: 0.4, topP: 0.75, repeatPenalty: 1.3, maxTokens: 512 } });
  });

  it('uses the profile: the model loads with the adapter, and the pane says which profile is current', async () => {
    const item = page.locator(`[data-testid="profile-item"][data-profile-id="${PRESET}"]`);
    await item.getByTestId('profile-use').click();
    await expect.poll(() => page.getByTestId('models-current').textContent(), { timeout: 90_000 }).toContain(MODEL);
    await expect.poll(() => item.getAttribute('data-current')).toBe('true');
    const profileName = (await core.api.profiles.list()).presets.find((p) => p.id === PRESET)!.name;
    expect(await page.getByTestId('models-current-profile').textContent()).toBe(profileName);
    expect(await page.getByTestId('models-current-adapters').textContent()).toContain(`${ADAPTER} ×0.5`);
    expect(await core.api.models.status()).toMatchObject({ state: 'ready', model: { file: MODEL }, profile: { id: PRESET } });
    await page.getByTestId('models-current-section').scrollIntoViewIfNeeded();
    await page.screenshot({ path: SHOT });
    await page.locator('#models-files').evaluate((section) => section.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: '/tmp/h/models-pane-files.png' });
    await page.locator('#models-folder').evaluate((section) => section.scrollIntoView({ block: 'end' }));
    await page.screenshot({ path: '/tmp/h/models-pane-folder.png' });
    await page.locator('#models-current').evaluate((section) => section.scrollIntoView({ block: 'start' }));
  });

  it('refuses to delete the loaded model, saying why', async () => {
    const errorsBefore = session.pageErrors.length;
    await entry(MODEL).getByTestId('models-entry-remove').click();
    await page.getByTestId('confirm-ok').click();
    const alert = page.getByTestId('models-files-section').getByTestId('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain(MODEL);
    expect(fs.existsSync(path.join(modelsDir, MODEL))).toBe(true);
    // The web host answers the refused call with HTTP 409, which Chromium logs; that is the only error here.
    const logged = session.pageErrors.splice(errorsBefore);
    expect(logged.filter((e) => !e.includes('status of 409'))).toEqual([]);
  });

  it('keeps the start-up load switch with the host', async () => {
    const autoLoad = page.getByTestId('profile-autoload');
    expect(await autoLoad.isChecked()).toBe(true); // on by default
    await autoLoad.uncheck();
    await expect.poll(async () => (await core.api.profiles.list()).autoLoad).toBe(false);
    await autoLoad.check();
    await expect.poll(async () => (await core.api.profiles.list()).autoLoad).toBe(true);
  });

  it('shows the profile current again after the page is reloaded', async () => {
    await page.reload();
    await expect.poll(() => page.getByTestId('models-tab').getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.getByTestId('models-current-profile').textContent()).toContain('启真');
    const item = page.locator(`[data-testid="profile-item"][data-profile-id="${PRESET}"]`);
    await expect.poll(() => item.getAttribute('data-current')).toBe('true');
    await page.screenshot({ path: '/tmp/h/models-pane-reloaded.png', fullPage: true });
    await page.getByTestId('language-switch').click();
    await expect.poll(() => page.getByTestId('models-current-section').locator('h2').textContent()).toBe('Current model');
    await page.screenshot({ path: '/tmp/h/models-pane-en.png' });
    await page.getByTestId('language-switch').click();
    expect(session.pageErrors).toEqual([]);
  });
});
