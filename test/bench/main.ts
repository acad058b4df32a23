import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { machine } from './stats.js';

type Bench = (workDir: string) => Promise<object>;

/**
 * `npm run bench -- <name>`: prints one JSON object per benchmark. Work files go to .bench/.
 * Each bench is imported only when chosen, so one bench needs only the parts it measures.
 */
const benches: Record<string, () => Promise<Bench>> = {
  llm: async () => (await import('./llm.js')).benchLlm,
  kb: async () => (await import('./kb.js')).benchKb,
  gguf: async () => (await import('./gguf.js')).benchGguf,
  reliability: async () => (await import('./reliability.js')).benchReliability,
  checks: async () => (await import('./checks.js')).benchChecks,
  records: async () => (await import('./records.js')).benchRecords,
  'draft-grammar': async () => (await import('./draft-grammar.js')).benchDraftGrammar,
  threads: async () => (await import('./threads.js')).benchThreads,
  memory: async () => (await import('./memory.js')).benchMemory,
  adapters: async () => (await import('./adapters.js')).benchAdapters,
  remote: async () => (await import('./remote.js')).benchRemote,
  warm: async () => (await import('./warm.js')).benchWarm,
  parallel: async () => (await import('./parallel.js')).benchParallel,
  eval: async () => (await import('./eval.js')).benchEval,
  load: async () => (await import('./load.js')).benchLoad,
};

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
  const result = await (await bench())(workDir);
  console.log(JSON.stringify({ ...result, machine: { ...machine(), cpus: os.availableParallelism(), date: new Date().toISOString() } }));
}
