import { z } from 'zod';
import { FileHandle, None } from './common.js';

/** The data folder itself: backups (now, listed, restored with confirmation) and encryption at rest. */

/** A backup in the backup folder, by file name (`xinglin-backup-<UTC time>.tar.gz`). */
export const BackupName = z.string().regex(/^xinglin-backup-\d{8}T\d{6}Z\.tar\.gz$/);

export const BackupEntry = z.object({
  name: BackupName,
  bytes: z.number().int().min(0),
  /** When it was taken (ISO), from its name. */
  createdAt: z.string(),
});
export type BackupEntry = z.infer<typeof BackupEntry>;

export const KeySource = z.enum(['keychain', 'file', 'environment']);
export type KeySource = z.infer<typeof KeySource>;

export const DataStatus = z.object({
  dataDir: z.string(),
  /** Where "back up now" and the daily backup write (XINGLIN_BACKUP_DIR, else `<dataDir>/backups`). */
  backupFolder: z.string(),
  /** The daily backup, when an administrator turned it on. */
  daily: z.object({ keep: z.number().int() }).nullable(),
  /** Newest first. */
  backups: z.array(BackupEntry),
  encryption: z.object({
    enabled: z.boolean(),
    keySource: KeySource.nullable(),
    /** Whether this host can turn it on from the UI (the desktop app with a usable keychain). */
    canEnable: z.boolean(),
    /** Why not, in Chinese, when it cannot (browser mode: use the command; Linux without a keyring). */
    reason: z.string().nullable(),
  }),
});
export type DataStatus = z.infer<typeof DataStatus>;

export const RestoreSource = z.union([z.object({ backup: BackupName }).strict(), z.object({ file: FileHandle }).strict()]);

export const DataRestored = z.object({
  /** The backup's file name. */
  restoredFrom: z.string(),
  createdAt: z.string(),
  appVersion: z.string(),
  /** Where the replaced databases were kept (null: there were none). */
  previous: z.string().nullable(),
});
export type DataRestored = z.infer<typeof DataRestored>;

export const DataEncrypted = z.object({
  /** The unencrypted backup taken first (null: nothing to back up yet). */
  backupFile: z.string().nullable(),
  /** Shown once, to be kept offline: opens the data if the keychain is lost (XINGLIN_DB_KEY). */
  recoveryKey: z.string().regex(/^[0-9a-f]{64}$/),
});
export type DataEncrypted = z.infer<typeof DataEncrypted>;

export const dataMethods = {
  'data.status': { input: None, output: DataStatus },
  /** A job (`data.backup`): an online backup into the backup folder. */
  'data.backup': { input: None, output: BackupEntry },
  /** Replaces every database with the backup's; `confirm` must be sent: the UI asks first. The databases reopen after. */
  'data.restore': { input: z.object({ source: RestoreSource, confirm: z.literal(true) }).strict(), output: DataRestored },
  /** Desktop only: encrypts the data folder in place (a backup first), the key kept in the OS keychain. */
  'data.encrypt': { input: z.object({ confirm: z.literal(true) }).strict(), output: DataEncrypted },
} as const;
