import './lib/api/zod-config.js';
import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';
import { api } from './lib/api/index.js';
import { AppState } from './lib/state/app.svelte.js';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');

const app = new AppState(api);
mount(App, { target, props: { app } });
