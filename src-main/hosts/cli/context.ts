import { resolveDirs, resolveRefuseUngrounded, resolveThreads } from '../../core/config.js';
import { createCore, type Core } from '../../core/core.js';
import { appVersion, starterDir } from '../common/app-root.js';

export interface CommonFlags {
  'data-dir'?: string | undefined;
  'models-dir'?: string | undefined;
  threads?: string | undefined;
}

/** Every command opens the core on the folders its flags (or XINGLIN_* variables) name. */
export function openCore(flags: CommonFlags, host: 'cli' | 'web'): Promise<Core> {
  const dirs = resolveDirs({ dataDir: flags['data-dir'], modelsDir: flags['models-dir'] });
  const threads = resolveThreads(flags.threads);
  return createCore({ ...dirs, host, appVersion: appVersion(), starterDir: starterDir(), refuseUngrounded: resolveRefuseUngrounded(), ...(threads ? { threads } : {}) });
}
