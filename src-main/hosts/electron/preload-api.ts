import { buildApi, isEventName, XinglinError, type Api, type ChosenFile, type ElectronBridge, type EventName, type FilePurpose, type MethodName, type Reply, type Transport, type WireError } from '../../contract/index.js';
import { IPC_CHOOSE_FILE, IPC_CHOOSE_FILES, IPC_DROP_MODEL_FILES, IPC_EVENT, IPC_INVOKE, IPC_OPEN_MODELS_FOLDER, IPC_SAVE_PDF } from '../../contract/index.js';

/** The slice of `ipcRenderer` the preload uses; typed here so this file tests without Electron. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** What a failed call rejects with in the page: the wire error as plain data, plus a name. */
export type BridgeError = WireError & { name: 'XinglinError' };

/** One request to the main process; a broken channel becomes an INTERNAL reply, like any failure. */
async function request(ipc: IpcRendererLike, channel: string, ...args: unknown[]): Promise<Reply> {
  try {
    return (await ipc.invoke(channel, ...args)) as Reply;
  } catch (cause) {
    return { ok: false, error: { code: 'INTERNAL', message: `与主进程通信失败：${String((cause as Error)?.message ?? cause)}` } };
  }
}

/**
 * The transport over the two IPC channels. One `ipcRenderer` listener fans events out to the
 * page's listeners, which receive the payload only, never the IpcRendererEvent (it reaches
 * `sender`, i.e. ipcRenderer itself).
 */
export function ipcTransport(ipc: IpcRendererLike): Transport {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  ipc.on(IPC_EVENT, (_event, name, payload) => {
    if (!isEventName(name)) return;
    for (const listener of listeners.get(name) ?? []) listener(payload);
  });
  return {
    invoke: (method: MethodName, input: unknown): Promise<Reply> => request(ipc, IPC_INVOKE, method, input),
    subscribe(event: EventName, listener: (payload: unknown) => void): () => void {
      if (!isEventName(event)) throw new TypeError(`未知的事件：${String(event)}`);
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      // Wrapped so subscribing the same function twice gives two independent subscriptions.
      const entry = (payload: unknown) => listener(payload);
      set.add(entry);
      return () => void set.delete(entry);
    },
  };
}

/**
 * contextBridge copies a thrown Error as a bare Error with its message only: `code` and
 * `details` would be lost. So failures cross the bridge as plain `{name, code, message,
 * details}` objects, which it copies whole; the page can rebuild an XinglinError from them
 * (`isWireError` / `XinglinError.fromWire`).
 */
function bridgeSafe(api: Api): Api {
  const safe: Record<string, unknown> = { on: api.on };
  for (const [namespace, group] of Object.entries(api)) {
    if (typeof group !== 'object' || group === null) continue;
    const wrapped: Record<string, unknown> = {};
    for (const [member, fn] of Object.entries(group as Record<string, (input?: unknown) => Promise<unknown>>)) {
      wrapped[member] = (input?: unknown) =>
        fn(input).catch((error: unknown) => {
          const wire = error instanceof XinglinError ? error.toWire() : { code: 'INTERNAL' as const, message: String((error as Error)?.message ?? error) };
          throw bridgeError(wire);
        });
    }
    safe[namespace] = wrapped;
  }
  return safe as Api;
}

function bridgeError(wire: WireError): BridgeError {
  return { name: 'XinglinError', ...wire };
}

/** Electron's `webUtils.getPathForFile`: where a File the user dropped or picked lies on disk ('' for one the page made). */
export type PathForFile = (file: File) => string;

/**
 * The object the preload exposes as `window.xinglin`: the contract's API over IPC, the open dialog,
 * model files dropped on the window, saving a PDF and opening the models folder.
 */
export function createPreloadApi(ipc: IpcRendererLike, pathForFile: PathForFile): ElectronBridge {
  return {
    ...bridgeSafe(buildApi(ipcTransport(ipc))),
    async chooseFile(purpose: FilePurpose): Promise<ChosenFile | null> {
      const reply = await request(ipc, IPC_CHOOSE_FILE, purpose);
      if (!reply.ok) throw bridgeError(reply.error);
      return reply.value as ChosenFile | null;
    },
    async chooseFiles(purpose: FilePurpose): Promise<ChosenFile[]> {
      const reply = await request(ipc, IPC_CHOOSE_FILES, purpose);
      if (!reply.ok) throw bridgeError(reply.error);
      return reply.value as ChosenFile[];
    },
    async dropModelFiles(files: readonly File[]): Promise<Array<Reply<ChosenFile>>> {
      // The paths go to the main process only, which checks each and answers handles.
      const paths = Array.from(files, (file) => {
        try {
          return pathForFile(file);
        } catch {
          return ''; // not a File: refused as not on disk
        }
      });
      const reply = await request(ipc, IPC_DROP_MODEL_FILES, paths);
      if (!reply.ok) throw bridgeError(reply.error);
      return reply.value as Array<Reply<ChosenFile>>;
    },
    async savePdf(fileName: string): Promise<boolean> {
      const reply = await request(ipc, IPC_SAVE_PDF, fileName);
      if (!reply.ok) throw bridgeError(reply.error);
      return reply.value as boolean;
    },
    async openModelsFolder(): Promise<boolean> {
      const reply = await request(ipc, IPC_OPEN_MODELS_FOLDER);
      if (!reply.ok) throw bridgeError(reply.error);
      return reply.value as boolean;
    },
  };
}
