/**
 * The data folder as a whole, for the data pane: backing up now, the backups there are, restoring
 * one (the databases close, are replaced, and open again), and turning encryption at rest on with
 * the key in the OS keychain. The core hands it `reopen`, since only the core holds the databases.
 */
import fs from 'node:fs';
import path from 'node:path';
import { XinglinError, type BackupEntry, type DataStatus, type JobKind, type KeySource } from '../../contract/index.js';
import { backupDataFolder, backupFileName, BACKUP_NAME, listBackups, parseStamp, restoreDataFolder } from '../backup/index.js';
import type { CoreConfig } from '../config.js';
import type { DatabaseKey } from '../db/index.js';
import { encryptDataFolder, generateKey, keyToText, readMarker } from '../encryption/index.js';
import type { FileHandles } from '../file-handles.js';
import type { Jobs } from '../jobs.js';
import type { Logger } from '../log.js';
import type { Handlers } from '../slice.js';


export interface DataFolderDeps {
  config: CoreConfig;
  jobs: Jobs;
  files: FileHandles;
  log: Logger;
  /** The key the databases are open with now. */
  key(): DatabaseKey | undefined;
  /** Closes the databases, runs `work`, and opens them again with the key `keyAfter` gives then (also when `work` failed). */
  reopen<T>(work: () => Promise<T>, keyAfter: () => DatabaseKey | undefined): Promise<T>;
}

type DataMethods = 'data.status' | 'data.backup' | 'data.restore' | 'data.encrypt';

/** Work that holds the databases: a restore or an encryption waits for none of it, it refuses while any runs. */
const DATABASE_JOBS: ReadonlySet<JobKind> = new Set(['kb.import', 'records.draft', 'eval.run', 'dataset.build', 'data.backup']);

export function openDataFolder(deps: DataFolderDeps): { handlers: Pick<Handlers, DataMethods> } {
  const { config, jobs } = deps;
  const { dataDir } = config;
  const folder = config.backup?.folder ?? path.join(dataDir, 'backups');
  let keySource: KeySource | undefined = config.databaseKeySource;

  const entry = (name: string): BackupEntry => ({ name, bytes: fs.statSync(path.join(folder, name)).size, createdAt: new Date(parseStamp(BACKUP_NAME.exec(name)![1]!)).toISOString() });

  async function backupNow(subject: string): Promise<BackupEntry> {
    const name = backupFileName(new Date());
    await jobs.run('data.backup', subject, ({ signal, report }) =>
      backupDataFolder({ dataDir, file: path.join(folder, name), appVersion: config.appVersion, key: deps.key(), signal, onProgress: (done, total) => report({ phase: 'copy', progress: done / total, done, total }) }),
    );
    return entry(name);
  }

  function refuseWhileWorking(action: string): void {
    const running = jobs.list().find((job) => job.state === 'running' && DATABASE_JOBS.has(job.kind));
    if (running) throw new XinglinError('BUSY', `有任务正在使用数据（${running.subject}），不能${action}：请等它完成或取消后再试。`, { job: running.kind });
  }

  function status(): DataStatus {
    const enabled = deps.key() !== undefined;
    const why = enabled ? null : encryptionUnavailable(config);
    return {
      dataDir,
      backupFolder: folder,
      daily: config.backup ? { keep: config.backup.keep } : null,
      backups: listBackups(folder).map(entry),
      encryption: { enabled, keySource: enabled ? (keySource ?? null) : null, canEnable: !enabled && why === null, reason: why },
    };
  }

  return {
    handlers: {
      'data.status': status,
      'data.backup': () => backupNow('立即备份'),
      'data.restore': async ({ source }) => {
        refuseWhileWorking('恢复');
        const chosen = 'backup' in source ? { path: path.join(folder, source.backup), name: source.backup, close: () => undefined } : deps.files.open(source.file);
        try {
          const key = deps.key();
          const result = await deps.reopen(() => restoreDataFolder({ dataDir, file: chosen.path, key }), () => key);
          deps.log.info({ event: 'data.restored', backup: chosen.name, createdAt: result.manifest.createdAt });
          return { restoredFrom: chosen.name, createdAt: result.manifest.createdAt, appVersion: result.manifest.appVersion, previous: result.previous };
        } finally {
          chosen.close();
        }
      },
      'data.encrypt': async () => {
        const keychain = config.keychain;
        const why = deps.key() !== undefined ? '数据已经加密。' : encryptionUnavailable(config);
        if (why !== null || !keychain) throw new XinglinError('INVALID_INPUT', why ?? '此处不能开启加密。', { path: dataDir });
        refuseWhileWorking('加密');
        const key = generateKey();
        const backupFile = path.join(folder, backupFileName(new Date()));
        // The keychain first: a key that cannot be kept must not encrypt anything.
        keychain.store(key);
        const encrypted = () => readMarker(dataDir) !== undefined;
        try {
          const result = await deps.reopen(() => encryptDataFolder({ dataDir, key, backupFile, appVersion: config.appVersion }), () => (encrypted() ? key : undefined));
          keySource = 'keychain';
          deps.log.info({ event: 'data.encrypted', databases: result.databases.length });
          return { backupFile: result.backup?.file ?? null, recoveryKey: keyToText(key) };
        } catch (cause) {
          if (!encrypted()) keychain.forget();
          throw cause;
        }
      },
    },
  };
}

/** Why encryption cannot be turned on here (null: it can): only the desktop app keeps a key in the OS keychain. */
function encryptionUnavailable(config: CoreConfig): string | null {
  if (!config.keychain) return '浏览器模式与命令行没有系统钥匙串：请关闭杏林后运行 xinglin encrypt --backup <备份文件> --key-file <密钥文件>，再以 XINGLIN_DB_KEY_FILE 指向该密钥文件启动。';
  return config.keychain.unavailable();
}
