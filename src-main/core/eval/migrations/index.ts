import { evalTables } from './0001-eval.js';

/** eval.db's tables, in order. */
export const evalMigrations = [evalTables] as const;
