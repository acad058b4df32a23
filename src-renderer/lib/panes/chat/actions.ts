import type { AppState } from '../../state/app.svelte.js';
import { focusById } from '../../ui/focus.js';

/** The composer's and the session search's element ids (focus moves there). */
export const COMPOSER_ID = 'chat-composer';
export const SESSION_SEARCH_ID = 'session-search';

/** The empty draft, composer focused: the sidebar's button and Ctrl+N. */
export function startNewSession(app: AppState): void {
  app.newSession();
  void focusById(COMPOSER_ID);
}

/** Ctrl+K: the session search, from wherever the doctor is. */
export function focusSessionSearch(app: AppState): void {
  app.showView('chat');
  void focusById(SESSION_SEARCH_ID, { select: true });
}

/**
 * The chat header's "对比" button and Ctrl+D: the dialog that puts one question to two or three
 * profiles (as it was left, or from an open comparison), its list of profiles read afresh.
 */
export function openCompare(app: AppState, from?: { text: string; profileIds: readonly string[] }): void {
  app.showView('chat');
  void app.profiles.refresh();
  app.chat.compare.openDialog(from);
}
