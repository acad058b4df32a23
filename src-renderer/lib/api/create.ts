import type { Api } from '../../../src-main/contract/index.js';
import { buildApi } from '../../../src-main/contract/index.js';
import { createHttpTransport } from './http.js';
import { takeToken } from './token.js';

declare global {
  interface Window {
    /** Exposed by the Electron preload: already the typed, namespaced API. */
    readonly xinglin?: Api;
  }
}

function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** The one client the renderer uses: the preload's API in Electron, HTTP + SSE in a browser. */
export function createApi(): Api {
  if (window.xinglin) return window.xinglin;
  const token = takeToken({ location: window.location, history: window.history, storage: sessionStorageOrNull() });
  return buildApi(createHttpTransport({ token }));
}


