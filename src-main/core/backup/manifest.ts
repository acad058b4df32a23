import fs from 'node:fs';
import { z } from 'zod';

export const MANIFEST_NAME = 'manifest.json';
export const APP_NAME = 'xinglin';
/** Raised only when a change would mislead an older app's restore. */
export const BACKUP_FORMAT = 1;

export const DatabaseEntry = z.object({
  schemaVersion: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().min(0),
});

export const BackupManifest = z.object({
  app: z.literal(APP_NAME),
  format: z.literal(BACKUP_FORMAT),
  appVersion: z.string(),
  createdAt: z.string(),
  databases: z.record(z.string(), DatabaseEntry),
  /** Present when the databases inside are encrypted (with the data folder's key, named by its fingerprint). */
  encryption: z.object({ cipher: z.string(), keyCheck: z.string() }).optional(),
});
export type BackupManifest = z.infer<typeof BackupManifest>;

/** A backup's file name carries its moment (UTC), so the daily schedule can tell its age without trusting file times. */
export const BACKUP_NAME = /^xinglin-backup-(\d{8}T\d{6}Z)\.tar\.gz$/;

/** The backups in `folder` by name, newest first (none when the folder is missing or unreadable). */
export function listBackups(folder: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch {
    return [];
  }
  return names.filter((name) => BACKUP_NAME.test(name)).sort().reverse();
}

export function backupFileName(at: Date): string {
  return `xinglin-backup-${stamp(at)}.tar.gz`;
}

/** 2026-12-07T11:45:47.123Z → 20261207T114547Z */
export function stamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function parseStamp(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
}
