import { beforeEach, describe, expect, it, vi } from 'vitest';

// No Electron binary can run here: BrowserWindow comes from the named stand-in.
vi.mock('electron', () => import('./electron-standin.js'));

const { standin } = await import('./electron-standin.js');
type FakeWindow = import('./electron-standin.js').BrowserWindow;
const { APP_ENTRY_URL } = await import('../../src-main/hosts/electron/app-origin.js');
const { createMainWindow, mainWindowOptions, TrustedWindows, WINDOW_TITLE } = await import('../../src-main/hosts/electron/window.js');

beforeEach(() => standin.reset());

describe('mainWindowOptions', () => {
  const options = mainWindowOptions('/app/dist/main/preload.cjs', { devTools: false });

  it('isolates and sandboxes the renderer, with no Node', () => {
    expect(options.webPreferences).toMatchObject({
      preload: '/app/dist/main/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: false,
    });
  });

  it('is titled 杏林 and waits to be shown', () => {
    expect(options.title).toBe('杏林');
    expect(WINDOW_TITLE).toBe('杏林');
    expect(options.show).toBe(false);
  });
});

describe('createMainWindow', () => {
  it('loads the app entry, shows on ready-to-show, keeps its title, and is trusted', () => {
    const trusted = new TrustedWindows();
    const window = createMainWindow('/p/preload.cjs', trusted, { devTools: true }) as unknown as FakeWindow;
    expect(window.loadedUrl).toBe(APP_ENTRY_URL);
    expect(window.visible).toBe(false);
    window.emit('ready-to-show');
    expect(window.visible).toBe(true);

    const titleEvent = { preventDefault: vi.fn() };
    window.emit('page-title-updated', titleEvent, 'something else');
    expect(titleEvent.preventDefault).toHaveBeenCalled();

    expect(trusted.has(window.webContents.id)).toBe(true);
    expect([...trusted.contents()]).toEqual([window.webContents]);
    expect(trusted.first()).toBe(window);
  });

  it('forgets a window once it is closed, and never lists one that left the app', () => {
    const trusted = new TrustedWindows();
    const a = createMainWindow('/p/preload.cjs', trusted, { devTools: false }) as unknown as FakeWindow;
    const b = createMainWindow('/p/preload.cjs', trusted, { devTools: false }) as unknown as FakeWindow;
    b.webContents.url = 'https://example.com/';
    expect([...trusted.contents()]).toEqual([a.webContents]);
    a.close();
    expect(trusted.has(a.webContents.id)).toBe(false);
    expect([...trusted.contents()]).toEqual([]);
  });
});
