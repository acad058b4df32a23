import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Core } from '../../src-main/core/core.js';
import { inChromium, shots, type BrowserSession } from '../helpers/browser.js';
import { bigImport, openTestCore, tempDir } from '../helpers/env.js';


/**
 * The knowledge base in the real UI, with no model installed: a cited answer whose chip opens the
 * entry and its sources, the Knowledge pane's search, and a dry-run import that reports a bad line.
 */
describe('knowledge base end to end (no model: knowledge mode)', () => {
  let core: Core;
  let session: BrowserSession;
  let page: Page;

  inChromium(
    async () => (core = await openTestCore()),
    (opened) => ({ session, page } = opened),
  );

  it('answers from the knowledge base with a citation chip that opens the entry and its source', async () => {
    await page.getByTestId('composer').fill('非布司他的适应病症是什么？');
    await page.getByTestId('composer').press('Enter');
    const answer = page.locator('[data-testid="message"][data-role="assistant"][data-status="complete"]').last();
    await answer.waitFor();
    expect(await answer.textContent()).toContain('痛风');
    expect(await page.getByTestId('answer-mode').last().textContent()).toContain('知识库');
    const chip = answer.getByTestId('citation-chip').first();
    expect(await chip.textContent()).toContain('非布司他');
    await chip.click();
    const entry = page.getByTestId('kb-entry');
    await entry.waitFor();
    expect(await page.getByTestId('kb-entry-name').textContent()).toBe('非布司他');
    // The cited fact is highlighted and focused, so the doctor lands on what the answer said.
    const cited = entry.locator('[data-testid="kb-fact"][data-cited]');
    expect(await cited.getAttribute('data-field')).toBe('indications');
    await expect.poll(() => cited.evaluate((node) => node === document.activeElement)).toBe(true);
    expect(await cited.getByTestId('kb-source').textContent()).toContain('待药剂科审核');
  });

  it('never answers a near-miss name: offers the near name as a button that asks again with it', async () => {
    await page.getByTestId('chat-tab').click();
    await page.getByTestId('composer').fill('利血平的适应症是什么？');
    await page.getByTestId('composer').press('Enter');
    const refused = page.locator('[data-testid="message"][data-role="assistant"][data-status="complete"]').last();
    await expect.poll(() => refused.textContent()).toContain('知识库中没有「利血平」');
    expect(await refused.getByTestId('citation-chip').count()).toBe(0);
    expect(await refused.getByTestId('answer-support').getAttribute('data-support')).toBe('none');
    const choice = refused.getByTestId('choice').first();
    expect(await choice.textContent()).toContain('利福平');
    await choice.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[data-testid="message"][data-role="user"]').last().textContent()).toContain('利福平的适应症是什么？');
    const answer = page.locator('[data-testid="message"][data-role="assistant"][data-status="complete"]').last();
    await expect.poll(() => answer.getByTestId('answer-support').getAttribute('data-support')).toBe('knowledge');
    expect(await answer.getByTestId('citation-chip').first().textContent()).toContain('利福平 · 适应症');
    await page.screenshot({ path: path.join(shots, 'e2e-near-miss.png') });
  });

  it('searches the knowledge base and opens a disease', async () => {
    await page.getByTestId('kb-tab').click();
    await page.getByTestId('kb-search-input').fill('痛风');
    const result = page.getByTestId('kb-result').first();
    await result.waitFor();
    expect(await result.textContent()).toContain('痛风');
    await result.click();
    await expect.poll(() => page.getByTestId('kb-entry-name').textContent()).toBe('痛风');
    expect(await page.locator('[data-testid="kb-fact"][data-field="symptoms"]').count()).toBeGreaterThan(0);
  });

  it('goes back to the entry before and to the chat with the browser’s Back button, and forward again', async () => {
    expect(new URL(page.url()).hash).toMatch(/^#\/knowledge\/entry\/.+/);
    await page.goBack();
    await expect.poll(() => page.getByTestId('kb-entry-name').textContent()).toBe('非布司他');
    await page.goBack();
    await expect.poll(() => page.getByTestId('chat-tab').getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('[data-testid="message"][data-role="user"]').last().textContent()).toContain('利福平的适应症是什么？');
    await page.goForward();
    await page.goForward();
    await expect.poll(() => page.getByTestId('kb-entry-name').textContent()).toBe('痛风');
    expect(await page.getByTestId('kb-tab').getAttribute('aria-selected')).toBe('true');
  });

  /** The files the web host received and still holds: an upload is removed once its import ends. */
  const uploads = () => fs.readdirSync(path.join(core.config.dataDir, 'uploads'));

  it('a dry-run import of a file picked in the page is uploaded, reports the bad line, and writes nothing', async () => {
    const file = path.join(tempDir('xinglin-e2e-import-'), 'hospital.jsonl');
    fs.writeFileSync(file, ['{"type":"drug","name":"测试药甲","indications":["高血压"]}', '{"type":"drug","name":""}'].join('\n'));
    const before = await core.api.kb.stats();
    await page.getByTestId('kb-panel-import').click();
    // A page cannot name a path: the file goes through the browser's file input and an upload.
    await page.getByTestId('kb-import-file').setInputFiles(file);
    await page.getByTestId('kb-import-dryrun').check();
    await page.getByTestId('kb-import-run').click();
    await page.getByTestId('kb-import-report').waitFor();
    expect(await page.getByTestId('kb-import-report').textContent()).toContain('医院导入：hospital.jsonl');
    expect(await page.getByTestId('kb-import-error').first().getAttribute('data-line')).toBe('2');
    expect(await core.api.kb.stats()).toEqual(before);
    expect(uploads()).toEqual([]);
  });

  it('a large import shows in the status bar, is cancelled there from the keyboard, and leaves the base as it was', async () => {
    const file = bigImport(50, 4);
    const before = await core.api.kb.stats();
    const errorsBefore = session.pageErrors.length;
    await page.getByTestId('kb-panel-import').click();
    await page.getByTestId('kb-import-file').setInputFiles(file);
    await page.getByTestId('kb-import-dryrun').uncheck();
    await page.getByTestId('kb-import-run').click();
    // The job appears in the status bar with a cancel button that names it; it is pressed from the
    // keyboard at once (the import reads for seconds: a cancel then is honoured straight away).
    const job = page.locator('[data-testid="job"][data-kind="kb.import"]', { hasText: 'big.jsonl' });
    const cancel = job.getByRole('button', { name: '取消导入知识库：big.jsonl' });
    await cancel.waitFor({ timeout: 30_000 });
    expect(await job.locator('progress[max="100"]').count()).toBe(1);
    await cancel.focus();
    await page.keyboard.press('Enter');
    // A calm note, not an error; the job says it was cancelled, then leaves the status bar.
    await page.getByTestId('kb-import-cancelled').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('kb-import-cancelled').textContent()).toContain('已取消，知识库保持原样');
    await page.screenshot({ path: path.join(shots, 'e2e-import-cancelled.png') });
    expect(await page.locator('#pane-knowledge [data-testid="alert"]').count()).toBe(0);
    expect(await page.getByTestId('kb-import-report').count()).toBe(0);
    expect(await page.getByTestId('kb-import-progress').count()).toBe(0);
    await expect.poll(() => job.count(), { timeout: 30_000 }).toBe(0);
    expect(await core.api.kb.stats()).toEqual(before);
    expect((await core.api.jobs.list()).find((j) => j.subject === 'big.jsonl')).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED' } });
    expect(uploads()).toEqual([]);
    // The web host answers the cancelled call with HTTP 409, which Chromium logs; that is the only error here.
    const logged = session.pageErrors.splice(errorsBefore);
    expect(logged.filter((e) => !e.includes('status of 409'))).toEqual([]);
    expect(logged.length).toBeLessThanOrEqual(1);
  });

  it('an imported source is inspected, removed after confirmation, and an open entry of it says it is gone', async () => {
    const file = path.join(tempDir('xinglin-e2e-source-'), 'ours.jsonl');
    fs.writeFileSync(file, '{"type":"drug","name":"测试替尼片","indications":["测试病"]}\n');
    await core.api.kb.import({ file: core.files.register(file).file, format: 'jsonl', dryRun: false, source: '本院测试来源' });
    const [hit] = await core.api.kb.search({ query: '测试替尼片', limit: 5 });
    await page.getByTestId('kb-panel-stats').click();
    const row = page.locator('[data-testid="kb-stats-source"]', { hasText: '本院测试来源' });
    await row.getByRole('button', { name: '查看' }).click();
    await expect.poll(() => page.getByTestId('kb-source-detail').textContent()).toContain('测试替尼片');
    await page.getByTestId('kb-source-detail').getByRole('button', { name: '测试替尼片' }).click();
    await expect.poll(() => page.getByTestId('kb-entry-name').textContent()).toBe('测试替尼片');

    // A changed file re-imported keeps the old version, which the row offers to roll back to.
    fs.writeFileSync(file, '{"type":"drug","name":"测试替尼片","indications":["测试病","另一测试病"]}\n');
    await core.api.kb.import({ file: core.files.register(file).file, format: 'jsonl', dryRun: false, source: '本院测试来源' });
    await page.getByTestId('kb-panel-stats').click();
    await page.getByRole('button', { name: '刷新' }).click();
    await row.getByTestId('kb-source-rollback').click();
    await expect.poll(() => page.getByTestId('kb-source-notice').textContent()).toContain('已回滚到上一版本');
    expect((await core.api.kb.entry({ id: hit!.id })).facts.find((f) => f.field === 'indications')!.value).toEqual(['测试病']);

    await row.getByTestId('kb-source-remove').click();
    await page.getByTestId('kb-source-confirm').waitFor();
    await page.screenshot({ path: path.join(shots, 'e2e-kb-sources.png') });
    expect((await core.api.kb.stats()).sources.map((s) => s.label)).toContain('本院测试来源');
    await page.getByTestId('kb-source-confirm-remove').click();
    await expect.poll(() => page.getByTestId('kb-source-notice').textContent()).toContain('已删除来源“本院测试来源”');
    expect((await core.api.kb.stats()).sources.map((s) => s.label)).not.toContain('本院测试来源');
    await expect.poll(() => core.api.kb.entry({ id: hit!.id }).catch((e: Error) => e.message)).toMatch(/条目/);
  });

  it('raised no page errors', () => {
    // The refused import answers HTTP 4xx, which Chromium logs as a console error: only page errors count here.
    expect(session.pageErrors.filter((e) => !e.includes('status of 4'))).toEqual([]);
  });
});
