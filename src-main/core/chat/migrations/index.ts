import { sessionsAndMessages } from './0001-sessions-messages.js';
import { streamingAnswers } from './0002-streaming-answers.js';

/** xinglin.db's chat tables, in order. */
export const chatMigrations = [sessionsAndMessages, streamingAnswers] as const;
