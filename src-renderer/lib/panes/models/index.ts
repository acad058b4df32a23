import type { Pane } from '../pane.js';
import ModelsSide from './ModelsSide.svelte';

/**
 * The models: the current model, the profiles (and their editor), the registry's files with import,
 * verify and removal, and the models folder. Address: `#/models`.
 */
export const modelsPane: Pane = {
  id: 'models',
  label: 'models.nav',
  testid: 'models-tab',
  icon: 'M2.5 3.5h11v3.5h-11z M2.5 9h11v3.5h-11z M5 5.25h.01 M5 10.75h.01',
  main: { load: () => import('./Models.svelte') },
  side: ModelsSide,

  // Files may have been copied in by hand, and no event tells a model process that died while idle.
  onShow(app) {
    void app.models.refreshFiles();
    void app.models.refreshStatus();
    void app.profiles.refresh();
  },
};
