import path from 'node:path';
import { buildApi, isMethodName, methods, XinglinError, type Reply } from '../contract/index.js';
import { DailyBackups } from './backup/index.js';
import { openChat } from './chat/index.js';
import type { CoreConfig } from './config.js';
import type { Core } from './core-types.js';
import { folderKey } from './encryption/index.js';
import { openEval } from './eval/index.js';
import { EventBus } from './event-bus.js';
import { ensureUsableFolder } from './folders.js';
import { FileHandles } from './file-handles.js';
import { Jobs } from './jobs.js';
import { openKnowledge } from './knowledge/index.js';
import { ClinicService, openLlm } from './llm/index.js';
import { openRecords } from './records/index.js';
import { errorTrace, openLog } from './log.js';
import type { Handlers } from './slice.js';
import { invalidInput, malformedText } from './validation.js';

export type { Core } from './core-types.js';
export type { HostFiles } from './file-handles.js';
export { openLog, errorTrace, type Logger } from './log.js';
export { readLines } from './line-reader.js';
/**
 * Backups work on the data folder's files, not through a core: a backup reads the databases from
 * connections of its own (while an app writes them), and a restore replaces the very files an open
 * core holds, so it must run before any core opens the folder (it refuses while one has it open).
 */
export { backupDataFolder, restoreDataFolder, type BackupResult, type RestoreResult } from './backup/index.js';
/** Encryption at rest: the key's sources outside the desktop keychain, and changing a folder in place (also before any core opens it). */
export { encryptDataFolder, decryptDataFolder, keyFromEnvironment, createKeyFile, readKeyFile, parseKey, keyToText, generateKey, readMarker, type KeySource, type SuppliedKey } from './encryption/index.js';
export { forkRuntime, keepTail, type RuntimeProcess, type SpawnRuntime, type ClinicCompletion } from './llm/index.js';

/** Opens the slices on the data folder and merges their handlers; every host (Electron, web, CLI) holds the object this returns. */
export async function createCore(config: CoreConfig): Promise<Core> {
  // A bad place fails here, in a second, with its cause, before anything opens a file in it.
  ensureUsableFolder(config.dataDir, 'data');
  ensureUsableFolder(config.modelsDir, 'models');
  // A missing or wrong key is named here, before any database is opened.
  const key = folderKey(config.dataDir, config.databaseKey);
  const log = openLog(config.dataDir);
  const bus = new EventBus();
  const jobs = new Jobs((job) => bus.emit('job.progress', job), log);
  const files = new FileHandles(path.join(config.dataDir, 'uploads'));
  const llm = openLlm({ config, jobs, log, bus, files });
  const knowledge = openKnowledge({ file: path.join(config.dataDir, 'knowledge.db'), key, starterDir: config.starterDir, refuseUngrounded: config.refuseUngrounded ?? false, slowQueryMs: config.slowQueryMs, jobs, files, log });
  const chat = openChat({ file: path.join(config.dataDir, 'xinglin.db'), key, config, knowledge: knowledge.service, llm: llm.service, bus, log });
  const records = openRecords({ file: path.join(config.dataDir, 'records.db'), key, config, knowledge: knowledge.service, llm: llm.service, jobs, bus, log });
  const evaluation = openEval({ file: path.join(config.dataDir, 'eval.db'), key, config, knowledge: knowledge.service, llm: llm.service, records: records.service, jobs, files, bus });

  const handlers: Handlers = {
    'app.info': () => ({ name: '杏林 Xinglin', version: config.appVersion, host: config.host, dataDir: config.dataDir, modelsDir: config.modelsDir, platform: `${process.platform}-${process.arch}` }),
    'jobs.list': () => jobs.list(),
    'jobs.cancel': ({ id }) => ({ cancelled: jobs.cancel(id) }),
    ...chat.handlers,
    ...llm.handlers,
    ...knowledge.handlers,
    ...records.handlers,
    ...evaluation.handlers,
  };
  const backups = config.backup ? new DailyBackups({ dataDir: config.dataDir, schedule: config.backup, appVersion: config.appVersion, log, key }) : null;
  backups?.start();
  log.info({ event: 'core.opened', host: config.host, appVersion: config.appVersion });
  // In the background: the core answers (and can close) while the model loads.
  if (config.autoLoadProfile) llm.service.restoreLastProfile();

  async function call(method: string, input: unknown): Promise<Reply> {
    if (!isMethodName(method)) return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `未知的方法：${String(method).slice(0, 80)}` } };
    const parsed = methods[method].input.safeParse(input ?? {});
    if (!parsed.success) return { ok: false, error: invalidInput(method, parsed.error).toWire() };
    // After the schema, so the walk is as deep as the schema allows, whatever was sent.
    const malformed = malformedText(method, parsed.data);
    if (malformed) return { ok: false, error: malformed.toWire() };
    try {
      const handler = handlers[method] as (params: unknown) => unknown;
      return { ok: true, value: await handler(parsed.data) };
    } catch (cause) {
      if (cause instanceof XinglinError) return { ok: false, error: cause.toWire() };
      // Unexpected: the log gets the method and the stack frames, never the payload or the message.
      log.error({ event: 'core.call.failed', method, ...errorTrace(cause) });
      return { ok: false, error: { code: 'INTERNAL', message: `内部错误（${method}）：${String((cause as Error)?.message ?? cause)}` } };
    }
  }

  let closed: Promise<void> | null = null;
  return {
    config,
    call,
    api: buildApi({ invoke: call, subscribe: (event, listener) => bus.subscribe((name, payload) => name === event && listener(payload)) }),
    subscribe: (listener) => bus.subscribe(listener),
    files,
    clinic: new ClinicService(llm.service),
    log,
    close: () =>
      (closed ??= (async () => {
        jobs.cancelAll();
        await backups?.close(); // a backup under way finishes before its databases close
        files.close();
        await chat.close();
        await evaluation.close();
        await records.close();
        await llm.close();
        knowledge.close();
        log.info({ event: 'core.closed' });
      })()),
  };
}
