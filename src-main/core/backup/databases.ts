import fs from 'node:fs';
import path from 'node:path';
import { chatMigrations } from '../chat/index.js';
import { evalMigrations } from '../eval/index.js';
import { knowledgeMigrations } from '../knowledge/index.js';
import { recordMigrations } from '../records/index.js';

/** A database file of the data folder, and the newest schema version this app knows for it. */
export interface DataDatabase {
  file: string;
  label: string;
  supportedVersion: number;
}

/** Every database a backup holds (core.ts opens the same files). */
export const dataDatabases: readonly DataDatabase[] = [
  { file: 'xinglin.db', label: '对话', supportedVersion: chatMigrations.length },
  { file: 'records.db', label: '病历', supportedVersion: recordMigrations.length },
  { file: 'knowledge.db', label: '知识库', supportedVersion: knowledgeMigrations.length },
  { file: 'eval.db', label: '评测', supportedVersion: evalMigrations.length },
];

/** The data folder's database files that exist and hold something (a file of zero bytes is one SQLite never wrote). */
export function existingDatabases(dataDir: string): string[] {
  return dataDatabases.map((db) => path.join(dataDir, db.file)).filter((file) => fs.existsSync(file) && fs.statSync(file).size > 0);
}

/** SQLite's companions of a database file: moved with it, never left beside another one. */
export const SQLITE_COMPANIONS = ['', '-wal', '-shm'] as const;
