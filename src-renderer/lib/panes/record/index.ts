import { isModKey } from '../../ui/focus.js';
import type { Pane } from '../pane.js';
import RecordSidebar from './RecordSidebar.svelte';

/**
 * The outpatient record: the list and "new record" in the sidebar; the consultation, the draft
 * editor with its evidence, checks, versions and export in the pane. Address: `#/record/<recordId>`,
 * `#/record` for a new one.
 */
export const recordPane: Pane = {
  id: 'record',
  label: 'record.nav',
  sideLabel: 'record.sideLabel',
  testid: 'record-tab',
  icon: 'M4 1.5h5.5l3 3v10h-8.5z M9.5 1.5v3h3 M6 8h4.5 M6 10.5h4.5 M6 5.5h2',
  main: { load: () => import('./Record.svelte') },
  side: RecordSidebar,

  onShow: (app) => void app.records.init(),
  path({ records }) {
    if (records.loading) return undefined;
    return records.record ? encodeURIComponent(records.record.id) : '';
  },
  async open({ records }, path) {
    await records.init();
    await records.open(path ? decodeURIComponent(path) : null);
  },

  onKey(event, app) {
    if (app.view !== 'record') return false;
    // Ctrl+S saves the record (and never opens the browser's "save page" instead, even under a dialog).
    if (isModKey(event, 's')) {
      event.preventDefault();
      if (!document.querySelector('dialog[open]')) void app.records.save();
      return true;
    }
    if (document.querySelector('dialog[open]')) return false;
    // Ctrl+Enter drafts from the input, wherever the caret is in the pane.
    if ((event.ctrlKey || event.metaKey) && event.key === 'Enter' && !event.isComposing && app.records.record === null) {
      event.preventDefault();
      void app.records.draft();
      return true;
    }
    return false;
  },
};
