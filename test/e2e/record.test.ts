import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Core } from '../../src-main/core/core.js';
import { inChromium, shots, type BrowserSession } from '../helpers/browser.js';
import { fixtureModels, openTestCore } from '../helpers/env.js';


/** A first visit for penicillin-allergic chest pain, where the doctor plans amoxicillin: the allergy check must speak up. */
const DIALOGUE = [
  '患者：医生，我胸口痛了三天，活动以后更明显。',
  '医生：有没有发热？咳嗽吗？',
  '患者：没有发热，也不咳嗽。',
  '医生：以前有什么病？',
  '患者：高血压十年了，一直吃氨氯地平。',
  '医生：对什么药过敏吗？',
  '患者：我对青霉素过敏。',
  '医生：查体血压150/90mmHg，心肺听诊未见异常。',
  '医生：先给你开阿莫西林胶囊，一次0.5克，一天三次。',
].join('\n');

/**
 * The record pane in the real UI against the real core, with no model (the findings draft): paste a
 * consultation, draft, read the findings and warnings, follow a sentence to its turns, edit and save
 * with Ctrl+S, lose nothing when another page saved first, sign (locked), add an addendum, export.
 */
describe('record pane end to end (no model: findings draft)', () => {
  let core: Core;
  let session: BrowserSession;
  let page: Page;
  let recordId = '';

  inChromium(
    async () => (core = await openTestCore()),
    (opened) => ({ session, page } = opened),
  );

  const sectionText = (on: Page, key: string) => on.locator(`[data-testid="record-section"][data-key="${key}"] [data-testid="record-section-text"]`);

  /** Another page of the same browser-mode host (its own storage: it is asked the doctor's name). */
  async function secondPage(): Promise<Page> {
    const other = await session.browser.newPage({ viewport: { width: 1280, height: 800 } });
    await other.goto(session.host.url);
    await other.getByTestId('record-tab').click();
    await other.locator(`[data-testid="record-item"][data-record-id="${recordId}"]`).click();
    await other.getByTestId('record-editor').waitFor();
    return other;
  }

  it('drafts a record from a pasted dialogue with Ctrl+Enter, asking the doctor’s name once', async () => {
    await page.getByTestId('record-tab').click();
    await expect.poll(() => new URL(page.url()).hash).toBe('#/record');
    // No model loaded: the model draft cannot be asked for.
    expect(await page.getByTestId('record-use-model').isDisabled()).toBe(true);
    await page.getByTestId('record-input').fill(DIALOGUE);
    await page.screenshot({ path: path.join(shots, 'record-input.png') });
    await page.getByTestId('record-input').press('Control+Enter');
    await page.getByTestId('record-doctor-name').waitFor();
    await page.getByTestId('record-doctor-name').fill('张医生');
    await page.getByTestId('record-doctor-save').click();
    await page.getByTestId('record-editor').waitFor();
    expect(await page.getByTestId('record-state').getAttribute('data-state')).toBe('draft');
    expect(await page.getByTestId('record-version').getAttribute('data-version')).toBe('1');
    await expect.poll(() => new URL(page.url()).hash).toMatch(/^#\/record\/.+/);
    recordId = decodeURIComponent(new URL(page.url()).hash.slice('#/record/'.length));
    const saved = await core.api.records.get({ id: recordId });
    expect(saved.dialogue).toHaveLength(9);
    expect(await page.getByTestId('record-turn').count()).toBe(9);
    expect(await page.getByTestId('record-item').count()).toBe(1);
    // The name is remembered: the next action does not ask again.
    expect(await page.evaluate(() => localStorage.getItem('xinglin.doctor'))).toBe('张医生');
  });

  it('shows the findings and the warnings, the allergy one citing its knowledge-base entry', async () => {
    const saved = await core.api.records.get({ id: recordId });
    await page.getByTestId('record-tab-findings').click();
    await expect.poll(() => page.getByTestId('record-finding').count()).toBe(saved.findings.length);
    const findings = await page.getByTestId('record-findings').textContent();
    expect(findings).toContain('胸痛');
    expect(findings).toContain('阳性');
    expect(findings).toContain('阴性'); // 没有发热
    await page.getByTestId('record-tab-warnings').click();
    await expect.poll(() => page.getByTestId('record-warning').count()).toBe(saved.warnings.length);
    const allergy = page.locator('[data-testid="record-warning"][data-kind="allergy"]').first();
    await allergy.waitFor();
    expect(await allergy.getAttribute('data-severity')).toBe('error');
    expect(await allergy.getByTestId('record-warning-entry').textContent()).toContain('阿莫西林');
    await page.screenshot({ path: path.join(shots, 'record-draft.png') });
  });

  it('highlights the turns a sentence rests on when it is hovered, and marks unsupported sentences', async () => {
    const sentence = page.locator('[data-testid="record-sentence"][data-supported="true"]:not([data-evidence=""])').first();
    // The dialogue lists its turns in order; a sentence may cite them in any order.
    const evidence = ((await sentence.getAttribute('data-evidence')) ?? '').split(',').sort((a, b) => Number(a) - Number(b));
    expect(evidence.length).toBeGreaterThan(0);
    await sentence.hover();
    await expect.poll(() => page.locator('[data-testid="record-turn"][data-highlighted]').evaluateAll((turns) => turns.map((turn) => (turn as HTMLElement).dataset['turn']))).toEqual(evidence);
    const first = page.locator(`[data-testid="record-turn"][data-turn="${evidence[0]}"]`);
    await expect.poll(() => first.isVisible()).toBe(true);
    await page.screenshot({ path: path.join(shots, 'record-evidence.png') });
    // Keyboard: focusing a sentence does the same.
    await page.mouse.move(0, 0);
    await expect.poll(() => page.locator('[data-testid="record-turn"][data-highlighted]').count()).toBe(0);
    await sentence.focus();
    await expect.poll(() => page.locator('[data-testid="record-turn"][data-highlighted]').count()).toBe(evidence.length);
    const saved = await core.api.records.get({ id: recordId });
    expect(await page.getByTestId('record-unsupported').count()).toBe(saved.unsupported);
  });

  it('saves an edit with Ctrl+S as version 2', async () => {
    const chief = sectionText(page, 'chiefComplaint');
    await chief.fill('胸痛3天，活动后加重');
    expect(await page.getByTestId('record-save-state').textContent()).toContain('未保存');
    await chief.press('Control+s');
    await page.locator('[data-testid="record-version"][data-version="2"]').waitFor();
    expect(await chief.inputValue()).toBe('胸痛3天，活动后加重');
    const versions = await core.api.records.versions({ id: recordId });
    expect(versions.map((v) => [v.version, v.action, v.author])).toEqual([
      [1, 'draft', '张医生'],
      [2, 'edit', '张医生'],
    ]);
    await page.getByTestId('record-tab-history').click();
    await page.getByTestId('record-diff').waitFor();
    expect(await page.getByTestId('record-version-item').count()).toBe(2);
    expect(await page.getByTestId('record-diff-added').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(shots, 'record-history.png') });
  });

  it('refuses the later save of two pages editing one record, keeping what was typed there', async () => {
    const other = await secondPage();
    try {
      await sectionText(page, 'presentIllness').fill('第一页的现病史。');
      await sectionText(page, 'presentIllness').press('Control+s');
      await page.locator('[data-testid="record-version"][data-version="3"]').waitFor();

      const typed = '第二页写的现病史，不能丢。';
      await sectionText(other, 'presentIllness').fill(typed);
      await sectionText(other, 'presentIllness').press('Control+s');
      // A page of its own storage: the name is asked first, then the save goes on and is refused.
      await other.getByTestId('record-doctor-name').waitFor();
      await other.getByTestId('record-doctor-name').fill('李医生');
      await other.getByTestId('record-doctor-save').click();
      const refused = other.getByTestId('record-refused');
      await refused.waitFor();
      expect(await refused.getAttribute('data-code')).toBe('RECORD_CONFLICT');
      expect(await refused.textContent()).toContain('另一个窗口');
      expect(await sectionText(other, 'presentIllness').inputValue()).toBe(typed);
      await other.screenshot({ path: path.join(shots, 'record-conflict.png') });
      const saved = await core.api.records.get({ id: recordId });
      expect(saved.version).toBe(3);
      expect(JSON.stringify(saved.sections)).not.toContain('第二页');
      // Reload: the newer version underneath, the typed text still in the editor, the saved text beside it.
      await other.getByTestId('record-reload').click();
      await other.getByTestId('record-theirs').waitFor();
      expect(await other.getByTestId('record-version').getAttribute('data-version')).toBe('3');
      expect(await sectionText(other, 'presentIllness').inputValue()).toBe(typed);
      expect(await other.getByTestId('record-theirs').textContent()).toContain('第一页的现病史');
    } finally {
      await other.context().close();
    }
  });

  it('signs after a confirmation that counts unsupported sentences and warnings; the record locks', async () => {
    const before = await core.api.records.get({ id: recordId });
    await page.getByTestId('record-sign').click();
    const dialog = page.getByTestId('record-sign-dialog');
    await dialog.getByTestId('record-sign-confirm').waitFor();
    expect(await dialog.getByTestId('record-sign-unsupported').getAttribute('data-count')).toBe(String(before.unsupported));
    expect(await dialog.getByTestId('record-sign-errors').getAttribute('data-count')).toBe(String(before.warnings.filter((w) => w.severity === 'error').length));
    await page.screenshot({ path: path.join(shots, 'record-sign.png') });
    await dialog.getByTestId('record-sign-confirm').click();
    await expect.poll(() => page.getByTestId('record-state').getAttribute('data-state')).toBe('signed');
    expect(await page.getByTestId('record-sign').isDisabled()).toBe(true);
    expect(await page.getByTestId('record-signed-by').textContent()).toContain('张医生');
    expect(await sectionText(page, 'chiefComplaint').getAttribute('readonly')).not.toBeNull();
    expect(await page.getByTestId('record-save').count()).toBe(0);
    const signed = await core.api.records.get({ id: recordId });
    expect([signed.state, signed.signedBy]).toEqual(['signed', '张医生']);
    await expect(core.api.records.save({ id: recordId, baseVersion: signed.version, author: '张医生', sections: [{ key: 'chiefComplaint', text: '改' }] })).rejects.toMatchObject({ code: 'RECORD_SIGNED' });
  });

  it('adds an addendum to the signed record, its text unchanged', async () => {
    const signed = await core.api.records.get({ id: recordId });
    await page.getByTestId('record-addendum-text').fill('更正：既往史补充糖尿病五年。');
    await page.getByTestId('record-addendum-add').click();
    await expect.poll(() => page.getByTestId('record-addendum').count()).toBe(1);
    expect(await page.getByTestId('record-addendum').textContent()).toContain('糖尿病五年');
    expect(await page.getByTestId('record-addendum-text').inputValue()).toBe('');
    const after = await core.api.records.get({ id: recordId });
    expect(after.sections).toEqual(signed.sections);
    expect(after.addenda.map((a) => [a.text, a.author])).toEqual([['更正：既往史补充糖尿病五年。', '张医生']]);
    await page.screenshot({ path: path.join(shots, 'record-signed.png') });
  });

  it('exports plain text as a download, and prints the record alone', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('record-export-text').click()]);
    const file = await download.path();
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('胸痛3天，活动后加重');
    expect(text).toContain('张医生');
    expect(text).toContain('糖尿病五年');
    expect(download.suggestedFilename()).toMatch(/\S/);

    await page.emulateMedia({ media: 'print' });
    try {
      expect(await page.locator('#app').isVisible()).toBe(false);
      const printed = page.getByTestId('record-print');
      expect(await printed.isVisible()).toBe(true);
      const shown = (await printed.textContent()) ?? '';
      for (const part of ['门诊病历', '就诊时间', '科别', '主诉', '医师签名', '张医生', '补充记录']) expect(shown).toContain(part);
      await page.screenshot({ path: path.join(shots, 'record-print.png') });
    } finally {
      await page.emulateMedia({ media: 'screen' });
    }
    expect(session.pageErrors).toEqual([]);
  });
});

