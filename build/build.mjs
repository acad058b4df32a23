#!/usr/bin/env node
// `npm run build`: the renderer (Vite) and the three main-side bundles (esbuild), side by side,
// then the `xinglin` command shim and the starter knowledge base. One line per step with its time; any failure exits 1.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { build as viteBuild } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'main');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

async function step(name, fn) {
  const started = performance.now();
  try {
    await fn();
    console.log(`✓ ${name} (${Math.round(performance.now() - started)} ms)`);
  } catch (error) {
    console.error(`✗ ${name}: ${error?.message ?? error}`);
    throw error;
  }
}

// Every runtime dependency stays a real package (native addons, node-llama-cpp's binaries).
const external = ['electron', ...Object.keys(pkg.dependencies ?? {})];
const common = { absWorkingDir: root, bundle: true, platform: 'node', sourcemap: true, logLevel: 'warning', legalComments: 'none' };

fs.rmSync(out, { recursive: true, force: true });

const renderer = step('renderer (vite) → dist/renderer', async () => {
  // vite.config.ts (the renderer's) sets root and outDir.
  await viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
  const html = fs.readFileSync(path.join(root, 'dist', 'renderer', 'index.html'), 'utf8');
  // The CSP forbids inline script: fail here rather than with a blank window.
  if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html)) throw new Error('dist/renderer/index.html has an inline <script>, which the CSP blocks.');
});

const main = step('main → dist/main/electron-main.js, cli → dist/main/cli.js, model process → dist/main/runtime-main.js', () =>
  esbuild.build({
    ...common,
    entryPoints: { 'electron-main': 'src-main/hosts/electron/main.ts', cli: 'src-main/hosts/cli/main.ts', 'runtime-main': 'src-main/core/llm/process/runtime-main.ts' },
    outdir: out,
    format: 'esm',
    // Electron 45 runs Node 22; the CLI and web host run on Node ≥ 20.19.
    target: 'node20.19',
    external,
    splitting: false,
  }),
);

const preload = step('preload → dist/main/preload.cjs', async () => {
  const result = await esbuild.build({
    ...common,
    entryPoints: ['src-main/hosts/electron/preload.ts'],
    outfile: path.join(out, 'preload.cjs'),
    format: 'cjs',
    platform: 'browser',
    target: 'chrome140',
    external: ['electron'],
    metafile: true,
    // Parsed on every window load; zod is most of it.
    minify: true,
  });
  // A sandboxed preload can require `electron` and little else: check nothing else leaked in.
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
  const stray = imports.filter((p) => p !== 'electron');
  if (stray.length) throw new Error(`preload.cjs requires ${stray.join(', ')}; a sandboxed preload can only require electron.`);
});

const shim = step('bin/xinglin.js', () => {
  const text = [
    '#!/usr/bin/env node',
    "const cli = new URL('../dist/main/cli.js', import.meta.url), { existsSync } = await import('node:fs');",
    "if (existsSync(cli)) await import(cli.href); else { console.error('杏林尚未构建：请先运行 npm run build。\\nXinglin is not built yet: run npm run build first.'); process.exitCode = 1; }",
    '',
  ].join('\n');
  const file = path.join(root, 'bin', 'xinglin.js');
  // Written only when it changes: the shim is committed and must stay byte-stable.
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text, { mode: 0o755 });
  }
});

// The starter knowledge base (and its synonym table) ships beside the bundles, where defaultStarterDir() looks first.
const starter = step('starter knowledge base → dist/main/starter', () => {
  const from = path.join(root, 'src-main', 'core', 'knowledge', 'starter');
  const to = path.join(out, 'starter');
  fs.mkdirSync(to, { recursive: true });
  for (const file of fs.readdirSync(from).filter((f) => f.endsWith('.jsonl') || f.endsWith('.tsv'))) fs.copyFileSync(path.join(from, file), path.join(to, file));
});

// The records slice's data (templates, the findings vocabulary) ships beside the bundles too, under the
// names its loaders look for there first.
const recordData = step('record templates and findings vocabulary → dist/main', () => {
  const records = path.join(root, 'src-main', 'core', 'records');
  for (const [from, to, ending] of [['templates', 'record-templates', '.json'], [path.join('findings', 'vocabulary'), 'findings-vocabulary', '.tsv']]) {
    fs.mkdirSync(path.join(out, to), { recursive: true });
    for (const file of fs.readdirSync(path.join(records, from)).filter((f) => f.endsWith(ending))) fs.copyFileSync(path.join(records, from, file), path.join(out, to, file));
  }
});

const results = await Promise.allSettled([renderer, main, preload, shim, starter, recordData]);
if (results.some((r) => r.status === 'rejected')) process.exit(1);
