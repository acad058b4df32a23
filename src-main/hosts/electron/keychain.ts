/**
 * The database key in the OS keychain through Electron's safeStorage (Keychain on macOS, DPAPI on
 * Windows, the Secret Service or KWallet on Linux): sealed by it and kept as
 * `<dataDir>/database-key.sealed`, which only this user on this workstation can unseal.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Keychain } from '../../core/config.js';
import { keyFromEnvironment, keyToText, parseKey, type SuppliedKey } from '../../core/core.js';

/** The part of Electron's safeStorage used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(text: string): Buffer;
  decryptString(sealed: Buffer): string;
  /** Linux only. */
  getSelectedStorageBackend?(): string;
}

const SEALED_NAME = 'database-key.sealed';

export function safeStorageKeychain(dataDir: string, safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): Keychain & { read(): Buffer | undefined } {
  const sealed = path.join(dataDir, SEALED_NAME);
  const keychain = {
    unavailable(): string | null {
      if (!safeStorage.isEncryptionAvailable()) return '系统钥匙串不可用，无法保存数据库密钥。请改用密钥文件：关闭杏林后运行 xinglin encrypt --backup <备份文件> --key-file <密钥文件>。';
      // Without a keyring Chromium seals with a fixed password compiled into it: no protection at all.
      if (platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text') {
        return '此 Linux 会话没有运行钥匙串服务（gnome-keyring 或 KWallet），密钥无法安全保存。请启用钥匙串服务，或改用密钥文件（xinglin encrypt --key-file，并以 XINGLIN_DB_KEY_FILE 启动）。';
      }
      return null;
    },
    store(key: Buffer): void {
      const partial = `${sealed}.partial`;
      fs.writeFileSync(partial, safeStorage.encryptString(keyToText(key)), { mode: 0o600 });
      fs.renameSync(partial, sealed);
    },
    forget(): void {
      fs.rmSync(sealed, { force: true });
    },
    /** The sealed key, or undefined when there is none or the keychain can no longer unseal it (another user, a reinstalled system). */
    read(): Buffer | undefined {
      if (!fs.existsSync(sealed) || !safeStorage.isEncryptionAvailable()) return undefined;
      try {
        return parseKey(safeStorage.decryptString(fs.readFileSync(sealed)), sealed);
      } catch {
        return undefined;
      }
    },
  };
  return keychain;
}

/**
 * The desktop app's key: the keychain's; else one given by XINGLIN_DB_KEY_FILE / XINGLIN_DB_KEY
 * (the recovery key after the keychain was lost), which is then sealed into the keychain so the
 * next start needs it no more.
 */
export function desktopKey(keychain: ReturnType<typeof safeStorageKeychain>, env: NodeJS.ProcessEnv = process.env): SuppliedKey | undefined {
  const sealed = keychain.read();
  if (sealed) return { key: sealed, source: 'keychain' };
  const given = keyFromEnvironment(env);
  if (given && keychain.unavailable() === null) {
    keychain.store(given.key);
    return { key: given.key, source: 'keychain' };
  }
  return given;
}
