/**
 * The Electron app end to end: playwright-core drives the real binary on dist/main/electron-main.js.
 * Runs wherever an Electron binary is installed (see build/vendor-electron.mjs); elsewhere it is
 * skipped, with the reason printed, because no Electron binary can be downloaded here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../../src-main/contract/index.js';
import { electronBinary } from '../../build/electron-vendor.cjs';

const root = path.resolve(import.meta.dirname, '..', '..');
const mainJs = path.join(root, 'dist', 'main', 'electron-main.js');
const executablePath = electronBinary();
const needsDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const skipReason = !executablePath
  ? 'no Electron binary is installed (it cannot be downloaded here; vendor it with node build/vendor-electron.mjs <folder>)'
  : needsDisplay
    ? 'no display on this Linux machine (run the tests under xvfb-run)'
    : null;
const hasElectronBinary = skipReason === null;
if (skipReason) console.log(`[e2e/electron] skipped: ${skipReason}`);

type Xinglin = { xinglin: Api };

describe.skipIf(!hasElectronBinary)('Electron app', () => {
  let app: ElectronApplication;
  let page: Page;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-e2e-data-'));
  const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-e2e-models-'));

  beforeAll(async () => {
    if (!fs.existsSync(mainJs)) throw new Error(`${mainJs} is missing: run npm run build first.`);
    const env = { ...process.env } as Record<string, string>;
    delete env.ELECTRON_RUN_AS_NODE;
    app = await _electron.launch({ executablePath: executablePath!, args: [mainJs, '--data-dir', dataDir, '--models-dir', modelsDir], cwd: root, env });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('opens one 杏林 window on the app origin', async () => {
    expect(page.url()).toBe('app://xinglin/index.html');
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.getTitle()))).toEqual(['杏林']);
  });

  it('exposes window.xinglin and no Node to the page', async () => {
    const globals = await page.evaluate(() => ({
      xinglin: Object.keys((window as unknown as Xinglin).xinglin).sort(),
      require: typeof (globalThis as Record<string, unknown>).require,
      process: typeof (globalThis as Record<string, unknown>).process,
    }));
    expect(globals.xinglin).toEqual(expect.arrayContaining(['app', 'chat', 'models', 'on', 'sessions']));
    expect(globals.require).toBe('undefined');
    expect(globals.process).toBe('undefined');
  });

  it('answers app.info from the core, on the folders given on the command line', async () => {
    const info = await page.evaluate(() => (window as unknown as Xinglin).xinglin.app.info());
    expect(info).toMatchObject({ host: 'electron', dataDir: path.resolve(dataDir), modelsDir: path.resolve(modelsDir) });
  });

  it('creates a session and lists it; a typed error keeps its code across the bridge', async () => {
    const session = await page.evaluate(() => (window as unknown as Xinglin).xinglin.sessions.create({ title: '胸痛待查' }));
    expect(session.title).toBe('胸痛待查');
    const listed = await page.evaluate(() => (window as unknown as Xinglin).xinglin.sessions.list());
    expect(listed.map((s) => s.id)).toContain(session.id);
    const error = await page.evaluate(() => (window as unknown as Xinglin).xinglin.sessions.messages({ id: 'no-such-session' }).catch((e: unknown) => e));
    expect(error).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('cannot reach the network', async () => {
    const result = await page.evaluate(() => fetch('https://example.com/').then(() => 'reached', () => 'blocked'));
    expect(result).toBe('blocked');
  });
});
