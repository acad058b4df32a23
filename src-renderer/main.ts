import './lib/api/zod-config.js';
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
