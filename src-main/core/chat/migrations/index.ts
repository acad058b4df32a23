import { sessionsAndMessages } from './0001-sessions-messages.js';
import { streamingAnswers } from './0002-streaming-answers.js';
import { profilesAndCompare } from './0003-profiles-compare.js';
import { messageCount } from './0004-message-count.js';

/** xinglin.db's chat tables, in order. */
export const chatMigrations = [sessionsAndMessages, streamingAnswers, profilesAndCompare, messageCount] as const;
