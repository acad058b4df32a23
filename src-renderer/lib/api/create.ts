import type { Api, ElectronBridge } from '$contract';
import { buildApi } from '$contract';
import { dialogPicker, uploadPicker, type FilePicker } from './files.js';
import { createHttpTransport } from './http.js';
import { takeToken } from './token.js';

declare global {
  interface Window {
    /** Exposed by the Electron preload: already the typed, namespaced API, and the open dialog. */
    readonly xinglin?: ElectronBridge;
  }
}

/**
 * The renderer's client and its way to hand the core a file, or why there is none: a browser page
 * opened without its access token. `browser`: a page in a browser (HTTP + SSE), not the Electron
 * window; it has a Back button.
 */
export type Connection = { api: Api; files: FilePicker; locked: null; browser: boolean } | { api: null; files: null; locked: 'missing'; browser: true };

export interface ConnectEnvironment {
  /** The Electron preload's bridge, when there is one. */
  preload: ElectronBridge | undefined;
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
  if (preload) return { api: preload, files: dialogPicker(preload), locked: null, browser: false };
  const token = takeToken({ location, history, storage });
  if (!token) return { api: null, files: null, locked: 'missing', browser: true };
  return { api: buildApi(createHttpTransport({ token })), files: uploadPicker({ token }), locked: null, browser: true };
}
