import type { Pane } from '../pane.js';
import DataSide from './DataSide.svelte';

/**
 * The data folder: back up now and the backups there are, each restored only after the doctor
 * confirms; encryption at rest, turned on from here in the desktop app; where the data lives.
 * Address: `#/data`.
 */
export const dataPane: Pane = {
  id: 'data',
  label: 'data.nav',
  testid: 'data-tab',
  icon: 'M3 4c0-1 2.2-1.5 5-1.5s5 .5 5 1.5v8c0 1-2.2 1.5-5 1.5s-5-.5-5-1.5z M3 4c0 1 2.2 1.5 5 1.5s5-.5 5-1.5 M3 8c0 1 2.2 1.5 5 1.5s5-.5 5-1.5',
  main: { load: () => import('./Data.svelte') },
  side: DataSide,

  // A backup may have been written meanwhile (the daily one, another window), or a file copied in by hand.
  onShow: (app) => void app.data.refresh(),
};
