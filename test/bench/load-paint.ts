import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { appRoot, rendererDir } from '../../src-main/hosts/common/app-root.js';
import { tempDir } from '../helpers/env.js';

/**
 * App start to first paint in browser mode, on the big database: from spawning `xinglin serve`
 * (the built app) until Chromium, already open as a doctor's browser would be, paints the UI
 * (first contentful paint) and until the session list shows. The browser's own start is left out.
 */

const CHROMIUM = '/usr/bin/chromium';
const URL_LINE = /(http:\/\/127\.0\.0\.1:\d+\S*)\s/u;

export interface PaintRun {
  serverReadyMs: number;
  firstContentfulPaintMs: number;
  sessionListMs: number | null;
}

/** The server's URL once it prints it; the child is killed by the caller. */
function startServe(dataDir: string): { child: ReturnType<typeof spawn>; url: Promise<string> } {
  const child = spawn(process.execPath, ['bin/xinglin.js', 'serve', '--data-dir', dataDir, '--models-dir', tempDir('xinglin-models-'), '--port', '0'], { cwd: appRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = URL_LINE.exec(out);
      if (found) resolve(found[1]!);
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`xinglin serve exited (${code}) before it listened: ${out.slice(-400)}`)));
  });
  return { child, url };
}

async function stop(child: ReturnType<typeof spawn>): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export async function firstPaint(dataDir: string, runs: number): Promise<PaintRun[] | { skipped: string }> {
  if (!fs.existsSync(CHROMIUM)) return { skipped: `${CHROMIUM} 不存在，未测首屏时间 / chromium missing` };
  if (!fs.existsSync(path.join(rendererDir(), 'index.html')) && spawnSync('node', ['build/build.mjs'], { cwd: appRoot(), stdio: 'inherit' }).status !== 0) {
    return { skipped: 'npm run build 失败 / build failed' };
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking'] });
  const results: PaintRun[] = [];
  try {
    for (let i = 0; i < runs; i += 1) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const spawned = Date.now();
      const { child, url } = startServe(dataDir);
      try {
        const address = await url;
        const serverReadyMs = Date.now() - spawned;
        await page.goto(address);
        // Wall-clock time of the paint: the page's time origin plus the paint's offset from it.
        const paintedAt = await page.evaluate(
          () =>
            new Promise<number>((resolve) => {
              new PerformanceObserver((list) => {
                const paint = list.getEntries().find((e) => e.name === 'first-contentful-paint');
                if (paint) resolve(performance.timeOrigin + paint.startTime);
              }).observe({ type: 'paint', buffered: true });
            }),
        );
        const listed = await page.locator('[data-testid="session-item"]').first().waitFor({ timeout: 60_000 }).then(() => Date.now(), () => null);
        results.push({ serverReadyMs, firstContentfulPaintMs: Math.round(paintedAt - spawned), sessionListMs: listed === null ? null : listed - spawned });
      } finally {
        await page.close();
        await stop(child);
      }
    }
  } finally {
    await browser.close();
  }
  return results;
}
