import type { AppState } from '../../state/app.svelte.js';
import { focusById } from '../../ui/focus.js';

/** The consultation input's element id (focus moves there for a new record). */
export const RECORD_INPUT_ID = 'record-input';

/** A new record: the input, focused (the text typed before is kept). */
export async function startNewRecord(app: AppState): Promise<void> {
  app.showView('record');
  await app.records.open(null);
  await focusById(RECORD_INPUT_ID);
}
