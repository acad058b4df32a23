import os from 'node:os';
import path from 'node:path';
import { DEFAULT_SAMPLING, XinglinError, type KeySource, type Sampling } from '../contract/index.js';
import type { DatabaseKey } from './db/index.js';
import type { SpawnRuntime } from './llm/process/spawn.js';

export interface CoreConfig {
  /** Database, knowledge base, manifests. */
  dataDir: string;
  /** GGUF base models; adapters live in `<modelsDir>/lora`. */
  modelsDir: string;
  host: 'electron' | 'web' | 'cli';
  /** The starter knowledge base shipped with the app (its `*.jsonl` and synonym table): each host and the build say where. */
  starterDir: string;
  appVersion: string;
  /** Starts the model process (llama.cpp runs there, never in the app's process): see `forkRuntime`. */
  spawnRuntime: SpawnRuntime;
  /** A model process silent this long while it answers is ended as hung (default 60 s). */
  runtimeHangMs?: number;
  /** CPU threads for inference; defaults to the physical cores minus one (runtime/hardware.ts says why). */
  threads?: number;
  /** 'auto' uses a GPU when one is usable, false forces the CPU. */
  gpu?: 'auto' | false;
  /** Context window for a loaded model (tokens), capped by what the model was trained for. */
  contextSize?: number;
  sampling?: Partial<Sampling>;
  /** Database reads and writes slower than this are logged (default 50 ms); 0 logs every one, for diagnosis. */
  slowQueryMs?: number;
  /** Administrator policy: a model answer that cites nothing from the knowledge base is refused. */
  refuseUngrounded?: boolean;
  /** Load the profile used last at start, when the manifest's own switch is on too (the desktop and the server do; tests and one-shot commands do not). */
  autoLoadProfile?: boolean;
  /** A daily backup into `folder`, the newest `keep` kept, while this core is open (the desktop and the server set it from XINGLIN_BACKUP_DIR). */
  backup?: { folder: string; keep: number };
  /** The data folder's database key (the keychain's in the desktop app, XINGLIN_DB_KEY_FILE / XINGLIN_DB_KEY elsewhere); required once the folder is encrypted. */
  databaseKey?: DatabaseKey | undefined;
  /** Where the key came from, for the data pane (never the key itself). */
  databaseKeySource?: KeySource | undefined;
  /** The OS keychain (the desktop app's safeStorage), where turning encryption on from the UI keeps the key. */
  keychain?: Keychain | undefined;
}

/** A place that keeps the database key for this user of this workstation. */
export interface Keychain {
  /** null when it can keep a key safely; else why not, in Chinese (a Linux session without a keyring). */
  unavailable(): string | null;
  store(key: DatabaseKey): void;
  /** Removes a key stored by an encryption that did not happen. */
  forget(): void;
}

/** The penalties and min-p are off (their neutral values) unless a profile turns them on (the contract's, which the UI's reset shows too). */
export const defaultSampling: Sampling = DEFAULT_SAMPLING;

/** The per-user data folder each platform expects (the same one Electron's userData points at). */
export function defaultDataDir(): string {
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Xinglin');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Xinglin');
  return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'xinglin');
}

/** `--data-dir` / `--models-dir` win over XINGLIN_DATA_DIR / XINGLIN_MODELS_DIR, which win over defaults. */
export function resolveDirs(flags: { dataDir?: string | undefined; modelsDir?: string | undefined }, env: NodeJS.ProcessEnv = process.env): { dataDir: string; modelsDir: string } {
  const dataDir = path.resolve(flags.dataDir ?? env.XINGLIN_DATA_DIR ?? defaultDataDir());
  const modelsDir = path.resolve(flags.modelsDir ?? env.XINGLIN_MODELS_DIR ?? path.join(dataDir, 'models'));
  return { dataDir, modelsDir };
}

/** XINGLIN_REFUSE_UNGROUNDED=1 (an administrator's policy for every host) refuses uncited model answers. */
export function resolveRefuseUngrounded(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = (env.XINGLIN_REFUSE_UNGROUNDED ?? '').trim().toLowerCase();
  if (value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new XinglinError('INVALID_INPUT', `XINGLIN_REFUSE_UNGROUNDED 只能是 1 或 0，收到“${value}”。`);
}

const DEFAULT_BACKUP_KEEP = 7;

/** XINGLIN_BACKUP_DIR turns the daily backup on (into that folder); XINGLIN_BACKUP_KEEP says how many stay (default 7). */
export function resolveBackupSchedule(env: NodeJS.ProcessEnv = process.env): { folder: string; keep: number } | undefined {
  const folder = (env.XINGLIN_BACKUP_DIR ?? '').trim();
  const keepText = (env.XINGLIN_BACKUP_KEEP ?? '').trim();
  if (folder === '') {
    if (keepText !== '') throw new XinglinError('INVALID_INPUT', 'XINGLIN_BACKUP_KEEP 需要同时设置 XINGLIN_BACKUP_DIR（备份保存到哪个文件夹）。');
    return undefined;
  }
  const keep = keepText === '' ? DEFAULT_BACKUP_KEEP : Number(keepText);
  if (!Number.isInteger(keep) || keep < 1 || keep > 1000) throw new XinglinError('INVALID_INPUT', `XINGLIN_BACKUP_KEEP 需要 1 到 1000 之间的整数，收到“${keepText}”。`);
  return { folder: path.resolve(folder), keep };
}

/** `--threads` wins over XINGLIN_THREADS; neither means the measured default (chooseThreads in the model process). */
export function resolveThreads(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = flag ?? env.XINGLIN_THREADS;
  if (value === undefined || value === '') return undefined;
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new XinglinError('INVALID_INPUT', `线程数需要 1 到 256 之间的整数，收到“${value}”。`);
  return threads;
}
