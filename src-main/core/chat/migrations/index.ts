import { sessionsAndMessages } from './0001-sessions-messages.js';

/** xinglin.db's chat tables, in order. */
export const chatMigrations = [sessionsAndMessages] as const;
