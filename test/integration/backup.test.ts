// @vitest-environment node
/**
 * Backups of a real data folder: an online backup while a chat is being written, restores into
 * fresh folders compared through the API, and the archives a restore must refuse without touching
 * the folder it was aimed at.
 */
import fs from 'node:fs';
import path from 'node:path';
import { create, extract } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XinglinError } from '../../src-main/contract/index.js';
import { backupDataFolder, restoreDataFolder, type Core } from '../../src-main/core/core.js';
import { dataSnapshot } from '../helpers/data-snapshot.js';
import { answerOf, openTestCore, tempDir } from '../helpers/env.js';
import { folderState } from '../helpers/folder-state.js';

const consultation = ['患者：医生你好，我胸痛三天了。', '医生：以前有高血压吗？', '患者：高血压十年，吃氨氯地平。'].join('\n');

async function ask(core: Core, sessionId: string, text: string): Promise<void> {
  const { assistantMessageId } = await core.api.chat.send({ sessionId, text });
  await answerOf(core, assistantMessageId);
}

async function failure(run: Promise<unknown>): Promise<XinglinError> {
  try {
    await run;
  } catch (error) {
    if (error instanceof XinglinError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** Opens a core on a folder, reads what the API shows, closes it. */
async function contentOf(dataDir: string) {
  const core = await openTestCore({ dataDir });
  try {
    return { ...(await dataSnapshot(core)), records: await Promise.all((await core.api.records.list({})).map((r) => core.api.records.get({ id: r.id }))) };
  } finally {
    await core.close();
  }
}

describe('backup and restore of a data folder', () => {
  const sourceDir = tempDir('xinglin-backup-source-');
  const archives = tempDir('xinglin-backup-files-');
  let source: Core;
  let good: string;

  beforeAll(async () => {
    source = await openTestCore({ dataDir: sourceDir });
    const session = await source.api.sessions.create({ title: '痛风随访' });
    await ask(source, session.id, '非布司他的适应病症是什么？');
    await source.api.records.draft({ dialogue: consultation, author: '张医生' });
  });
  afterAll(() => source?.close());

  it('backs up while a chat session is being written, and the copy is one consistent moment', async () => {
    const session = await source.api.sessions.create({ title: '写入中' });
    const writing = (async () => {
      for (let i = 0; i < 6; i++) await ask(source, session.id, `别嘌醇的用法用量？第${i}问`);
    })();
    const during = await backupDataFolder({ dataDir: sourceDir, file: path.join(archives, 'during.tar.gz'), appVersion: 'test' });
    await writing;
    expect(Object.keys(during.manifest.databases).sort()).toEqual(['eval.db', 'knowledge.db', 'records.db', 'xinglin.db']);
    expect((fs.statSync(during.file).mode & 0o777).toString(8)).toBe('600');

    const restoredDir = tempDir('xinglin-backup-during-');
    await restoreDataFolder({ dataDir: restoredDir, file: during.file });
    const restored = await contentOf(restoredDir);
    const now = await dataSnapshot(source);
    // Every message the copy holds is exactly the one the live folder holds under its id.
    const live = new Map(now.messages.flat().map((m) => [m.id, m]));
    const copied = restored.messages.flat();
    expect(copied.length).toBeGreaterThanOrEqual(2);
    for (const message of copied) expect(message).toEqual(live.get(message.id));
  });

  it('restores into a fresh folder the same sessions, messages, records and knowledge base', async () => {
    const result = await backupDataFolder({ dataDir: sourceDir, file: path.join(archives, 'quiet.tar.gz'), appVersion: 'test' });
    good = result.file;
    const freshDir = tempDir('xinglin-backup-fresh-');
    const restore = await restoreDataFolder({ dataDir: freshDir, file: good });
    expect(restore.previous).toBeNull();
    expect((fs.statSync(path.join(freshDir, 'xinglin.db')).mode & 0o777).toString(8)).toBe('600');

    const original = { ...(await dataSnapshot(source)), records: await Promise.all((await source.api.records.list({})).map((r) => source.api.records.get({ id: r.id }))) };
    const copy = await contentOf(freshDir);
    expect(copy.sessions.length).toBe(2);
    expect(copy.messages.flat().length).toBe(original.messages.flat().length);
    expect(copy.records.length).toBe(1);
    expect(copy.kb.entries).toBeGreaterThan(0);
    expect(copy).toEqual(original);
  });

  describe('refusals leave the target folder untouched', () => {
    const targetDir = tempDir('xinglin-backup-target-');

    beforeAll(async () => {
      const target = await openTestCore({ dataDir: targetDir });
      await target.api.sessions.create({ title: '目标原有会话' });
      await target.close();
    });

    async function refused(file: string): Promise<XinglinError> {
      const before = folderState(targetDir);
      const error = await failure(restoreDataFolder({ dataDir: targetDir, file }));
      expect(folderState(targetDir)).toEqual(before);
      return error;
    }

    /** The good backup unpacked, changed by `edit`, packed again. */
    async function repacked(name: string, edit: (dir: string) => void): Promise<string> {
      const dir = tempDir('xinglin-backup-edit-');
      await extract({ file: good, cwd: dir });
      edit(dir);
      const file = path.join(archives, name);
      await create({ gzip: true, file, cwd: dir }, fs.readdirSync(dir));
      return file;
    }

    it('refuses a file that is not an archive, naming it', async () => {
      const file = path.join(archives, 'random.bin');
      fs.writeFileSync(file, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
      const error = await refused(file);
      expect(error.code).toBe('BACKUP_INVALID');
      expect(error.message).toContain(file);
    });

    it("refuses another app's tar, and a manifest of another app", async () => {
      const other = tempDir('xinglin-other-app-');
      fs.writeFileSync(path.join(other, 'settings.json'), '{}');
      const file = path.join(archives, 'other.tar');
      await create({ file, cwd: other }, ['settings.json']);
      const plain = await refused(file);
      expect(plain.code).toBe('BACKUP_INVALID');
      expect(plain.message).toContain('manifest.json');

      const foreign = await repacked('foreign.tar.gz', (dir) => fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ app: 'other-app', format: 1 })));
      const error = await refused(foreign);
      expect(error.code).toBe('BACKUP_INVALID');
      expect(error.message).toContain('other-app');
    });

    it('refuses a database newer than this app supports, and a newer backup format', async () => {
      const newerDb = await repacked('newer-db.tar.gz', (dir) => {
        const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
        manifest.databases['records.db'].schemaVersion = 999;
        fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
      });
      const error = await refused(newerDb);
      expect(error.code).toBe('DATABASE_NEWER');
      expect(error.message).toContain('records.db');
      expect(error.details).toMatchObject({ version: 999 });

      const newerFormat = await repacked('newer-format.tar.gz', (dir) => {
        const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
        fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, format: 2 }));
      });
      expect((await refused(newerFormat)).code).toBe('DATABASE_NEWER');
    });

    it('refuses a flipped byte, a truncated file, and a database changed under its checksum', async () => {
      const bytes = fs.readFileSync(good);
      const flipped = path.join(archives, 'flipped.tar.gz');
      const copy = Buffer.from(bytes);
      copy[Math.floor(copy.length / 2)]! ^= 0xff;
      fs.writeFileSync(flipped, copy);
      expect((await refused(flipped)).code).toBe('BACKUP_INVALID');

      const truncated = path.join(archives, 'truncated.tar.gz');
      fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      expect((await refused(truncated)).code).toBe('BACKUP_INVALID');

      const tampered = await repacked('tampered.tar.gz', (dir) => fs.appendFileSync(path.join(dir, 'eval.db'), Buffer.alloc(4096)));
      const error = await refused(tampered);
      expect(error.code).toBe('BACKUP_INVALID');
      expect(error.message).toContain('eval.db');
    });

    it('refuses while an app has the folder open', async () => {
      const open = await openTestCore({ dataDir: targetDir });
      try {
        const before = folderState(targetDir);
        const error = await failure(restoreDataFolder({ dataDir: targetDir, file: good }));
        expect(error.code).toBe('BUSY');
        expect(folderState(targetDir)).toEqual(before);
      } finally {
        await open.close();
      }
    });

    it('restores over existing data, keeping the databases it replaced', async () => {
      const result = await restoreDataFolder({ dataDir: targetDir, file: good });
      expect(result.previous).toMatch(/before-restore-\d{8}T\d{6}Z$/);
      expect(fs.readdirSync(result.previous!)).toEqual(expect.arrayContaining(['xinglin.db', 'records.db', 'knowledge.db', 'eval.db']));
      const restored = await contentOf(targetDir);
      expect(restored.sessions.map((s) => s.title).sort()).toEqual(['写入中', '痛风随访']);
      expect(fs.readdirSync(targetDir).some((name) => name.startsWith('.restore-'))).toBe(false);
    });
  });
});
