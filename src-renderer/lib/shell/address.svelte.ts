import { untrack } from 'svelte';
import type { AppState } from '../state/app.svelte.js';
import { normalizeHash } from '../state/route.js';

/** What the address binding uses of the window (a fake one in the tests). */
export interface AddressWindow {
  location: Pick<Location, 'hash'>;
  history: Pick<History, 'pushState' | 'replaceState'>;
  addEventListener(type: 'popstate' | 'hashchange', listener: () => void): void;
  removeEventListener(type: 'popstate' | 'hashchange', listener: () => void): void;
}

/**
 * Keeps the pane and session in the URL fragment so the browser's Back and Forward move inside
 * the app instead of leaving it. Where the app goes, a history entry is added (`pushState`); an
 * entry is replaced instead at start, after a navigation from the address (the address may have
 * named something gone), when the app asks (a deleted session), and when the new address only
 * adds to the current one (the empty draft becoming the session its first question created).
 * Back and Forward (`popstate`, `hashchange`) navigate the app there. Returns the unbinding function.
 */
export function bindAddress(app: AppState, win: AddressWindow): () => void {
  let first = true;
  let fromAddress = false;
  let pending: string | null = null;

  const stop = $effect.root(() => {
    $effect(() => {
      const route = app.route;
      if (!app.started || app.navigations > 0 || route === undefined) return;
      untrack(() => {
        const current = normalizeHash(win.location.hash);
        const replace = first || fromAddress || app.takeReplaceRoute() || (current !== '' && route.startsWith(`${current}/`));
        first = false;
        fromAddress = false;
        pending = null;
        if (route === current) return;
        if (replace) win.history.replaceState(null, '', route);
        else win.history.pushState(null, '', route);
      });
    });
  });

  const onAddress = () => {
    const hash = normalizeHash(win.location.hash);
    // popstate and hashchange both arrive for one Back; an address the app is already at is no news.
    if (!hash || hash === pending || (hash === app.route && app.navigations === 0)) return;
    pending = hash;
    fromAddress = true;
    void app.navigate(hash).then((went) => {
      if (went) return;
      // An address of no pane (one this version does not have): the app stays where it is.
      fromAddress = false;
      pending = null;
    });
  };

  win.addEventListener('popstate', onAddress);
  win.addEventListener('hashchange', onAddress);
  return () => {
    stop();
    win.removeEventListener('popstate', onAddress);
    win.removeEventListener('hashchange', onAddress);
  };
}
