import fs from 'node:fs';
import path from 'node:path';
import { XinglinError } from '../../contract/index.js';
import type { Logger } from '../log.js';
import { errorTrace } from '../log.js';
import { BACKUP_NAME, backupFileName, listBackups, parseStamp } from './manifest.js';
import type { DatabaseKey } from '../db/index.js';
import { backupDataFolder } from './write.js';

const DAY_MS = 24 * 3600_000;
/** After the app opens, so the first backup does not slow its start. */
const START_DELAY_MS = 60_000;
/** A failed backup (a folder unplugged, a full disk) is tried again this soon, not a day later. */
const RETRY_MS = 3600_000;

/** Where the daily backups go and how many of them stay. */
export interface BackupSchedule {
  folder: string;
  keep: number;
}

/** Time as the schedule sees it: the system's, or a test's. */
export interface Clock {
  now(): number;
  /** Runs `task` after `ms`; returns a cancel. */
  later(task: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  later: (task, ms) => {
    const timer = setTimeout(task, ms).unref(); // never what keeps a process alive
    return () => clearTimeout(timer);
  },
};

export interface DailyBackupsOptions {
  dataDir: string;
  schedule: BackupSchedule;
  appVersion: string;
  log: Logger;
  clock?: Clock;
  /** The data folder's key when encrypted: the backups stay encrypted with it. */
  key?: DatabaseKey | undefined;
}

/**
 * While an app (desktop or server) runs: one backup a day into the chosen folder, the newest
 * `keep` kept. A day is counted from the newest backup there (its name holds its moment), so a
 * restart neither skips a day nor backs up twice.
 */
export class DailyBackups {
  readonly #options: DailyBackupsOptions;
  readonly #clock: Clock;
  #cancel: (() => void) | null = null;
  #running: Promise<void> | null = null;
  #closed = false;

  constructor(options: DailyBackupsOptions) {
    if (!Number.isInteger(options.schedule.keep) || options.schedule.keep < 1) throw new XinglinError('INVALID_INPUT', `保留的备份份数需要至少为 1 的整数，收到“${options.schedule.keep}”。`);
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  start(): void {
    this.#plan(START_DELAY_MS);
  }

  /** Backs up when a day has passed since the newest backup, removes the oldest beyond `keep`, plans the next check. */
  tick(): Promise<void> {
    this.#running ??= this.#run().finally(() => (this.#running = null));
    return this.#running;
  }

  /** Stops the schedule; a backup under way is finished, not cut off. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#cancel?.();
    await this.#running;
  }

  /** The schedule's backups in its folder, newest first. */
  list(): string[] {
    return listBackups(this.#options.schedule.folder);
  }

  async #run(): Promise<void> {
    const { dataDir, schedule, appVersion, log } = this.#options;
    const now = this.#clock.now();
    const newest = this.list()[0];
    const newestAt = newest === undefined ? NaN : parseStamp(BACKUP_NAME.exec(newest)![1]!);
    if (now - newestAt < DAY_MS) return this.#plan(newestAt + DAY_MS - now);
    const file = path.join(schedule.folder, backupFileName(new Date(now)));
    try {
      const started = performance.now();
      const written = await backupDataFolder({ dataDir, file, appVersion, key: this.#options.key, now: new Date(now) });
      const removed = this.#prune();
      log.info({ event: 'backup.written', file: path.basename(file), bytes: written.bytes, ms: Math.round(performance.now() - started), removed });
      this.#plan(DAY_MS);
    } catch (cause) {
      log.error({ event: 'backup.failed', code: cause instanceof XinglinError ? cause.code : null, ...errorTrace(cause) });
      this.#plan(RETRY_MS);
    }
  }

  #prune(): number {
    const old = this.list().slice(this.#options.schedule.keep);
    for (const name of old) fs.rmSync(path.join(this.#options.schedule.folder, name), { force: true });
    return old.length;
  }

  #plan(ms: number): void {
    if (this.#closed) return;
    this.#cancel?.();
    this.#cancel = this.#clock.later(() => void this.tick(), Math.max(0, ms));
  }
}
