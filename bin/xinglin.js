#!/usr/bin/env node
const cli = new URL('../dist/main/cli.js', import.meta.url), { existsSync } = await import('node:fs');
if (existsSync(cli)) await import(cli.href); else { console.error('杏林尚未构建：请先运行 npm run build。\nXinglin is not built yet: run npm run build first.'); process.exitCode = 1; }
