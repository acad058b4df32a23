/**
 * Slow-query logging, as Signal-Desktop does: one JSON line on stderr naming the operation and its
 * duration. Never the SQL parameters, the query or any message text: logs carry no patient text.
 */
export interface SlowQueryEntry {
  level: 'warn';
  component: 'store';
  event: 'slow_query';
  op: string;
  ms: number;
  thresholdMs: number;
  /** Row count of a read, when it returned rows. */
  rows?: number;
}

export type SlowQueryLogger = (entry: SlowQueryEntry) => void;

export const SLOW_QUERY_MS = 50;

export const logToStderr: SlowQueryLogger = (entry) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
};

/** Runs `fn` and reports it when it took longer than `thresholdMs`. */
export function timed<T>(op: string, thresholdMs: number, log: SlowQueryLogger, fn: () => T): T {
  const started = performance.now();
  const result = fn();
  const ms = performance.now() - started;
  if (ms > thresholdMs) {
    const entry: SlowQueryEntry = { level: 'warn', component: 'store', event: 'slow_query', op, ms: Math.round(ms * 10) / 10, thresholdMs };
    if (Array.isArray(result)) entry.rows = result.length;
    log(entry);
  }
  return result;
}
