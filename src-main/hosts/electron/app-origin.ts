/**
 * The app's one origin. The renderer is served from a privileged custom scheme rather than
 * file:// so it gets a real origin that CSP, navigation and IPC checks can name.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'xinglin';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * True when `url` is on the app's origin. Compared by scheme and host, not `URL.origin`:
 * Node's URL parser does not know our scheme is "standard" and reports its origin as "null".
 */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
}
