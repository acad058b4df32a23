/**
 * A hand-written STAND-IN for the `electron` module, used by the unit tests through
 * `vi.mock('electron', () => import('./electron-standin.js'))`.
 *
 * It exists only because no Electron binary can run on the machines these tests run on (the
 * npm package is installed, its binary cannot be downloaded). It imitates just the calls the
 * host makes, records them in `standin`, and proves nothing about Electron itself: that is the
 * job of test/e2e/electron.test.ts wherever a real binary is present.
 */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';

type Listener = (...args: unknown[]) => void;

export const standin = {
  /** contextBridge.exposeInMainWorld(key, api) calls, as the page's `window` would see them. */
  exposed: {} as Record<string, unknown>,
  /** Answers ipcRenderer.invoke(channel, ...args); tests replace it. */
  invoke: (async () => undefined) as (channel: string, ...args: unknown[]) => Promise<unknown>,
  invokeCalls: [] as unknown[][],
  rendererBus: new EventEmitter(),
  privilegedSchemes: [] as unknown[],
  windows: [] as BrowserWindow[],
  /** Main-process calls in order, e.g. 'app.setPath userData /tmp/x'. */
  log: [] as string[],
  paths: {} as Record<string, string>,
  singleInstance: true,
  ipcHandlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  protocolHandlers: new Map<string, (request: { url: string; method: string }) => Promise<Response>>(),
  errorBoxes: [] as string[][],
  utilityProcesses: [] as FakeUtilityProcess[],
  /** Answers dialog.showOpenDialog (the user's choice); tests replace it. */
  openDialog: (async () => ({ canceled: true, filePaths: [] })) as (options: Record<string, unknown>) => Promise<{ canceled: boolean; filePaths: string[] }>,
  openDialogCalls: [] as Array<{ window: unknown; options: Record<string, unknown> }>,
  /** Answers dialog.showSaveDialog (where the user saves); tests replace it. */
  saveDialog: (async () => ({ canceled: true, filePath: '' })) as (options: Record<string, unknown>) => Promise<{ canceled: boolean; filePath: string }>,
  saveDialogCalls: [] as Array<{ window: unknown; options: Record<string, unknown> }>,
  /** Answers shell.openPath ('' when opened, else the reason); tests replace it. */
  openPath: (async () => '') as (path: string) => Promise<string>,
  openPathCalls: [] as string[],
  /** Where webUtils.getPathForFile finds each File on disk (a dropped file); any other File has none. */
  filePaths: new WeakMap<File, string>(),
  quitted: false,
  /** What safeStorage says of the OS keychain: usable, and (Linux) which backend Chromium chose. */
  keychainAvailable: true,
  keychainBackend: 'gnome_libsecret',
  /** The main process sending `(channel, ...args)` to the renderer: what the preload hears. */
  sendToRenderer(channel: string, ...args: unknown[]): void {
    this.rendererBus.emit(channel, { sender: 'IpcRendererEvent (must not reach the page)' }, ...args);
  },
  reset(): void {
    this.exposed = {};
    this.invokeCalls = [];
    this.invoke = async () => undefined;
    this.rendererBus.removeAllListeners();
    this.privilegedSchemes = [];
    this.windows = [];
    this.log = [];
    this.paths = {};
    this.singleInstance = true;
    this.ipcHandlers.clear();
    this.protocolHandlers.clear();
    this.errorBoxes = [];
    this.utilityProcesses = [];
    this.openDialog = async () => ({ canceled: true, filePaths: [] });
    this.openDialogCalls = [];
    this.saveDialog = async () => ({ canceled: true, filePath: '' });
    this.saveDialogCalls = [];
    this.openPath = async () => '';
    this.openPathCalls = [];
    this.filePaths = new WeakMap();
    this.quitted = false;
    this.keychainAvailable = true;
    this.keychainBackend = 'gnome_libsecret';
    app.removeAllListeners();
  },
};

const SEALED_PREFIX = 'stand-in sealed:';

/** safeStorage: "seals" with base64 behind a prefix (no OS keychain here); unsealing anything else fails as Electron's does. */
export const safeStorage = {
  isEncryptionAvailable: () => standin.keychainAvailable,
  getSelectedStorageBackend: () => standin.keychainBackend,
  encryptString: (text: string) => Buffer.from(SEALED_PREFIX + Buffer.from(text).toString('base64')),
  decryptString(sealed: Buffer): string {
    const text = sealed.toString();
    if (!text.startsWith(SEALED_PREFIX)) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return Buffer.from(text.slice(SEALED_PREFIX.length), 'base64').toString();
  },
};

export const contextBridge = {
  exposeInMainWorld(key: string, api: unknown): void {
    if (Object.hasOwn(standin.exposed, key)) throw new Error(`Cannot bind an API on top of an existing property on the window object: ${key}`);
    standin.exposed[key] = api;
  },
};

export const ipcRenderer = {
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    standin.invokeCalls.push([channel, ...args]);
    return standin.invoke(channel, ...args);
  },
  on(channel: string, listener: Listener) {
    standin.rendererBus.on(channel, listener);
    return ipcRenderer;
  },
  removeListener(channel: string, listener: Listener) {
    standin.rendererBus.removeListener(channel, listener);
    return ipcRenderer;
  },
};

export const webUtils = {
  /** Like Electron: the File's path, '' for a File the page made, and a throw for what is no File. */
  getPathForFile(file: File): string {
    if (!(file instanceof File)) throw new TypeError('getPathForFile expects a File');
    return standin.filePaths.get(file) ?? '';
  },
};