/** With the generated model loaded: the model's draft is asked for from the pane and follows the findings draft. */
describe('record pane end to end (the model drafts)', () => {
  let core: Core;
  let session: BrowserSession;

  inChromium(
    async () => {
      // The generated model's tokenizer spends about three tokens on a Chinese character: room for the draft prompt.
      const { modelsDir } = fixtureModels({ contextLength: 8192 });
      core = await openTestCore({ modelsDir, contextSize: 8192 });
      await core.api.models.load({ model: 'tiny-llama.gguf' });
      return core;
    },
    (opened) => ({ session } = opened),
  );

  it('drafts with the model when asked: after the findings draft, a second draft version made by the model', async () => {
    const { page } = session;
    await page.getByTestId('record-tab').click();
    await expect.poll(() => page.getByTestId('record-use-model').isDisabled()).toBe(false);
    await page.getByTestId('record-use-model').check();
    await page.getByTestId('record-input').fill(DIALOGUE);
    await page.getByTestId('record-input').press('Control+Enter');
    await page.getByTestId('record-doctor-name').fill('张医生');
    await page.getByTestId('record-doctor-save').click();
    await page.getByTestId('record-editor').waitFor();
    await expect.poll(() => page.getByTestId('record-version').getAttribute('data-version'), { timeout: 120_000 }).toBe('2');
    expect(await page.getByTestId('record-state').getAttribute('data-state')).toBe('draft');
    const recordId = decodeURIComponent(new URL(page.url()).hash.slice('#/record/'.length));
    const record = await core.api.records.get({ id: recordId });
    expect(record.provenance).toMatchObject({ mode: 'llm', model: { file: 'tiny-llama.gguf' } });
    expect(record.draftError).toBeNull();
    expect(session.pageErrors).toEqual([]);
  });
});
