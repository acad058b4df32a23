/** Backups of the data folder's databases: one archive with a manifest, restore with checks, a daily schedule. */
export { backupDataFolder, type BackupRequest, type BackupResult } from './write.js';
export { restoreDataFolder, type RestoreRequest, type RestoreResult } from './restore.js';
export { listBackups, backupFileName, parseStamp, BACKUP_NAME, type BackupManifest } from './manifest.js';
export { DailyBackups, systemClock, type BackupSchedule, type Clock, type DailyBackupsOptions } from './schedule.js';
