/**
 * Runs in the sandboxed renderer before the page. Bundled by esbuild to dist/main/preload.cjs
 * (a sandboxed preload can require only `electron` and a few built-ins, never ESM), it exposes
 * exactly one global, `window.xinglin`, and nothing of Electron itself.
 */
import './preload-zod.js';
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { ElectronBridge } from '../../contract/index.js';
import { createPreloadApi } from './preload-api.js';

/** The type of `window.xinglin`, for the renderer's client. */
export type XinglinBridge = ElectronBridge;
export type { BridgeError } from './preload-api.js';

contextBridge.exposeInMainWorld('xinglin', createPreloadApi(ipcRenderer, (file) => webUtils.getPathForFile(file)));
