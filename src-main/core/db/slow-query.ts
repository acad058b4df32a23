import type { Logger } from '../log.js';

/**
 * Slow-query logging for every repository, as Signal-Desktop does: the operation's name and its
 * duration. Never the SQL, its parameters or any text (logs carry no patient text).
 */
export const SLOW_QUERY_MS = 50;

export interface SlowQueryOptions {
  /** Which database the repository works on. */
  db: 'chat' | 'knowledge' | 'records';
  log: Logger;
  /** Operations slower than this are logged (default 50 ms). */
  thresholdMs?: number;
}

/** Wraps `fn` in a timer: `timer('op', () => …)` runs it and logs it when it was slow. */
export function slowQueryTimer(options: SlowQueryOptions): <T>(op: string, fn: () => T) => T {
  const thresholdMs = options.thresholdMs ?? SLOW_QUERY_MS;
  return (op, fn) => {
    const started = performance.now();
    const result = fn();
    const ms = performance.now() - started;
    if (ms > thresholdMs) {
      options.log.warn({ event: 'db.slow_query', db: options.db, op, ms: Math.round(ms * 10) / 10, thresholdMs, ...(Array.isArray(result) ? { rows: result.length } : {}) });
    }
    return result;
  };
}
