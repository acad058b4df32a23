import type { Component } from 'svelte';
import type { MessageKey } from '../i18n/index.js';
import type { AppState, PaneHooks } from '../state/app.svelte.js';

/**
 * A pane of the main area, as the registry lists it. The shell draws a tab for it in the sidebar,
 * mounts its component once, at start or (loaded on demand) at its first showing, and keeps it
 * (hidden while another pane shows, so a draft question or a scroll position survives a look-up), swaps its content into the sidebar while it shows, keeps its place
 * in the address (`#/<id>/<path>`, for Back and Forward) and hands it the window's keys.
 */
export interface Pane extends PaneHooks {
  /** The tab's name (and the sidebar's accessible name while the pane shows, unless `sideLabel`). */
  label: MessageKey;
  sideLabel?: MessageKey;
  /** The tab's data-testid. */
  testid: string;
  /** The tab's icon: SVG path data in a 16×16 box, stroked. */
  icon: string;
  /** The pane itself, or how to load it (its code then comes in a chunk of its own, at its first showing). */
  main: Component | LazyComponent;
  /** What the sidebar shows below the tabs while the pane shows. */
  side?: Component;
  /** Every keydown on the window, whichever pane shows: true when the pane handled it. */
  onKey?(event: KeyboardEvent, app: AppState): boolean;
}

/** A pane's component loaded on demand: `{ load: () => import('./Pane.svelte') }`. */
export interface LazyComponent {
  load(): Promise<{ default: Component }>;
}
