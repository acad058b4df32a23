import path from 'node:path';
import { buildApi, isMethodName, methods, XinglinError, type MethodName, type Reply } from '../contract/index.js';
import { DailyBackups } from './backup/index.js';
import { openChat, type ChatMethods } from './chat/index.js';
import type { CoreConfig } from './config.js';
import type { Core } from './core-types.js';
import { openDataFolder } from './data/index.js';
import type { DatabaseKey } from './db/index.js';
import { folderKey } from './encryption/index.js';
import { openEval, type EvalMethods } from './eval/index.js';
import { EventBus } from './event-bus.js';
import { ensureUsableFolder } from './folders.js';
import { FileHandles } from './file-handles.js';
import { Jobs } from './jobs.js';
import { openKnowledge, type KnowledgeMethods } from './knowledge/index.js';
import { ClinicService, openLlm } from './llm/index.js';
import { openRecords, type RecordMethods } from './records/index.js';
import { errorTrace, openLog, type Logger } from './log.js';
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
export { encryptDataFolder, decryptDataFolder, keyFromEnvironment, createKeyFile, readKeyFile, parseKey, keyToText, generateKey, readMarker, type SuppliedKey } from './encryption/index.js';
export { forkRuntime, keepTail, type RuntimeProcess, type SpawnRuntime, type ClinicCompletion } from './llm/index.js';

/** Opens the slices on the data folder and merges their handlers; every host (Electron, web, CLI) holds the object this returns. */
export async function createCore(config: CoreConfig): Promise<Core> {
  // A bad place fails here, in a second, with its cause, before anything opens a file in it.
  ensureUsableFolder(config.dataDir, 'data');
  ensureUsableFolder(config.modelsDir, 'models');
  // A missing or wrong key is named here, before any database is opened.
  let key = folderKey(config.dataDir, config.databaseKey);
  const log = openLog(config.dataDir);
  const bus = new EventBus();
  const jobs = new Jobs((job) => bus.emit('job.progress', job), log);
  const files = new FileHandles(path.join(config.dataDir, 'uploads'));
  const llm = openLlm({ config, jobs, log, bus, files });
  const open = () => openDatabases({ config, key, llm, jobs, files, bus, log });
  let databases: Databases | null = open();
  /** Set while a restore or an encryption has the databases closed, or when reopening them failed. */
  let unavailable: XinglinError | null = null;

  const data = openDataFolder({
    config,
    jobs,
    files,
    log,
    key: () => key,
    reopen: async (work, keyAfter) => {
      if (unavailable) throw unavailable;
      unavailable = new XinglinError('BUSY', '正在替换或加密数据库，请稍候再试。');
      await databases?.close();
      databases = null;
      try {
        return await work();
      } finally {
        key = keyAfter();
        try {
          databases = open();
          unavailable = null;
        } catch (cause) {
          unavailable = cause instanceof XinglinError ? cause : new XinglinError('DATABASE_UNAVAILABLE', `无法重新打开数据库：${(cause as Error).message}`);
          log.error({ event: 'core.reopen.failed', ...errorTrace(cause) });
        }
      }
    },
  });
  /** What answers while the databases are closed too. */
  const always: Omit<Handlers, DatabaseMethods> = {
    'app.info': () => ({ name: '杏林 Xinglin', version: config.appVersion, host: config.host, dataDir: config.dataDir, modelsDir: config.modelsDir, platform: `${process.platform}-${process.arch}` }),
    'jobs.list': () => jobs.list(),
    'jobs.cancel': ({ id }) => ({ cancelled: jobs.cancel(id) }),
    ...llm.handlers,
    ...data.handlers,
  };
  log.info({ event: 'core.opened', host: config.host, appVersion: config.appVersion });
  // In the background: the core answers (and can close) while the model loads.
  if (config.autoLoadProfile) llm.service.restoreLastProfile();

  function handlerOf(method: MethodName): ((params: unknown) => unknown) | XinglinError {
    if (Object.hasOwn(always, method)) return always[method as keyof typeof always] as (params: unknown) => unknown;
    if (!databases) return unavailable ?? new XinglinError('DATABASE_UNAVAILABLE', '数据库已关闭。');
    return databases.handlers[method as DatabaseMethods] as (params: unknown) => unknown;
  }

  async function call(method: string, input: unknown): Promise<Reply> {
    if (!isMethodName(method)) return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `未知的方法：${String(method).slice(0, 80)}` } };
    const parsed = methods[method].input.safeParse(input ?? {});
    if (!parsed.success) return { ok: false, error: invalidInput(method, parsed.error).toWire() };
    // After the schema, so the walk is as deep as the schema allows, whatever was sent.
    const malformed = malformedText(method, parsed.data);
    if (malformed) return { ok: false, error: malformed.toWire() };
    try {
      const handler = handlerOf(method);
      if (handler instanceof XinglinError) return { ok: false, error: handler.toWire() };
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
        files.close();
        await databases?.close(() => llm.close());
        if (!databases) await llm.close();
        log.info({ event: 'core.closed' });
      })()),
  };
}

type DatabaseMethods = ChatMethods | KnowledgeMethods | RecordMethods | EvalMethods;

/** The slices that keep a database of the data folder, and the daily backup of them: what a restore closes and opens again. */
interface Databases {
  handlers: Pick<Handlers, DatabaseMethods>;
  /** `beforeKnowledge` runs after the services that ask the knowledge base have stopped, before it closes (the model's last answers may still read it). */
  close(beforeKnowledge?: () => Promise<void> | void): Promise<void>;
}

function openDatabases(deps: { config: CoreConfig; key: DatabaseKey | undefined; llm: ReturnType<typeof openLlm>; jobs: Jobs; files: FileHandles; bus: EventBus; log: Logger }): Databases {
  const { config, key, llm, jobs, files, bus, log } = deps;
  const at = (name: string) => path.join(config.dataDir, name);
  const knowledge = openKnowledge({ file: at('knowledge.db'), key, starterDir: config.starterDir, refuseUngrounded: config.refuseUngrounded ?? false, slowQueryMs: config.slowQueryMs, jobs, files, log });
  const chat = openChat({ file: at('xinglin.db'), key, config, knowledge: knowledge.service, llm: llm.service, bus, log });
  const records = openRecords({ file: at('records.db'), key, config, knowledge: knowledge.service, llm: llm.service, jobs, bus, log });
  const evaluation = openEval({ file: at('eval.db'), key, config, knowledge: knowledge.service, llm: llm.service, records: records.service, jobs, files, bus });
  const backups = config.backup ? new DailyBackups({ dataDir: config.dataDir, schedule: config.backup, appVersion: config.appVersion, log, key }) : null;
  backups?.start();
  return {
    handlers: { ...chat.handlers, ...knowledge.handlers, ...records.handlers, ...evaluation.handlers },
    close: async (beforeKnowledge) => {
      await backups?.close(); // a backup under way finishes before its databases close
      await chat.close();
      await evaluation.close();
      await records.close();
      await beforeKnowledge?.();
      knowledge.close();
    },
  };
}
