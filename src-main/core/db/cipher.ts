/**
 * Encryption at rest with SQLCipher 4 (through SQLite3MultipleCiphers): a data folder's databases
 * share one 32-byte random key. It is given to SQLite as a raw key: being random, it needs no
 * passphrase stretching, which would add about 0.3 s to every open and no strength.
 * SQLCipher 4's format rather than the library's own default cipher (ChaCha20) so IT can open a
 * file with SQLCipher 4 tools (or DB Browser for SQLite) when they must.
 */
import fs from 'node:fs';
import type Database from 'better-sqlite3-multiple-ciphers';

export const KEY_BYTES = 32;

/** The key of a data folder's databases. */
export type DatabaseKey = Buffer;

/** Sets the cipher and key on a connection before its first read. */
export function applyKey(db: Database.Database, key: DatabaseKey): void {
  db.pragma(`cipher = 'sqlcipher'`);
  db.pragma('legacy = 4');
  db.pragma(`key = "x'${key.toString('hex')}'"`);
}

/**
 * Encrypts (a key) or decrypts (null) every page of an open database, in one transaction: a crash
 * midway leaves the file as it was. SQLite3MultipleCiphers rewrites pages only in rollback-journal
 * mode, so WAL is left for the change (checkpointing everything) and taken back after.
 */
export function rekey(db: Database.Database, key: DatabaseKey | null): void {
  db.pragma('journal_mode = DELETE');
  db.pragma(`cipher = 'sqlcipher'`);
  db.pragma('legacy = 4');
  db.pragma(key ? `rekey = "x'${key.toString('hex')}'"` : `rekey = ''`);
  db.pragma('journal_mode = WAL');
}

const PLAIN_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** 'empty' (new, zero bytes), 'plain' (SQLite's own header) or 'encrypted' (anything else: encrypted, or not a database at all). */
export function fileEncryption(file: string): 'empty' | 'plain' | 'encrypted' {
  const fd = fs.openSync(file, 'r');
  try {
    const header = Buffer.alloc(PLAIN_HEADER.length);
    const read = fs.readSync(fd, header, 0, header.length, 0);
    if (read === 0) return 'empty';
    return read === header.length && header.equals(PLAIN_HEADER) ? 'plain' : 'encrypted';
  } finally {
    fs.closeSync(fd);
  }
}
