import './lib/api/zod-config.js';
// Noto Sans SC ships with the app (woff2 from its own origin, so `font-src 'self'` holds): Chinese
// renders on a workstation without any CJK font. Regular and semibold only (500 falls back to 400,
// bold to 600); each weight is split by unicode-range, so a page fetches only the slices it shows.
// Imported here rather than from app.css so each file passes through vite.config.ts's woff2Only.
import '@fontsource/noto-sans-sc/400.css';
import '@fontsource/noto-sans-sc/600.css';
import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';
import { connection } from './lib/api/index.js';
import { panes } from './lib/panes/registry.js';
import Locked from './lib/shell/Locked.svelte';
import { AppState } from './lib/state/app.svelte.js';
import { I18nState } from './lib/state/i18n.svelte.js';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');

if (connection.api) {
  // The address follows the pane and session where there is a Back button (a browser), not in the Electron window.
  mount(App, { target, props: { app: new AppState(connection.api, panes, connection.files), address: connection.browser ? window : null } });
} else {
  // Browser mode without the access token: the locked page, and no call that would be refused.
  mount(Locked, { target, props: { i18n: new I18nState(), reason: connection.locked } });
}
