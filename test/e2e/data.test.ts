import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Session } from '../../src-main/contract/index.js';
import type { Keychain } from '../../src-main/core/config.js';
import { keyToText, readMarker, type Core } from '../../src-main/core/core.js';
import { inChromium, type BrowserSession } from '../helpers/browser.js';
import { openTestCore } from '../helpers/env.js';

/** The screenshots a person looks at (the brief's paths for them). */
const PANE_SHOT = '/tmp/h/data-pane.png';
const RESTORE_SHOT = '/tmp/h/data-restore.png';
const ENCRYPT_SHOT = '/tmp/h/data-encrypt.png';
const KEY_SHOT = '/tmp/h/data-key.png';

/**
 * The data pane in Chromium against browser mode, as a clinic's IT person uses it before a change:
 * back up now, see the backup listed, go on working (a second session), then restore the backup
 * through the confirmation (Esc backs out first) and find the page reloaded on the data as it was.
 * Browser mode cannot turn encryption on: the pane says so, and how to.
 */
describe('the data pane, in the browser', () => {
  let core: Core;
  let session: BrowserSession;
  let page: Page;
  let first: Session;
  let dataDir: string;

  inChromium(
    async () => {
      fs.mkdirSync(path.dirname(PANE_SHOT), { recursive: true });
      core = await openTestCore();
      first = await core.api.sessions.create({ title: '高血压随访' });
      dataDir = (await core.api.data.status()).dataDir;
      return core;
    },
    (opened) => ({ session, page } = opened),
  );

  const titles = async () => (await core.api.sessions.list()).map((s) => s.title);
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);

  it('opens at #/data with the data folder, no backup yet, and encryption off with how to turn it on', async () => {
    await page.getByTestId('data-tab').click();
    await expect.poll(() => page.getByTestId('data-tab').getAttribute('aria-selected')).toBe('true');
    expect(new URL(page.url()).hash).toBe('#/data');
    await expect.poll(() => page.getByTestId('data-folder').textContent()).toBe(dataDir);
    expect(await page.getByTestId('data-backup-folder').textContent()).toBe(path.join(dataDir, 'backups'));
    expect(await page.getByTestId('data-daily').textContent()).toContain('未开启');
    await page.getByTestId('data-list-empty').waitFor();

    const state = page.getByTestId('data-encryption-state');
    expect(await state.getAttribute('data-enabled')).toBe('false');
    expect(await state.textContent()).toContain('未加密');
    expect(await page.getByTestId('data-encrypt-reason').textContent()).toContain('xinglin encrypt');
    expect(await page.getByTestId('data-encrypt').count()).toBe(0); // browser mode: no button that cannot work
  });

  it('backs up now: the backup appears in the list with its local time and size', async () => {
    await page.getByTestId('data-backup-now').click();
    const done = page.getByTestId('data-backed-up');
    await done.waitFor({ timeout: 60_000 });
    const rows = page.getByTestId('data-backup');
    await expect.poll(() => rows.count()).toBe(1);
    const name = await rows.first().getAttribute('data-name');
    expect(name).toMatch(/^xinglin-backup-\d{8}T\d{6}Z\.tar\.gz$/);
    expect(await done.textContent()).toContain(name!);
    expect(fs.existsSync(path.join(dataDir, 'backups', name!))).toBe(true);
    expect(await rows.first().getByTestId('data-backup-time').textContent()).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}$/);
    expect(await rows.first().getByTestId('data-backup-size').textContent()).toMatch(/MB$/);
    expect(await page.getByTestId('data-backup-now').isEnabled()).toBe(true);
    await page.screenshot({ path: PANE_SHOT });
  });

  it('asks before restoring, focus on 取消, and Esc backs out without touching the data', async () => {
    await core.api.sessions.create({ title: '糖尿病初诊' });
    expect(await titles()).toEqual(expect.arrayContaining(['高血压随访', '糖尿病初诊']));

    const row = page.getByTestId('data-backup').first();
    const shownTime = await row.getByTestId('data-backup-time').textContent();
    await row.getByTestId('data-restore').click();
    const dialog = page.getByTestId('data-restore-dialog');
    await dialog.getByTestId('data-restore-confirm').waitFor();
    await expect.poll(focused).toBe('data-restore-cancel');
    expect(await dialog.getByTestId('data-restore-question').textContent()).toContain(shownTime!);
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain('会话、病历、知识库和评测');
    expect(text).toContain('before-restore-');
    expect(await dialog.getByTestId('data-restore-confirm').textContent()).toBe('恢复');
    await page.screenshot({ path: RESTORE_SHOT });

    await page.keyboard.press('Escape');
    await dialog.getByTestId('data-restore-confirm').waitFor({ state: 'detached' });
    expect(await titles()).toEqual(expect.arrayContaining(['高血压随访', '糖尿病初诊']));
  });

  it('restores on 恢复: the result shows, the page reloads, and the session made after the backup is gone', async () => {
    await page.getByTestId('data-backup').first().getByTestId('data-restore').click();
    const dialog = page.getByTestId('data-restore-dialog');
    await dialog.getByTestId('data-restore-confirm').waitFor();
    const reloaded = page.waitForEvent('load', { timeout: 60_000 });
    await dialog.getByTestId('data-restore-confirm').click();
    await page.getByTestId('data-restored').waitFor({ timeout: 60_000 });
    await reloaded;

    expect((await core.api.sessions.list()).map((s) => s.id)).toEqual([first.id]);
    expect(fs.readdirSync(dataDir).some((name) => name.startsWith('before-restore-'))).toBe(true);
    // The reloaded page opens where it was, on the restored data.
    await expect.poll(() => page.getByTestId('data-tab').getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.getByTestId('data-backup').count()).toBe(1);
    await page.getByTestId('chat-tab').click();
    await expect.poll(() => page.getByTestId('session-item').count()).toBe(1);
    expect(await page.getByTestId('session-item').getAttribute('data-session-id')).toBe(first.id);
    expect(session.pageErrors).toEqual([]);
  });
});

