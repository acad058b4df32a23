import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { Message, Session } from '$contract';
import { panes } from '../panes/registry.js';
import { AppState } from '../state/app.svelte.js';
import { dialogFiles, fake, tick } from '../state/test-api.js';
import { bindAddress, type AddressWindow } from './address.svelte.js';

/** A window whose history is a list of addresses, with Back and Forward. */
function fakeWindow(initial = '') {
  const entries = [initial];
  let index = 0;
  const listeners = new Map<string, Set<() => void>>();
  const fire = () => ['popstate', 'hashchange'].forEach((type) => listeners.get(type)?.forEach((listener) => listener()));
  const win: AddressWindow & { entries: string[]; readonly index: number; back(): void; forward(): void } = {
    entries,
    get index() {
      return index;
    },
    location: {
      get hash() {
        return entries[index]!;
      },
    },
    history: {
      pushState: (_state: unknown, _title: string, url?: string | URL | null) => {
        entries.splice(index + 1, entries.length, String(url));
        index = entries.length - 1;
      },
      replaceState: (_state: unknown, _title: string, url?: string | URL | null) => {
        entries[index] = String(url);
      },
    },
    addEventListener: (type, listener) => {
      if (!listeners.has(type)) listeners.set(type, new Set());
      listeners.get(type)!.add(listener);
    },
    removeEventListener: (type, listener) => void listeners.get(type)?.delete(listener),
    back() {
      index -= 1;
      fire();
    },
    forward() {
      index += 1;
      fire();
    },
  };
  return win;
}

const session = (id: string, updatedAt = 1): Session => ({ id, title: `会话 ${id}`, kind: 'chat', profileId: null, createdAt: 1, updatedAt, messageCount: 1 });
const user = (id: string, sessionId: string, text: string): Message => ({ id, sessionId, role: 'user', text, status: 'complete', provenance: null, error: null, profileId: null, createdAt: 1 });

async function setup(initial = '') {
  let list = [session('s1', 2), session('s2', 1)];
  const api = fake({
    'sessions.list': () => list,
    'sessions.messages': () => [],
    'sessions.create': () => session('s9', 9),
    'sessions.delete': ({ id }) => {
      list = list.filter((s) => s.id !== id);
      return { ok: true };
    },
    'chat.send': ({ sessionId, text }) => ({ userMessage: user('u1', sessionId, text), assistantMessageId: 'a1' }),
    'models.status': () => ({ state: 'none', model: null, adapters: [], gpu: 'cpu', threads: 4, lastTokensPerSecond: null, error: null }),
    'models.list': () => ({ modelsDir: '/m', models: [], adapters: [] }),
    'app.info': () => ({ name: 'xinglin', version: '0', host: 'web', dataDir: '/d', modelsDir: '/m', platform: 'linux' }),
    'kb.stats': () => ({ entries: 0, byType: { drug: 0, disease: 0 }, sources: [] }),
  });
  const app = new AppState(api.api, panes, dialogFiles());
  const win = fakeWindow(initial);
  const unbind = bindAddress(app, win);
  await app.start(win.location.hash);
  await settle();
  return { app, win, unbind, api };
}

/** Lets the navigation's calls answer, then the address effect run. */
async function settle() {
  await tick();
  flushSync();
}

describe('the address and the browser history', () => {
  it('replaces the page’s own entry at start, then adds one per pane or session', async () => {
    const { app, win, unbind } = await setup();
    expect(win.entries).toEqual(['#/chat/s1']);
    await app.openSession('s2');
    await settle();
    app.showView('knowledge');
    await settle();
    expect(win.entries).toEqual(['#/chat/s1', '#/chat/s2', '#/knowledge/stats']);
    unbind();
  });

  it('goes back to the previous pane and session, and forward again', async () => {
    const { app, win, unbind } = await setup();
    await app.openSession('s2');
    await settle();
    app.showView('knowledge');
    await settle();
    win.back();
    await settle();
    expect([app.view, app.chat.sessionId]).toEqual(['chat', 's2']);
    win.back();
    await settle();
    expect([app.view, app.chat.sessionId]).toEqual(['chat', 's1']);
    win.forward();
    await settle();
    expect(app.chat.sessionId).toBe('s2');
    expect(win.entries).toEqual(['#/chat/s1', '#/chat/s2', '#/knowledge/stats']); // navigating back wrote nothing
    unbind();
  });

  it('keeps one entry for the draft and the session its first question creates', async () => {
    const { app, win, unbind } = await setup();
    app.newSession();
    await settle();
    expect(win.entries).toEqual(['#/chat/s1', '#/chat']);
    expect(await app.chat.send('你好')).toBe(true);
    await settle();
    expect(win.entries).toEqual(['#/chat/s1', '#/chat/s9']);
    unbind();
  });

  it('replaces a deleted session’s entry, and Back to a deleted session opens the draft', async () => {
    const { app, win, unbind } = await setup();
    await app.openSession('s2');
    await settle();
    await app.deleteSession('s2');
    await settle();
    expect(win.entries).toEqual(['#/chat/s1', '#/chat/s1']);
    app.newSession();
    await settle();
    win.back();
    await settle();
    expect(app.chat.sessionId).toBe('s1');
    await app.deleteSession('s1');
    await settle();
    expect(app.chat.sessionId).toBeNull();
    win.back();
    await settle();
    expect(app.chat.sessionId).toBeNull();
    expect(win.location.hash).toBe('#/chat');
    unbind();
  });

  it('starts where a reloaded address points and ignores addresses of no pane', async () => {
    const { app, win, unbind } = await setup('#/chat/s2');
    expect(app.chat.sessionId).toBe('s2');
    expect(win.entries).toEqual(['#/chat/s2']);
    win.entries.push('#/billing/x');
    win.forward();
    await settle();
    expect(app.chat.sessionId).toBe('s2');
    await app.openSession('s1');
    await settle();
    expect(win.entries).toEqual(['#/chat/s2', '#/billing/x', '#/chat/s1']);
    unbind();
  });
});
