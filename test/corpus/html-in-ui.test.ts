import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src-main/core/core.js';
import { openInChromium, type BrowserSession } from '../helpers/browser.js';
import { openTestCore } from '../helpers/env.js';
import { importEntries } from '../helpers/import-entries.js';
import { htmlPayloads, INJECTED_SELECTOR, payloadDrug } from './html-payloads.js';

/**
 * HTML and script in a question and in imported knowledge entries, in the real UI (Debian's
 * Chromium, browser mode): shown as text wherever they appear — the question, the session list, a
 * knowledge answer (through the Markdown renderer), the entry, the search results — and never run:
 * `window.__pwned` stays unset, no element of theirs exists, and the page logs no error (a payload
 * that reached the DOM would at least trip the CSP).
 */
describe('corpus: HTML and script are shown as text in the UI, never run', () => {
  let core: Core;
  let session: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    core = await openTestCore();
    // One entry whose facts are all the payloads (a question about it brings them into an answer), and one per payload in its name.
    const report = await importEntries(core, [{ type: 'drug', name: '脚本测试片', indications: htmlPayloads.map((p) => `${p}头痛`), cautions: htmlPayloads }, ...htmlPayloads.map(payloadDrug)], '脚本测试来源');
    expect(report).toMatchObject({ committed: true, errors: [] });
    session = await openInChromium(core);
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
    await core?.close();
  });

  /** Nothing ran and nothing was injected. */
  const expectInert = async () => {
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await page.locator(INJECTED_SELECTOR).count()).toBe(0);
    expect(await page.evaluate(() => [...document.querySelectorAll('style')].some((s) => s.textContent?.includes('body{display:none}')))).toBe(false);
    expect(session.pageErrors).toEqual([]);
  };
  const markup = htmlPayloads.filter((p) => p.startsWith('<'));

  it('a question full of markup: the question and the session title show it as text', async () => {
    const question = `${htmlPayloads.join('\n')}\n这些是什么？`;
    await page.getByTestId('composer').fill(question);
    await page.getByTestId('composer').press('Enter');
    const asked = page.locator('[data-testid="message"][data-role="user"]').last();
    await asked.waitFor();
    await page.locator('[data-testid="message"][data-role="assistant"][data-status="complete"]').last().waitFor();
    const shown = (await asked.textContent()) ?? '';
    for (const payload of htmlPayloads) expect(shown).toContain(payload);
    await expect.poll(() => page.getByTestId('session-item').first().textContent()).toContain(htmlPayloads[0]!.slice(0, 10));
    await expectInert();
  });

  it('a knowledge answer quoting the entry’s markup shows it as text, and so does the entry it cites', async () => {
    await page.getByTestId('new-session').click();
    await page.getByTestId('composer').fill('脚本测试片的适应症和注意事项是什么？');
    await page.getByTestId('composer').press('Enter');
    const answer = page.locator('[data-testid="message"][data-role="assistant"][data-status="complete"]').last();
    await answer.waitFor();
    const answered = (await answer.textContent()) ?? '';
    for (const payload of markup) expect(answered).toContain(payload);
    await expectInert();

    await answer.getByTestId('citation-chip').first().click();
    await page.getByTestId('kb-entry').waitFor();
    expect(await page.getByTestId('kb-entry-name').textContent()).toBe('脚本测试片');
    const entry = (await page.getByTestId('kb-entry').textContent()) ?? '';
    for (const payload of htmlPayloads) expect(entry).toContain(payload);
    await expectInert();
  });

  it('entries named with markup appear as text in the knowledge search and their own page', async () => {
    await page.getByTestId('kb-tab').click();
    await page.getByTestId('kb-search-input').fill('脚本药');
    await expect.poll(() => page.getByTestId('kb-result').count()).toBeGreaterThanOrEqual(5);
    const results = (await page.locator('[data-testid="kb-result"]').allTextContents()).join('\n');
    expect(htmlPayloads.filter((p, i) => results.includes(payloadDrug(p, i).name)).length).toBeGreaterThanOrEqual(5);
    await page.getByTestId('kb-result').first().click();
    await page.getByTestId('kb-entry-name').waitFor();
    expect(await page.getByTestId('kb-entry-name').textContent()).toMatch(/^脚本药\d+/);
    await expectInert();
  });
});
