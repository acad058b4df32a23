import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { Core } from '../../src-main/core/core.js';
import { appRoot, rendererDir } from '../../src-main/hosts/common/app-root.js';
import { startWebHost, type WebHost } from '../../src-main/hosts/web/server.js';

const CHROMIUM = '/usr/bin/chromium';

/** Where the end-to-end tests leave their screenshots (made before a suite opens its page). */
export const shots = path.join(appRoot(), 'test-results');

export interface BrowserSession {
  host: WebHost;
  browser: Browser;
  page: Page;
  /** Uncaught page errors and console errors (CSP violations among them). */
  pageErrors: string[];
  close(): Promise<void>;
}

/** How Chromium is started: `env` replaces its environment (e.g. FONTCONFIG_FILE for a workstation with no fonts). */
export interface ChromiumOptions {
  env?: Record<string, string | undefined>;
}

/** The real UI in Debian's Chromium against browser mode on `core` (built first if it is not). */
export async function openInChromium(core: Core, options: ChromiumOptions = {}): Promise<BrowserSession> {
  if (!fs.existsSync(path.join(rendererDir(), 'index.html')) && spawnSync('node', ['build/build.mjs'], { cwd: appRoot(), stdio: 'inherit' }).status !== 0) {
    throw new Error('npm run build failed');
  }
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does.`);
  const host = await startWebHost(core, { port: 0, staticDir: rendererDir() });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking'], env: options.env });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const pageErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await page.goto(host.url);
  return {
    host,
    browser,
    page,
    pageErrors,
    close: async () => {
      await browser.close();
      await host.close();
    },
  };
}

/** A suite's core and the page showing it. */
export interface ChromiumSuite {
  core: Core;
  session: BrowserSession;
  page: Page;
}

/**
 * For the describe block it is called in: before its tests, the core `openCore` makes, shown in
 * Chromium, handed to `opened` (which may wait for the page to settle); after them, both closed.
 */
export function inChromium(openCore: () => Promise<Core>, opened: (suite: ChromiumSuite) => unknown, options: ChromiumOptions = {}): void {
  let core: Core | undefined;
  let session: BrowserSession | undefined;
  beforeAll(async () => {
    core = await openCore();
    session = await openInChromium(core, options);
    fs.mkdirSync(shots, { recursive: true });
    await opened({ core, session, page: session.page });
  });
  afterAll(async () => {
    await session?.close();
    await core?.close();
  });
}
