import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { XinglinError } from '../../../contract/index.js';
import { jsonlParser } from './formats/jsonl.js';
import { LineError, type Parsed } from './formats/parser.js';
import type { KbStore } from '../kb-store.js';
import { recordKey, writeRecord } from './writer.js';

/** The starter set's source label: the app shows it as a set for the pharmacy to review. */
export const STARTER_LABEL = '杏林入门知识库（待药剂科审核）';

/** Bumped when the way the starter set is read changes, so every workstation re-imports it. */
const STARTER_READER_REVISION = '1';

export interface StarterSet {
  version: string;
  entities: Parsed[];
}

/** Reads and validates every `*.jsonl` of the folder; any bad line, or a repeated name, is an error. */
export function readStarter(dir: string): StarterSet {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort() : [];
  const hash = createHash('sha256').update(STARTER_READER_REVISION);
  const entities: Parsed[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const bytes = fs.readFileSync(path.join(dir, file));
    hash.update(`\u0000${file}\u0000`).update(bytes);
    const parser = jsonlParser();
    new TextDecoder('utf-8', { fatal: true }).decode(bytes).split('\n').forEach((text, i) => {
      try {
        const parsed = parser.push(i + 1, text.replace(/\r$/u, ''));
        if (!parsed) return;
        const key = recordKey(parsed.record);
        const first = seen.get(key);
        if (first) throw new LineError(i + 1, `与 ${first} 是同一条目（${parsed.record.name}）`);
        seen.set(key, `${file} 第 ${i + 1} 行`);
        entities.push(parsed);
      } catch (cause) {
        if (cause instanceof LineError) throw new XinglinError('STARTER_INVALID', `入门知识库文件有误：${file} 第 ${cause.line} 行：${cause.message}`, { file, line: cause.line });
        throw cause;
      }
    });
  }
  return { version: `sha256:${hash.digest('hex').slice(0, 16)}`, entities };
}

/**
 * Imports the starter set when it is missing or its version changed: the previous starter facts
 * are replaced as a whole (in the caller's transaction), facts from other sources are untouched.
 * Returns whether anything was written.
 */
export function loadStarter(kb: KbStore, set: StarterSet, now: number = Date.now()): boolean {
  const previous = kb.source(STARTER_LABEL);
  if (previous?.version === set.version) return false;
  const touched = new Set<string>(previous ? kb.entityIdsOfSource(previous.id) : []);
  if (previous) kb.deleteSource(previous.id);
  if (set.entities.length > 0) {
    const source = { id: kb.upsertSource(STARTER_LABEL, 'starter', 'jsonl', set.version, now), version: set.version, importedAt: now };
    for (const { record } of set.entities) touched.add(writeRecord(kb, record, source).id);
  }
  for (const id of touched) kb.reindex(id);
  return touched.size > 0;
}
