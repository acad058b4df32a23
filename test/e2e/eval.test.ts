import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { CriteriaCase } from '../../src-main/contract/index.js';
import type { Core } from '../../src-main/core/core.js';
import { inChromium, shots, type BrowserSession } from '../helpers/browser.js';
import { openTestCore } from '../helpers/env.js';

/**
 * Evaluation in the real UI, with no model installed: a set made from the knowledge base, run in
 * knowledge mode to 已完成, its report, and a doctor's review of one gold item that changes the
 * reviewed score and never the automatic one.
 */
describe('evaluation end to end (knowledge mode)', () => {
  let core: Core;
  let session: BrowserSession;
  let page: Page;

  inChromium(
    async () => (core = await openTestCore()),
    (opened) => ({ session, page } = opened),
  );

  /** A score cell of the report: the criterion's row, automatic or reviewed. */
  const cell = (criterion: string, column: 'auto' | 'reviewed') => page.locator(`[data-testid="eval-score"][data-criterion="${criterion}"] [data-testid="eval-score-${column}"]`);

  it('makes a small set from the knowledge base', async () => {
    await page.getByTestId('eval-tab').click();
    await page.getByTestId('eval-make-open').click();
    const kinds = page.getByTestId('eval-make-kind');
    expect(await kinds.count()).toBe(5);
    // Drug contraindications and disease drugs, three of each (the starter base has entries with a single gold item there).
    for (const kind of ['drug-indication', 'disease-symptom', 'disease-exam']) await page.locator(`[data-testid="eval-make-kind"][value="${kind}"]`).uncheck();
    await page.getByTestId('eval-make-sample').fill('3');
    await page.getByTestId('eval-make-submit').click();
    const set = page.getByTestId('eval-set').first();
    await set.waitFor();
    expect(await set.getByTestId('eval-set-cases').textContent()).toBe('6');
    expect(await set.textContent()).toContain('药品禁忌 3');
    const [made] = await core.api.eval.sets();
    expect(made).toMatchObject({ caseCount: 6, format: 'criteria', origin: 'made', kinds: { 'drug-contraindication': 3, 'disease-drug': 3 } });
  });

  it('runs the set in knowledge mode to 已完成 and reports its three criteria with their intervals', async () => {
    await page.getByTestId('eval-set-run').first().click();
    const knowledge = page.locator('[data-testid="eval-new-target"][value="knowledge"]');
    expect(await knowledge.isChecked()).toBe(true);
    expect(await page.getByTestId('eval-new-parallel').isChecked()).toBe(true);
    await page.getByTestId('eval-new-start').click();
    const report = page.locator('[data-testid="eval-report"][data-state="done"]');
    await report.waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('eval-report-state').textContent()).toBe('已完成');
    expect(await page.getByTestId('eval-score').count()).toBe(3);
    expect(await cell('any', 'auto').textContent()).toMatch(/^\d+\.\d%（95% CI \d+\.\d–\d+\.\d）$/);
    expect(await page.getByTestId('eval-target-counts').textContent()).toContain('已作答 6/6 题');
    // The runs list and the sidebar say the same.
    await page.getByTestId('eval-panel-runs').click();
    expect(await page.locator('[data-testid="eval-run"] [data-testid="eval-run-state"]').first().textContent()).toBe('已完成');
    expect(await page.getByTestId('eval-side-run').count()).toBe(1);
    await page.getByTestId('eval-run-view').first().click();
    await report.waitFor();
    await page.screenshot({ path: path.join(shots, 'e2e-eval-report.png') });
  });

  it('downloads the report as HTML', async () => {
    const download = page.waitForEvent('download');
    await page.getByTestId('eval-report-html').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/\.html$/);
    const saved = await file.path();
    expect(fs.readFileSync(saved, 'utf8')).toContain('知识库模式');
  });

  it('overrides one gold item in the review: the reviewed score changes, the automatic one stays', async () => {
    const [run] = await core.api.eval.runs();
    const detail = await core.api.eval.run({ id: run!.id });
    // A case whose only gold item the automatic scoring found: judging it a miss fails the first criterion.
    const single = detail.cases.find(({ case: c, results }) => 'gold' in c && c.gold.length === 1 && results[0]?.items?.[0]?.hit);
    expect(single, 'the made set holds a case with one gold item, found by the knowledge mode').toBeDefined();
    const caseId = single!.case.id;
    const item = (single!.case as CriteriaCase).gold[0]!;
    const any = run!.targets[0]!.auto.any!;
    const share = (count: number) => ((count / any.n) * 100).toFixed(1);
    const autoBefore = await cell('any', 'auto').textContent();
    expect(await cell('any', 'reviewed').textContent()).toBe(autoBefore);

    await page.getByTestId('eval-report-review').click();
    await page.getByTestId('eval-review-case').waitFor();
    // The keyboard moves between cases.
    const shown = () => page.getByTestId('eval-review-case').getAttribute('data-case-id');
    const first = await shown();
    await page.getByTestId('eval-review-next').focus();
    await page.keyboard.press('j');
    await expect.poll(shown).not.toBe(first);
    await page.keyboard.press('k');
    await expect.poll(shown).toBe(first);

    await page.locator(`[data-testid="eval-case"][data-case-id="${caseId}"]`).click();
    await expect.poll(shown).toBe(caseId);
    const gold = page.getByTestId('eval-gold').first();
    expect(await gold.getAttribute('data-hit')).toBe('true');
    expect(await page.getByTestId('eval-case-answer').locator('mark').count()).toBeGreaterThan(0);
    await gold.locator('label').filter({ hasText: '未命中' }).click();
    expect(await gold.getByTestId('eval-gold-verdict-no').isChecked()).toBe(true);
    expect(await gold.getAttribute('data-overridden')).toBe('true');
    await page.getByTestId('eval-review-note').fill('语境为禁忌，不算命中');
    await page.getByTestId('eval-review-save').click();
    // No doctor's name yet: asked once, then the review is saved with it.
    await page.getByTestId('eval-reviewer-name').fill('张医生');
    await page.getByTestId('eval-reviewer-save').click();
    await page.getByTestId('eval-review-saved').waitFor();
    expect(await page.getByTestId('eval-review-by').textContent()).toContain('张医生');
    const scores = page.locator('[data-testid="eval-review-scores"] [data-criterion="any"] dd');
    await expect.poll(() => scores.textContent()).toBe(`复核 ${share(any.count - 1)}%（自动 ${share(any.count)}%）`);
    await page.screenshot({ path: path.join(shots, 'e2e-eval-review.png') });

    await page.getByTestId('eval-panel-report').click();
    await expect.poll(() => cell('any', 'reviewed').textContent()).toContain(`${share(any.count - 1)}%`);
    expect(await cell('any', 'auto').textContent()).toBe(autoBefore);
    expect(await page.getByTestId('eval-target-counts').textContent()).toContain('复核医生：张医生');
    const reviewed = (await core.api.eval.run({ id: run!.id })).cases.find((c) => c.case.id === caseId)!.results[0]!.review;
    expect(reviewed).toMatchObject({ items: { [item]: false }, note: '语境为禁忌，不算命中', reviewer: '张医生' });
    expect(session.pageErrors).toEqual([]);
  });
});
