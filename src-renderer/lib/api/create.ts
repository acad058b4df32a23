import type { Api } from '$contract';
import { buildApi } from '$contract';
import { createHttpTransport } from './http.js';
import { takeToken } from './token.js';

declare global {
  interface Window {
    /** Exposed by the Electron preload: already the typed, namespaced API. */
    readonly xinglin?: Api;
  }
}

/**
 * The renderer's client, or why there is none: a browser page opened without its access token.
 * `browser`: a page in a browser (HTTP + SSE), not the Electron window; it has a Back button.
 */
export type Connection = { api: Api; locked: null; browser: boolean } | { api: null; locked: 'missing'; browser: true };

export interface ConnectEnvironment {
  /** The Electron preload's API, when there is one. */
  preload: Api | undefined;
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
}

function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/**
 * The one client the renderer uses: the preload's API in Electron, HTTP + SSE in a browser. A
 * browser page without the access token (neither in its address nor kept from it in this tab)
 * gets none: every call would be refused, so the page shows the locked page and calls nothing.
 */
export function connect(env?: ConnectEnvironment): Connection {
  const { preload, location, history, storage } = env ?? { preload: window.xinglin, location: window.location, history: window.history, storage: sessionStorageOrNull() };
  if (preload) return { api: preload, locked: null, browser: false };
  const token = takeToken({ location, history, storage });
  if (!token) return { api: null, locked: 'missing', browser: true };
  return { api: buildApi(createHttpTransport({ token })), locked: null, browser: true };
}
