/**
 * The database key in the OS keychain, under the electron STAND-IN's safeStorage (no Electron
 * binary, no OS keychain here): sealed to a file of the data folder, unsealed at start, refused
 * where Chromium would seal with its fixed password, and the recovery key sealed again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { generateKey } from '../../src-main/core/core.js';
import { desktopKey, safeStorageKeychain } from '../../src-main/hosts/electron/keychain.js';
import { safeStorage, standin } from './electron-standin.js';
import { tempDir } from '../helpers/env.js';

beforeEach(() => standin.reset());

describe('the desktop keychain', () => {
  it('seals the key into the data folder (0600, not the key in the clear) and reads it back', () => {
    const dataDir = tempDir('xinglin-keychain-');
    const keychain = safeStorageKeychain(dataDir, safeStorage, 'linux');
    expect(keychain.unavailable()).toBeNull();
    const key = generateKey();
    keychain.store(key);
    const sealed = path.join(dataDir, 'database-key.sealed');
    expect((fs.statSync(sealed).mode & 0o777).toString(8)).toBe('600');
    expect(fs.readFileSync(sealed, 'utf8')).not.toContain(key.toString('hex'));
    expect(keychain.read()).toEqual(key);
    expect(desktopKey(keychain, {})).toEqual({ key, source: 'keychain' });
    keychain.forget();
    expect(keychain.read()).toBeUndefined();
  });

  it('refuses to keep a key where Chromium would seal it with its built-in password, or has no keychain', () => {
    const keychain = safeStorageKeychain(tempDir('xinglin-keychain-'), safeStorage, 'linux');
    standin.keychainBackend = 'basic_text';
    expect(keychain.unavailable()).toMatch(/gnome-keyring 或 KWallet/);
    expect(safeStorageKeychain(tempDir('xinglin-keychain-'), safeStorage, 'win32').unavailable()).toBeNull();
    standin.keychainAvailable = false;
    expect(keychain.unavailable()).toMatch(/系统钥匙串不可用/);
  });

  it('opens with the recovery key when the keychain cannot unseal its key, and seals it again', () => {
    const dataDir = tempDir('xinglin-keychain-');
    const keychain = safeStorageKeychain(dataDir, safeStorage, 'darwin');
    fs.writeFileSync(path.join(dataDir, 'database-key.sealed'), 'sealed by another user');
    expect(keychain.read()).toBeUndefined();
    const recovery = generateKey();
    expect(desktopKey(keychain, { XINGLIN_DB_KEY: recovery.toString('hex') })).toEqual({ key: recovery, source: 'keychain' });
    expect(keychain.read()).toEqual(recovery);
  });
});
