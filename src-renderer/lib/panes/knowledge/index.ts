import type { KbPanel } from '../../state/kb.svelte.js';
import type { Pane } from '../pane.js';
import KnowledgeSearch from './KnowledgeSearch.svelte';

const panels: readonly KbPanel[] = ['stats', 'entry', 'import'];

/**
 * The knowledge base: its search in the sidebar, an entry, the statistics or the import form in
 * the pane. Address: `#/knowledge/<panel>`, `#/knowledge/entry/<entryId>` for an open entry.
 */
export const knowledgePane: Pane = {
  id: 'knowledge',
  label: 'nav.knowledge',
  testid: 'kb-tab',
  icon: 'M3 2.5h7.5a1.5 1.5 0 011.5 1.5v9.5H4.5A1.5 1.5 0 013 12z M3 12a1.5 1.5 0 011.5-1.5H12',
  main: { load: () => import('./Knowledge.svelte') },
  side: KnowledgeSearch,

  onShow: (app) => void app.kb.init(),
  path({ kb }) {
    if (kb.entryLoading) return undefined;
    if (kb.panel !== 'entry') return kb.panel;
    return kb.entry ? `entry/${encodeURIComponent(kb.entry.id)}` : 'entry';
  },
  async open({ kb }, path) {
    const [first = '', ...rest] = path.split('/');
    const id = rest.length ? decodeURIComponent(rest.join('/')) : null;
    const panel = panels.find((p) => p === first) ?? 'stats';
    if (panel === 'entry' && id !== null && kb.entry?.id !== id) await kb.openEntry(id, true);
    else if (kb.panel !== panel) kb.showPanel(panel);
  },
};
