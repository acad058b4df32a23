import { describe, expect, it } from 'vitest';
import { translate } from '../i18n/index.js';
import { panes } from './registry.js';

describe('pane registry', () => {
  it('lists each pane once, named in both languages, with its component', () => {
    const ids = panes.map((pane) => pane.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, 3)).toEqual(['chat', 'record', 'knowledge']);
    for (const pane of panes) {
      expect(pane.id).toMatch(/^[a-z][a-z0-9-]*$/);
      // A component, or (a pane not shown at start) how to load it.
      expect(typeof pane.main === 'function' || typeof pane.main.load === 'function').toBe(true);
      expect(translate('zh-CN', pane.label)).not.toBe(pane.label);
      expect(translate('en', pane.label)).not.toBe(pane.label);
      expect(new Set(panes.map((p) => p.testid)).size).toBe(panes.length);
    }
  });

  it('loads a pane declared on demand as a component, and shows the first pane at once', async () => {
    expect(typeof panes[0]!.main).toBe('function');
    for (const pane of panes) if (typeof pane.main !== 'function') expect(typeof (await pane.main.load()).default).toBe('function');
  });
});
