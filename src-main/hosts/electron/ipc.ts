import { IPC_EVENT, IPC_INVOKE, type Reply } from '../../contract/index.js';
import type { Core } from '../../core/core.js';
import { isTrustedSender, type IpcEventLike } from './security.js';

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => Promise<Reply>): void;
  removeHandler(channel: string): void;
}

export interface EventTarget {
  send(channel: string, ...args: unknown[]): void;
}

/** The answer to any IPC request that does not come from our window. */
export const unauthorized: Reply<never> = { ok: false, error: { code: 'UNAUTHORIZED', message: '拒绝访问：请求不是来自杏林的主窗口。' } };

/**
 * One channel for every method. The sender is checked before anything else; the core validates
 * the method name and input against the contract and never throws, so the reply is always data.
 */
export function registerIpc(ipcMain: IpcMainLike, core: Pick<Core, 'call'>, ourWebContents: { has(id: number): boolean }): () => void {
  ipcMain.handle(IPC_INVOKE, async (event, method, input) => {
    if (!isTrustedSender(event, ourWebContents)) return unauthorized;
    return core.call(typeof method === 'string' ? method : String(method), input);
  });
  return () => ipcMain.removeHandler(IPC_INVOKE);
}

/** Pushes every core event to every window we trust, as `(IPC_EVENT, name, payload)`. */
export function forwardEvents(core: Pick<Core, 'subscribe'>, targets: () => Iterable<EventTarget>): () => void {
  return core.subscribe((name, payload) => {
    for (const target of targets()) target.send(IPC_EVENT, name, payload);
  });
}
