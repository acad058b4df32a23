import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { inChromium, shots, type BrowserSession } from '../helpers/browser.js';
import { openTestCore, tempDir } from '../helpers/env.js';

/** The font files fontconfig lists, all of them or those matching `pattern`. */
function fontFiles(pattern = ''): Set<string> {
  const listed = spawnSync('fc-list', [pattern, '--format', '%{file}\n'].filter(Boolean), { encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`fc-list failed: ${listed.stderr}`);
  return new Set(listed.stdout.split('\n').filter(Boolean));
}

/**
 * A fontconfig for a workstation without any CJK font: a folder of links to this machine's fonts,
 * less every one holding 杏 (U+674F). Not an empty folder: with no font at all Chromium aborts.
 */
function fontconfigWithoutCjk(): string {
  const dir = tempDir('xinglin-fontconfig-');
  const fonts = path.join(dir, 'fonts');
  fs.mkdirSync(fonts);
  const cjk = fontFiles(':charset=674f');
  const latin = [...fontFiles()].filter((file) => !cjk.has(file));
  if (latin.length === 0) throw new Error('fc-list finds no font without CJK glyphs: install fonts-dejavu-core.');
  latin.forEach((file, index) => fs.symlinkSync(file, path.join(fonts, `${index}-${path.basename(file)}`)));
  const file = path.join(dir, 'fonts.conf');
  fs.writeFileSync(file, `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${fonts}</dir>\n  <cachedir>${path.join(dir, 'cache')}</cachedir>\n</fontconfig>\n`);
  return file;
}

/** `text` drawn large in `fontFamily`, as a PNG: the pixels its glyphs make. */
async function glyphShot(page: Page, text: string, fontFamily: string): Promise<Buffer> {
  await page.evaluate(
    async ({ text, fontFamily }) => {
      // The CSP allows no inline style in markup; CSSOM properties set from script are fine.
      const probe = document.createElement('span');
      probe.dataset.testid = 'glyph-probe';
      probe.textContent = text;
      Object.assign(probe.style, { position: 'fixed', left: '0', top: '0', padding: '8px', fontSize: '64px', lineHeight: '1', fontFamily, background: '#fff', color: '#000', zIndex: '9999' });
      document.body.append(probe);
      await document.fonts.load(`64px ${fontFamily}`, text);
    },
    { text, fontFamily },
  );
  const probe = page.getByTestId('glyph-probe');
  const png = await probe.screenshot();
  await probe.evaluate((element) => element.remove());
  return png;
}

/**
 * The UI ships Noto Sans SC: on a workstation without any CJK font, Chinese still renders as Chinese,
 * not as boxes, and the font comes from the app's own origin under its CSP.
 */
describe('the bundled Chinese font', () => {
  let session: BrowserSession;
  let page: Page;

  inChromium(
    () => openTestCore(),
    async (opened) => {
      ({ session, page } = opened);
      await page.getByTestId('new-session').waitFor();
      await page.evaluate(() => document.fonts.ready);
    },
    { env: { ...process.env, FONTCONFIG_FILE: fontconfigWithoutCjk() } },
  );

  it('the first page loads Noto Sans SC from the app itself, only the slices it shows, with no CSP error', async () => {
    await page.screenshot({ path: path.join(shots, 'e2e-fonts-no-cjk-font.png') });
    // Read together, after the last load: each loaded face is one woff2 fetched.
    const { loaded, files, declared } = await page.evaluate(async () => {
      await document.fonts.ready;
      return {
        loaded: [...document.fonts].filter((face) => face.status === 'loaded').map((face) => face.family.replace(/["']/g, '')),
        files: performance.getEntriesByType('resource').map((entry) => entry.name).filter((name) => name.endsWith('.woff2')),
        declared: document.fonts.size,
      };
    });
    expect(loaded.length).toBeGreaterThan(0);
    expect(new Set(loaded)).toEqual(new Set(['Noto Sans SC']));
    expect(files.length).toBe(loaded.length);
    for (const file of files) expect(new URL(file).origin).toBe(new URL(session.host.url).origin);
    // unicode-range at work: a small share of the slices declared.
    expect(files.length).toBeLessThan(declared / 4);
    expect(session.pageErrors).toEqual([]);
  });

  it('draws distinct Chinese characters as distinct glyphs, where a missing font draws them alike', async () => {
    const sans = await page.evaluate(() => getComputedStyle(document.documentElement).fontFamily);
    const [xing, lin] = [await glyphShot(page, '杏', sans), await glyphShot(page, '林', sans)];
    expect(xing.equals(lin)).toBe(false);
    // The control: in a family nobody has, both are the same box — what this test catches.
    const [missingXing, missingLin] = [await glyphShot(page, '杏', 'xinglin-missing-font'), await glyphShot(page, '林', 'xinglin-missing-font')];
    expect(missingXing.equals(missingLin)).toBe(true);
  });
});