export const protocol = {
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    standin.log.push('protocol.registerSchemesAsPrivileged');
    standin.privilegedSchemes.push(...schemes);
  },
};

class App extends EventEmitter {
  isPackaged = false;
  setPath(name: string, value: string): void {
    standin.log.push(`app.setPath ${name}`);
    standin.paths[name] = value;
  }
  getVersion(): string {
    return '0.0.0-standin';
  }
  enableSandbox(): void {
    standin.log.push('app.enableSandbox');
  }
  setAppUserModelId(): void {}
  requestSingleInstanceLock(): boolean {
    standin.log.push('app.requestSingleInstanceLock');
    return standin.singleInstance;
  }
  whenReady(): Promise<void> {
    standin.log.push('app.whenReady');
    return Promise.resolve();
  }
  /** Like Electron: 'will-quit' first, and a listener may postpone the quit with preventDefault. */
  quit(): void {
    standin.log.push('app.quit');
    let prevented = false;
    this.emit('will-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) standin.quitted = true;
  }
  exit(): void {
    standin.quitted = true;
  }
}
export const app = new App();

export const ipcMain = {
  handle(channel: string, listener: (event: unknown, ...args: unknown[]) => unknown): void {
    if (standin.ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    standin.ipcHandlers.set(channel, listener);
  },
  removeHandler(channel: string): void {
    standin.ipcHandlers.delete(channel);
  },
};

export const session = {
  defaultSession: {
    protocol: {
      handle(scheme: string, handler: (request: { url: string; method: string }) => Promise<Response>): void {
        standin.log.push(`session.protocol.handle ${scheme}`);
        standin.protocolHandlers.set(scheme, handler);
      },
    },
    setPermissionRequestHandler: () => standin.log.push('session.setPermissionRequestHandler'),
    setPermissionCheckHandler: () => standin.log.push('session.setPermissionCheckHandler'),
    setDevicePermissionHandler: () => undefined,
    webRequest: { onBeforeRequest: () => standin.log.push('session.webRequest.onBeforeRequest') },
  },
};

/** A utilityProcess child: what the host sent it, and a way to make it speak, write stderr or exit. */
export class FakeUtilityProcess extends EventEmitter {
  static nextPid = 4000;
  pid: number | undefined = FakeUtilityProcess.nextPid++;
  readonly stderr = new PassThrough();
  readonly posted: unknown[] = [];
  killed = false;
  constructor(
    readonly modulePath: string,
    readonly args: string[],
    readonly options: Record<string, unknown>,
  ) {
    super();
  }
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  kill(): boolean {
    this.killed = true;
    return true;
  }
}

export const utilityProcess = {
  fork(modulePath: string, args: string[] = [], options: Record<string, unknown> = {}): FakeUtilityProcess {
    const child = new FakeUtilityProcess(modulePath, args, options);
    standin.utilityProcesses.push(child);
    return child;
  },
};

export const dialog = {
  showErrorBox(title: string, content: string): void {
    standin.errorBoxes.push([title, content]);
  },
  showOpenDialog(window: unknown, options: Record<string, unknown>): Promise<{ canceled: boolean; filePaths: string[] }> {
    standin.openDialogCalls.push({ window, options });
    return standin.openDialog(options);
  },
  showSaveDialog(window: unknown, options: Record<string, unknown>): Promise<{ canceled: boolean; filePath: string }> {
    standin.saveDialogCalls.push({ window, options });
    return standin.saveDialog(options);
  },
};

export const shell = {
  openPath(path: string): Promise<string> {
    standin.openPathCalls.push(path);
    return standin.openPath(path);
  },
};

let nextWebContentsId = 1;

class FakeWebContents extends EventEmitter {
  readonly id = nextWebContentsId++;
  readonly mainFrame = { url: '', parent: null, processId: 1, routingId: this.id };
  url = '';
  destroyed = false;
  sent: unknown[][] = [];
  getURL(): string {
    return this.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }
  windowOpenHandler: ((details: { url: string }) => unknown) | null = null;
  setWindowOpenHandler(handler: (details: { url: string }) => unknown): void {
    this.windowOpenHandler = handler;
  }
  printToPdfCalls: Array<Record<string, unknown>> = [];
  /** Chromium's PDF of the page; here a recognisable stand-in of its bytes. */
  printToPDF(options: Record<string, unknown>): Promise<Buffer> {
    this.printToPdfCalls.push(options);
    return Promise.resolve(Buffer.from(`%PDF-1.7 stand-in of ${this.url}`));
  }
}

export class BrowserWindow extends EventEmitter {
  readonly options: Record<string, unknown>;
  readonly webContents = new FakeWebContents();
  visible = false;
  destroyed = false;
  loadedUrl: string | null = null;

  constructor(options: Record<string, unknown> = {}) {
    super();
    this.options = options;
    this.visible = options.show !== false;
    standin.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    this.webContents.url = url;
    this.webContents.mainFrame.url = url;
    return Promise.resolve();
  }
  show(): void {
    this.visible = true;
  }
  focus(): void {}
  restore(): void {}
  isMinimized(): boolean {
    return false;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Imitates the user closing the window. */
  close(): void {
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

export const Menu = {
  buildFromTemplate: (template: unknown[]) => ({ template }),
  setApplicationMenu: () => undefined,
};
