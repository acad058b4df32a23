import { describe, expect, it, vi } from 'vitest';
import type { ElectronBridge } from '$contract';
import { connect } from './create.js';
import { TOKEN_STORAGE_KEY } from './token.js';

function environment(hash: string, stored: string | null = null) {
  const store = new Map<string, string>(stored ? [[TOKEN_STORAGE_KEY, stored]] : []);
  return {
    preload: undefined,
    location: { hash, pathname: '/', search: '' },
    history: { state: null, replaceState: vi.fn() },
    storage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) },
  };
}

describe('connect', () => {
  it('uses the preload’s API in Electron, and its open dialog for files', () => {
    const preload = { on: () => () => {} } as unknown as ElectronBridge;
    expect(connect({ ...environment(''), preload })).toEqual({ api: preload, files: { kind: 'dialog', choose: expect.any(Function), chooseMany: expect.any(Function), dropModelFiles: expect.any(Function) }, locked: null, browser: false });
  });

  it('builds the HTTP client from the token in the address or kept in the tab, with uploads for files', () => {
    expect(connect(environment('#token=abc'))).toMatchObject({ locked: null, browser: true, files: { kind: 'upload' } });
    expect(connect(environment('#/chat/s1', 'kept')).api).not.toBeNull();
  });

  it('is locked, with no client to call, when a browser page has no token', () => {
    const env = environment('#/chat/s1');
    expect(connect(env)).toEqual({ api: null, files: null, locked: 'missing', browser: true });
    expect(env.history.replaceState).not.toHaveBeenCalled();
  });
});
