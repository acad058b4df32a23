/**
 * The browser-mode access token. The web host opens the page as `…/#token=…`; the token is kept
 * in sessionStorage (so a reload still works, and it dies with the tab) and removed from the
 * visible URL so it does not linger in the address bar, history or screenshots.
 */

export const TOKEN_STORAGE_KEY = 'xinglin.token';

export interface TokenEnvironment {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
}

/** Reads `token` from a URL fragment such as `#token=abc&x=1`; null when absent or empty. */
export function tokenFromHash(hash: string): string | null {
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!fragment) return null;
  const value = new URLSearchParams(fragment).get('token');
  return value ? value : null;
}

/** The fragment left once `token` is taken out of it (other parameters survive). */
export function hashWithoutToken(hash: string): string {
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash;
  const params = new URLSearchParams(fragment);
  params.delete('token');
  const rest = params.toString();
  return rest ? `#${rest}` : '';
}

export function takeToken(env: TokenEnvironment): string | null {
  const fromUrl = tokenFromHash(env.location.hash);
  if (fromUrl) {
    try {
      env.storage?.setItem(TOKEN_STORAGE_KEY, fromUrl);
    } catch {
      // Storage can be unavailable (privacy settings); the token still works for this page.
    }
    env.history.replaceState(env.history.state, '', `${env.location.pathname}${env.location.search}${hashWithoutToken(env.location.hash)}`);
    return fromUrl;
  }
  try {
    return env.storage?.getItem(TOKEN_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}
