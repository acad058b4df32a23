/**
 * The address of what the window shows, kept in the URL fragment so the browser's Back and
 * Forward move between panes and sessions: `#/<pane>` or `#/<pane>/<path>` (`#/chat/<sessionId>`,
 * `#/knowledge/entry/<entryId>`). A pane encodes its own path (encodeURIComponent per part).
 * The browser-mode token (`#token=…`) is taken out of the fragment before any of this runs.
 */
export interface Route {
  pane: string;
  /** The rest of the address after the pane ('' for the pane's start), still encoded. */
  path: string;
}

/** `#/chat/abc` → { pane: 'chat', path: 'abc' }; null for anything else ('', `#token=…`, `#x`). */
export function parseRoute(hash: string): Route | null {
  const match = /^#?\/([a-z][a-z0-9-]*)(?:\/(.*))?$/.exec(hash);
  if (!match) return null;
  return { pane: match[1]!, path: (match[2] ?? '').replace(/\/+$/, '') };
}

export function formatRoute(route: Route): string {
  return route.path ? `#/${route.pane}/${route.path}` : `#/${route.pane}`;
}

/** The fragment as the app writes it ('' when it is not one of its addresses). */
export function normalizeHash(hash: string): string {
  const route = parseRoute(hash);
  return route ? formatRoute(route) : '';
}
