import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchChecks } from './checks.js';
import { benchDraftGrammar } from './draft-grammar.js';
import { benchGguf } from './gguf.js';
import { benchKb } from './kb.js';
import { benchLlm } from './llm.js';
import { benchRecords } from './records.js';
import { benchReliability } from './reliability.js';
import { machine } from './stats.js';

/** `npm run bench -- <name>`: prints one JSON object per benchmark. Work files go to .bench/. */
const benches: Record<string, (workDir: string) => Promise<object>> = { llm: benchLlm, kb: benchKb, gguf: benchGguf, reliability: benchReliability, checks: benchChecks, records: benchRecords, 'draft-grammar': benchDraftGrammar };

const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const chosen = names.length ? names : Object.keys(benches);
const workDir = path.resolve('.bench');
fs.mkdirSync(workDir, { recursive: true });
for (const name of chosen) {
  const bench = benches[name];
  if (!bench) {
    console.error(`未知的基准：${name}（可用：${Object.keys(benches).join('、')}）`);
    process.exit(2);
  }
  const result = await bench(workDir);
  console.log(JSON.stringify({ ...result, machine: { ...machine(), cpus: os.availableParallelism(), date: new Date().toISOString() } }));
}
