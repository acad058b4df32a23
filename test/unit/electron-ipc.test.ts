import { describe, expect, it, vi } from 'vitest';
import { IPC_EVENT, IPC_INVOKE, type Reply } from '../../src-main/contract/index.js';
import type { AnyEventListener } from '../../src-main/core/event-bus.js';
import { APP_ENTRY_URL } from '../../src-main/hosts/electron/app-origin.js';
import { forwardEvents, registerIpc, type IpcMainLike } from '../../src-main/hosts/electron/ipc.js';
import type { FrameLike, IpcEventLike } from '../../src-main/hosts/electron/security.js';

function fakeIpcMain() {
  const handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => Promise<Reply>>();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => void handlers.delete(channel),
  };
  return { ipcMain, handlers };
}

const mainFrame: FrameLike = { url: APP_ENTRY_URL, parent: null, processId: 3, routingId: 1 };
const trustedEvent: IpcEventLike = { sender: { id: 1, mainFrame }, senderFrame: mainFrame };
const ours = new Set([1]);

describe('registerIpc', () => {
  it('passes a trusted call to core.call and returns its reply', async () => {
    const { ipcMain, handlers } = fakeIpcMain();
    const call = vi.fn(async (): Promise<Reply> => ({ ok: true, value: { name: '杏林' } }));
    registerIpc(ipcMain, { call }, ours);
    const reply = await handlers.get(IPC_INVOKE)!(trustedEvent, 'app.info', {});
    expect(call).toHaveBeenCalledWith('app.info', {});
    expect(reply).toEqual({ ok: true, value: { name: '杏林' } });
  });

  it('answers UNAUTHORIZED without calling the core for a stranger, a subframe or another origin', async () => {
    const { ipcMain, handlers } = fakeIpcMain();
    const call = vi.fn();
    registerIpc(ipcMain, { call }, ours);
    const sub: FrameLike = { ...mainFrame, parent: mainFrame, routingId: 9 };
    const away: FrameLike = { ...mainFrame, url: 'https://example.com/' };
    for (const event of [
      { sender: { id: 2, mainFrame }, senderFrame: mainFrame },
      { sender: { id: 1, mainFrame }, senderFrame: sub },
      { sender: { id: 1, mainFrame: away }, senderFrame: away },
      { sender: { id: 1, mainFrame }, senderFrame: null },
    ]) {
      const reply = await handlers.get(IPC_INVOKE)!(event, 'sessions.delete', { id: 'x' });
      expect(reply.ok).toBe(false);
      expect(!reply.ok && reply.error.code).toBe('UNAUTHORIZED');
    }
    expect(call).not.toHaveBeenCalled();
  });

  it('hands odd method names to the core as strings (the core answers UNKNOWN_METHOD)', async () => {
    const { ipcMain, handlers } = fakeIpcMain();
    const call = vi.fn(async (method: string): Promise<Reply> => ({ ok: false, error: { code: 'UNKNOWN_METHOD', message: method } }));
    registerIpc(ipcMain, { call }, ours);
    await handlers.get(IPC_INVOKE)!(trustedEvent, { toString: () => 'evil' }, undefined);
    expect(call).toHaveBeenCalledWith('evil', undefined);
  });

  it('removes its handler when disposed', () => {
    const { ipcMain, handlers } = fakeIpcMain();
    const dispose = registerIpc(ipcMain, { call: vi.fn() }, ours);
    dispose();
    expect(handlers.has(IPC_INVOKE)).toBe(false);
  });
});

describe('forwardEvents', () => {
  it('sends every core event to every target as (IPC_EVENT, name, payload), until disposed', () => {
    let listener: AnyEventListener | null = null;
    const core = { subscribe: (l: AnyEventListener) => ((listener = l), () => (listener = null)) };
    const a = { send: vi.fn() };
    const b = { send: vi.fn() };
    const dispose = forwardEvents(core, () => [a, b]);
    const payload = { sessionId: 's1', messageId: 'm1', text: '血压' };
    listener!('chat.token', payload);
    expect(a.send).toHaveBeenCalledWith(IPC_EVENT, 'chat.token', payload);
    expect(b.send).toHaveBeenCalledWith(IPC_EVENT, 'chat.token', payload);
    dispose();
    expect(listener).toBeNull();
  });
});
