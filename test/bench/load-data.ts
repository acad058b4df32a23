import fs from 'node:fs';
import path from 'node:path';
import { sectionText } from '../../src-main/contract/index.js';
import { ChatStore } from '../../src-main/core/chat/index.js';
import { mulberry32 } from '../fixtures/gguf/tiny-llama.js';
import { openTestCore, tempDir } from '../helpers/env.js';
import { answer, question, starterVocabulary } from './load-text.js';
import { consultation } from './records.js';

/**
 * The load bench's database, made through the real stores and cached under .bench/ (a rerun
 * copies it instead of spending minutes making it again): 1,000 sessions holding 100,000
 * messages, 100 of them long (500 to 600 messages), and 10,000 records of 3 versions each.
 */

export const SIZES = { sessions: 1000, longSessions: 100, messages: 100_000, records: 10_000, versionsPerRecord: 3 } as const;
/** Bump when what is generated changes: an old cache is then made again. */
const DATA_VERSION = 1;

export interface LoadData {
  /** A fresh copy of the cached data folder: runs may write to it. */
  dataDir: string;
  /** Ids of the sessions of 500 messages or more. */
  longSessions: string[];
  recordIds: string[];
  /** Milliseconds the generation took (when this run made the cache; null when it was reused). */
  generatedMs: number | null;
  generation: Manifest['generation'];
}

interface Manifest {
  version: number;
  sizes: typeof SIZES;
  longSessions: string[];
  recordIds: string[];
  generation: { chatMs: number; recordsMs: number; databaseMB: number };
}

/** How many messages each session holds: the long ones first, the rest share what is left. */
function sessionSizes(next: () => number): number[] {
  const long = Array.from({ length: SIZES.longSessions }, () => 500 + Math.floor(next() * 101));
  const rest = SIZES.sessions - SIZES.longSessions;
  const left = SIZES.messages - long.reduce((a, b) => a + b, 0);
  const weights = Array.from({ length: rest }, () => 0.2 + next());
  const total = weights.reduce((a, b) => a + b, 0);
  const short = weights.map((w) => Math.max(2, Math.round((w / total) * left)));
  short[short.length - 1]! += left - short.reduce((a, b) => a + b, 0);
  return [...long, ...short];
}

function makeChat(file: string): string[] {
  const next = mulberry32(20261207);
  const vocabulary = starterVocabulary();
  const store = ChatStore.open(file);
  try {
    const sizes = sessionSizes(next);
    const ids: string[] = [];
    sizes.forEach((size, i) => {
      const session = store.createSession(`${question(vocabulary, next).slice(0, 16)}（${i + 1}）`);
      ids.push(session.id);
      // One transaction per session: 100,000 single-row commits would take most of an hour.
      store.transaction(() => {
        for (let m = 0; m < size; m += 1) {
          const user = m % 2 === 0;
          store.addMessage({ sessionId: session.id, role: user ? 'user' : 'assistant', text: user ? question(vocabulary, next) : answer(vocabulary, next), status: 'complete' });
        }
      });
    });
    return ids.slice(0, SIZES.longSessions);
  } finally {
    store.close();
  }
}

/** Records through the core's API, as the UI makes them: a draft from a consultation, then the doctor's edits. */
async function makeRecords(dataDir: string): Promise<string[]> {
  const next = mulberry32(20261208);
  const core = await openTestCore({ dataDir });
  try {
    const ids: string[] = [];
    for (let i = 0; i < SIZES.records; i += 1) {
      const dialogue = consultation(next, 10 + 2 * Math.floor(next() * 16));
      let { record } = await core.api.records.draft({ dialogue, author: '李医生' });
      for (let v = 1; v < SIZES.versionsPerRecord; v += 1) {
        const sections = record.sections.map((s, k) => ({ key: s.key, text: k === 0 ? `${sectionText(s)}（第${v}次修改）` : sectionText(s) }));
        record = await core.api.records.save({ id: record.id, baseVersion: record.version, author: '李医生', sections });
      }
      ids.push(record.id);
    }
    return ids;
  } finally {
    await core.close();
  }
}

const folderMB = (dir: string): number =>
  fs.readdirSync(dir).filter((f) => f.endsWith('.db')).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0) / 1024 / 1024;

/** The cached database (made first when missing or outdated), copied to a temp folder for this run. */
export async function loadData(workDir: string): Promise<LoadData> {
  const cache = path.join(workDir, 'load');
  const manifestFile = path.join(cache, 'manifest.json');
  let manifest = fs.existsSync(manifestFile) ? (JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest) : null;
  let generatedMs: number | null = null;
  if (manifest?.version !== DATA_VERSION || JSON.stringify(manifest.sizes) !== JSON.stringify(SIZES)) {
    fs.rmSync(cache, { recursive: true, force: true });
    const dataDir = path.join(cache, 'data');
    fs.mkdirSync(dataDir, { recursive: true });
    const started = performance.now();
    const longSessions = makeChat(path.join(dataDir, 'xinglin.db'));
    const chatMs = performance.now() - started;
    const recordIds = await makeRecords(dataDir);
    generatedMs = performance.now() - started;
    manifest = { version: DATA_VERSION, sizes: SIZES, longSessions, recordIds, generation: { chatMs: Math.round(chatMs), recordsMs: Math.round(generatedMs - chatMs), databaseMB: Math.round(folderMB(dataDir)) } };
    // Written last: a generation cut off half-way leaves no manifest and is made again.
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
  }
  const dataDir = tempDir('xinglin-bench-load-');
  fs.cpSync(path.join(cache, 'data'), dataDir, { recursive: true });
  return { dataDir, longSessions: manifest.longSessions, recordIds: manifest.recordIds, generatedMs: generatedMs === null ? null : Math.round(generatedMs), generation: manifest.generation };
}