/**
 * Turning encryption on from the pane, as the desktop app offers it: the core is given a keychain
 * (the desktop's is Electron's safeStorage; here an in-memory STAND-IN, no Electron here), the databases
 * are really encrypted with SQLCipher, and the recovery key is shown once.
 */
describe('the data pane, encrypting where a keychain keeps the key', () => {
  let core: Core;
  let page: Page;
  let dataDir: string;
  let kept: Buffer | undefined;
  const keychain: Keychain = { unavailable: () => null, store: (key) => (kept = key), forget: () => (kept = undefined) };

  inChromium(
    async () => {
      core = await openTestCore({ keychain });
      await core.api.sessions.create({ title: '冠心病复诊' });
      dataDir = (await core.api.data.status()).dataDir;
      return core;
    },
    (opened) => ({ page } = opened),
  );

  it('explains what encrypting does and does not protect against before doing it, focus on 取消', async () => {
    await page.getByTestId('data-tab').click();
    expect(await page.getByTestId('data-encryption-state').textContent()).toContain('未加密');
    expect(await page.getByTestId('data-encrypt-reason').count()).toBe(0);
    await page.getByTestId('data-encrypt').click();
    const dialog = page.getByTestId('data-encrypt-dialog');
    await dialog.getByTestId('data-encrypt-confirm').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null)).toBe('data-encrypt-cancel');
    const text = (await dialog.textContent()) ?? '';
    for (const said of ['备份，这份备份未加密', 'SQLCipher', '系统钥匙串', '硬盘被盗', '以本用户身份登录']) expect(text).toContain(said);
    await page.screenshot({ path: ENCRYPT_SHOT });
    await page.keyboard.press('Escape');
    await dialog.getByTestId('data-encrypt-confirm').waitFor({ state: 'detached' });
    expect(kept).toBeUndefined();
  });

  it('encrypts, shows the recovery key once with the unencrypted backup to put away, then says where the key is kept', async () => {
    await page.getByTestId('data-encrypt').click();
    await page.getByTestId('data-encrypt-confirm').click();
    const dialog = page.getByTestId('data-key-dialog');
    const key = dialog.getByTestId('data-recovery-key');
    await key.waitFor({ timeout: 60_000 });
    expect(await key.textContent()).toBe(keyToText(kept!));
    expect(readMarker(dataDir)).toBeDefined();
    const backup = (await dialog.getByTestId('data-key-backup').textContent()) ?? '';
    expect(backup).toContain('未加密');
    expect(backup).toMatch(/xinglin-backup-\d{8}T\d{6}Z\.tar\.gz/);
    await page.screenshot({ path: KEY_SHOT });

    await page.keyboard.press('Escape'); // the key is not lost to a stray Esc
    expect(await key.isVisible()).toBe(true);
    await dialog.getByTestId('data-key-done').click();
    await key.waitFor({ state: 'detached' });

    const state = page.getByTestId('data-encryption-state');
    await expect.poll(() => state.getAttribute('data-enabled')).toBe('true');
    expect(await state.textContent()).toContain('已加密');
    expect(await page.getByTestId('data-key-source').textContent()).toBe('密钥保存在系统钥匙串');
    expect(await page.getByTestId('data-encrypt').count()).toBe(0);
    expect((await core.api.sessions.list()).map((s) => s.title)).toEqual(['冠心病复诊']); // the same data, now encrypted
  });
});
