// @vitest-environment node
/** The daily backup on a real, open data folder, with time a test's clock gives: one a day, the newest N kept. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XinglinError } from '../../src-main/contract/index.js';
import { DailyBackups, type Clock } from '../../src-main/core/backup/index.js';
import { resolveBackupSchedule } from '../../src-main/core/config.js';
import { restoreDataFolder, type Core } from '../../src-main/core/core.js';
import { openTestCore, tempDir } from '../helpers/env.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** Time stands still until the test moves it; the planned task is kept, not run. */
function testClock(start: number) {
  const state = { now: start, planned: null as null | { at: number; task: () => void } };
  const clock: Clock = {
    now: () => state.now,
    later: (task, ms) => {
      const entry = { at: state.now + ms, task };
      state.planned = entry;
      return () => {
        if (state.planned === entry) state.planned = null;
      };
    },
  };
  return { clock, state };
}

describe('the daily backup', () => {
  const dataDir = tempDir('xinglin-daily-data-');
  const folder = tempDir('xinglin-daily-backups-');
  let core: Core;

  beforeAll(async () => {
    core = await openTestCore({ dataDir });
    await core.api.sessions.create({ title: '每日备份' });
  });
  afterAll(() => core?.close());

  it('backs up once a day while the app runs, keeps the newest three, and leaves other files alone', async () => {
    fs.writeFileSync(path.join(folder, 'notes.txt'), '管理员的说明');
    const { clock, state } = testClock(Date.UTC(2026, 0, 1, 8, 0, 0));
    const { log } = core;
    const daily = new DailyBackups({ dataDir, schedule: { folder, keep: 3 }, appVersion: 'test', log, clock });

    await daily.tick();
    expect(daily.list()).toEqual(['xinglin-backup-20260101T080000Z.tar.gz']);
    expect(state.planned?.at).toBe(Date.UTC(2026, 0, 2, 8, 0, 0));

    // An hour later (another start of the app): not due, the next check stays a day after the last backup.
    state.now += HOUR;
    await daily.tick();
    expect(daily.list()).toHaveLength(1);
    expect(state.planned?.at).toBe(Date.UTC(2026, 0, 2, 8, 0, 0));

    for (let day = 1; day <= 4; day++) {
      state.now = Date.UTC(2026, 0, 1 + day, 8, 0, 0);
      state.planned!.task(); // the timer fires
      await daily.tick(); // the same run the timer started
    }
    expect(daily.list()).toEqual(['xinglin-backup-20260105T080000Z.tar.gz', 'xinglin-backup-20260104T080000Z.tar.gz', 'xinglin-backup-20260103T080000Z.tar.gz']);
    expect(fs.readFileSync(path.join(folder, 'notes.txt'), 'utf8')).toBe('管理员的说明');

    // A schedule that starts over (the app restarted) counts from the newest backup in the folder.
    const restarted = new DailyBackups({ dataDir, schedule: { folder, keep: 3 }, appVersion: 'test', log, clock });
    state.now += 2 * HOUR;
    await restarted.tick();
    expect(restarted.list()).toHaveLength(3);
    expect(state.planned?.at).toBe(Date.UTC(2026, 0, 6, 8, 0, 0));
    await restarted.close();
    expect(state.planned).toBeNull();
    await daily.close();

    // What it wrote is a backup a restore accepts.
    const restoredDir = tempDir('xinglin-daily-restored-');
    const restored = await restoreDataFolder({ dataDir: restoredDir, file: path.join(folder, daily.list()[0]!) });
    expect(restored.manifest.createdAt).toBe('2026-01-05T08:00:00.000Z');
  });

  it('reads the folder and the count from XINGLIN_BACKUP_DIR and XINGLIN_BACKUP_KEEP', () => {
    expect(resolveBackupSchedule({})).toBeUndefined();
    expect(resolveBackupSchedule({ XINGLIN_BACKUP_DIR: '/srv/backups' })).toEqual({ folder: path.resolve('/srv/backups'), keep: 7 });
    expect(resolveBackupSchedule({ XINGLIN_BACKUP_DIR: '/srv/backups', XINGLIN_BACKUP_KEEP: '30' })?.keep).toBe(30);
    for (const env of [{ XINGLIN_BACKUP_DIR: '/srv/backups', XINGLIN_BACKUP_KEEP: '0' }, { XINGLIN_BACKUP_KEEP: '3' }]) {
      expect(() => resolveBackupSchedule(env)).toThrow(XinglinError);
    }
  });
});
