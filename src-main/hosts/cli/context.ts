import { resolveBackupSchedule, resolveDirs, resolveRefuseUngrounded, resolveThreads } from '../../core/config.js';
import { createCore, forkRuntime, keyFromEnvironment, type Core } from '../../core/core.js';
import { appVersion, runtimeEntry, starterDir } from '../common/app-root.js';

export interface CommonFlags {
  'data-dir'?: string | undefined;
  'models-dir'?: string | undefined;
  threads?: string | undefined;
}

/** Every command opens the core on the folders its flags (or XINGLIN_* variables) name; the server (web) loads the last profile and keeps the daily backup, one-shot commands do neither. */
export function openCore(flags: CommonFlags, host: 'cli' | 'web'): Promise<Core> {
  const dirs = resolveDirs({ dataDir: flags['data-dir'], modelsDir: flags['models-dir'] });
  const threads = resolveThreads(flags.threads);
  const runtime = runtimeEntry();
  const backup = host === 'web' ? resolveBackupSchedule() : undefined;
  const supplied = keyFromEnvironment();
  return createCore({ ...dirs, host, appVersion: appVersion(), starterDir: starterDir(), spawnRuntime: forkRuntime(runtime.entry, runtime.execArgv), refuseUngrounded: resolveRefuseUngrounded(), autoLoadProfile: host === 'web', ...(threads ? { threads } : {}), ...(backup ? { backup } : {}), ...(supplied ? { databaseKey: supplied.key, databaseKeySource: supplied.source } : {}) });
}
