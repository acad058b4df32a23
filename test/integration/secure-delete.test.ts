import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Core } from '../../src-main/core/core.js';
import { openDatabase } from '../../src-main/core/db/index.js';
import { answerOf, openTestCore, tempDir } from '../helpers/env.js';

const DATABASE_FILES = ['xinglin.db', 'xinglin.db-wal', 'xinglin.db-shm'];

/**
 * How a patient's name and ID number can lie in the files: as typed (rows, title), lowercased
 * (a full-text term), as the bigrams the index stores, in UTF-8 and, in case, UTF-16.
 */
function needles(name: string, id: string): Buffer[] {
  const bigrams = Array.from({ length: name.length - 1 }, (_, i) => name.slice(i, i + 2));
  return [name, id, id.toLowerCase(), ...bigrams].flatMap((text) => [Buffer.from(text, 'utf8'), Buffer.from(text, 'utf16le')]);
}

/** Bytes of the needles found in the database and its -wal and -shm files. */
function bytesFound(dataDir: string, patterns: Buffer[]): number {
  let found = 0;
  for (const name of DATABASE_FILES) {
    const file = path.join(dataDir, name);
    if (!fs.existsSync(file)) continue;
    const bytes = fs.readFileSync(file);
    for (const pattern of patterns) {
      for (let at = bytes.indexOf(pattern); at >= 0; at = bytes.indexOf(pattern, at + 1)) found += pattern.length;
    }
  }
  return found;
}

/** A consultation about the patient: their name and ID in the title, the questions and an answer (knowledge mode quotes the name). */
async function consult(core: Core, name: string, id: string): Promise<string> {
  const session = await core.api.sessions.create({});
  for (const text of [`${name}的禁忌是什么？`, `患者${name}，身份证号 ${id}，痛风急性发作怎么处理？`]) {
    const { assistantMessageId } = await core.api.chat.send({ sessionId: session.id, text });
    const { done } = await answerOf(core, assistantMessageId);
    expect(done?.message.status).toBe('complete');
  }
  const messages = await core.api.sessions.messages({ id: session.id });
  expect(messages.some((m) => m.role === 'assistant' && m.text.includes(name))).toBe(true);
  return session.id;
}

describe('deleted means deleted: no byte of a deleted session stays in the database files', () => {
  it('finds nothing of the deleted patient while the core is open and after it closes, and still finds the kept one', async () => {
    const core = await openTestCore();
    const { dataDir } = core.config;
    const deleted = needles('欧阳秀英', 'X110105199001011234');
    const kept = needles('司马建国', 'Q220106198512127777');
    const doomed = await consult(core, '欧阳秀英', 'X110105199001011234');
    await consult(core, '司马建国', 'Q220106198512127777');
    expect(bytesFound(dataDir, deleted)).toBeGreaterThan(0);

    await core.api.sessions.delete({ id: doomed });
    expect(bytesFound(dataDir, deleted)).toBe(0);
    // The scan does see text that is still there: the other patient's session is untouched.
    expect(bytesFound(dataDir, kept)).toBeGreaterThan(0);
    expect(await core.api.sessions.search({ query: '司马建国' })).not.toHaveLength(0);
    expect(await core.api.sessions.search({ query: '欧阳秀英' })).toHaveLength(0);

    await core.close();
    expect(bytesFound(dataDir, deleted)).toBe(0);
    expect(bytesFound(dataDir, kept)).toBeGreaterThan(0);
  });

  it('every database the kit opens (xinglin.db and knowledge.db alike) zeroes what it deletes', () => {
    const db = openDatabase(path.join(tempDir(), 'knowledge.db'), { migrations: [] });
    try {
      expect(db.pragma('secure_delete', { simple: true })).toBe(1);
    } finally {
      db.close();
    }
  });
});
