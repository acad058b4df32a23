import { BrowserWindow, type BrowserWindowConstructorOptions, type WebContents } from 'electron';
import { APP_ENTRY_URL, isAppUrl } from './app-origin.js';

export const WINDOW_TITLE = '杏林';

/**
 * The one window's options. The renderer is a web page with no Node: isolated, sandboxed, and
 * reaching the main process only through the preload's `window.xinglin`.
 */
export function mainWindowOptions(preloadPath: string, opts: { devTools: boolean }): BrowserWindowConstructorOptions {
  return {
    title: WINDOW_TITLE,
    width: 1280,
    height: 860,
    minWidth: 960,
    minHeight: 640,
    // Shown on 'ready-to-show' so the doctor never sees a blank white frame.
    show: false,
    backgroundColor: '#ffffff',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      // Chromium's spellchecker would fetch dictionaries from Google and underline medical terms.
      spellcheck: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      devTools: opts.devTools,
    },
  };
}

/** The webContents of windows we created: the only ones IPC answers and events reach. */
export class TrustedWindows {
  readonly #windows = new Map<number, BrowserWindow>();

  add(window: BrowserWindow): void {
    const id = window.webContents.id;
    this.#windows.set(id, window);
    window.once('closed', () => this.#windows.delete(id));
  }

  has(webContentsId: number): boolean {
    return this.#windows.has(webContentsId);
  }

  get(webContentsId: number): BrowserWindow | undefined {
    return this.#windows.get(webContentsId);
  }

  /** Live webContents still showing the app (events never go to a page that is not ours). */
  *contents(): Iterable<WebContents> {
    for (const window of this.#windows.values()) {
      if (window.isDestroyed() || window.webContents.isDestroyed()) continue;
      if (isAppUrl(window.webContents.getURL())) yield window.webContents;
    }
  }

  first(): BrowserWindow | undefined {
    return this.#windows.values().next().value;
  }
}

export function createMainWindow(preloadPath: string, trusted: TrustedWindows, opts: { devTools: boolean }): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(preloadPath, opts));
  trusted.add(window);
  // Keep 杏林 in the title bar whatever <title> the page sets.
  window.on('page-title-updated', (event) => event.preventDefault());
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_ENTRY_URL);
  return window;
}

/** A second launch (the single-instance lock) brings the existing window forward. */
export function focusWindow(window: BrowserWindow | undefined): void {
  if (!window) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}
