import { records } from './0001-records.js';

/** records.db's tables, in order. */
export const recordMigrations = [records] as const;
