import { createContext } from 'svelte';
import type { AppState } from './app.svelte.js';

/** The app state, handed down by App.svelte to every pane and widget. */
export const [getApp, setApp] = createContext<AppState>();
