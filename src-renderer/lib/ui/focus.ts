import { tick } from 'svelte';

/**
 * Moves focus to an element by id once the DOM has caught up with the state (a pane just shown,
 * a sidebar just swapped): keyboard shortcuts and buttons that open something put the caret there.
 */
export async function focusById(id: string, options: { select?: boolean } = {}): Promise<void> {
  await tick();
  const element = document.getElementById(id);
  if (!element) return;
  element.focus();
  if (options.select && element instanceof HTMLInputElement) element.select();
}

/** Ctrl (Cmd on macOS) and a letter, no Alt: the app's shortcuts. */
export function isModKey(event: KeyboardEvent, key: string): boolean {
  return (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === key;
}
