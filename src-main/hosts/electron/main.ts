/**
 * The Electron main process: one window, the core in this process, the model (llama.cpp) in a
 * utilityProcess of its own (runtime-process.ts), IPC to the sandboxed renderer. Bundled to
 * dist/main/electron-main.js (package.json "main").
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, ipcMain, safeStorage, session, shell } from 'electron';
import { resolveBackupSchedule, resolveDirs, resolveRefuseUngrounded, resolveThreads } from '../../core/config.js';
import { createCore, errorTrace, openLog } from '../../core/core.js';
import type { Core } from '../../core/core.js';
import { appRoot, appVersion, rendererDir, runtimeEntry, starterDir } from '../common/app-root.js';
import { parseDirFlags } from './args.js';
import { registerDropModelFiles } from './dropped-files.js';
import { registerFileDialog } from './file-dialog.js';
import { registerOpenModelsFolder } from './models-folder.js';
import { registerSavePdf } from './save-pdf.js';
import { forwardEvents, registerIpc } from './ipc.js';
import { desktopKey, safeStorageKeychain } from './keychain.js';
import { installMenu } from './menu.js';
import { registerAppScheme, serveRenderer } from './protocol.js';
import { utilityRuntime } from './runtime-process.js';
import { hardenSession, hardenWebContents } from './security.js';
import { createMainWindow, focusWindow, TrustedWindows } from './window.js';

/** The same id as electron-builder's appId (build/electron-builder.config.cjs). */
const APP_ID = 'cn.xinglin.desktop';

// Everything below that must happen before 'ready'.
registerAppScheme();
const dirs = resolveDirs(parseDirFlags(process.argv.slice(1)));
const log = openLog(dirs.dataDir);
// userData is the data folder every host uses; Chromium's own files get a subfolder of it.
app.setPath('userData', dirs.dataDir);
app.setPath('sessionData', path.join(dirs.dataDir, 'chromium'));
app.enableSandbox();
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

// The lock is per data folder (it lives in userData): two windows on one database would race.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void start().catch((error: unknown) => {
    log.error({ event: 'electron.start.failed', ...errorTrace(error) });
    dialog.showErrorBox('杏林无法启动 / Xinglin could not start', String((error as Error)?.message ?? error));
    app.exit(1);
  });
}

async function start(): Promise<void> {
  const devTools = !app.isPackaged;
  const trusted = new TrustedWindows();
  const preload = path.join(path.dirname(fileURLToPath(import.meta.url)), 'preload.cjs');
  let core: Core | null = null;
  let closed = false;

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('second-instance', () => focusWindow(trusted.first()));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // Close the core (stop generation, unload the model, close SQLite) before the process exits.
  app.on('will-quit', (event) => {
    if (closed || !core) return;
    event.preventDefault();
    const closing = core;
    core = null;
    void closing
      .close()
      .catch((error: unknown) => log.error({ event: 'electron.core.close.failed', ...errorTrace(error) }))
      .finally(() => {
        closed = true;
        app.quit();
      });
  });
  app.on('render-process-gone', (_event, _contents, details) => log.error({ event: 'electron.renderer.gone', reason: details.reason, exitCode: details.exitCode }));

  await app.whenReady();
  hardenSession(session.defaultSession);
  const root = appRoot();
  serveRenderer(session.defaultSession, rendererDir(root));
  installMenu({ devTools });

  const threads = resolveThreads(undefined);
  const backup = resolveBackupSchedule();
  // safeStorage can be used only once the app is ready.
  const keychain = safeStorageKeychain(dirs.dataDir, safeStorage);
  const supplied = desktopKey(keychain);
  core = await createCore({ host: 'electron', dataDir: dirs.dataDir, modelsDir: dirs.modelsDir, appVersion: appVersion(root), starterDir: starterDir(), spawnRuntime: utilityRuntime(runtimeEntry().entry), refuseUngrounded: resolveRefuseUngrounded(), autoLoadProfile: true, ...(threads ? { threads } : {}), ...(backup ? { backup } : {}), keychain, ...(supplied ? { databaseKey: supplied.key, databaseKeySource: supplied.source } : {}) });
  registerIpc(ipcMain, core, trusted);
  registerFileDialog(ipcMain, dialog, core.files, trusted);
  registerDropModelFiles(ipcMain, core.files, trusted);
  registerSavePdf(ipcMain, dialog, trusted);
  registerOpenModelsFolder(ipcMain, shell, core.config.modelsDir, trusted);
  forwardEvents(core, () => trusted.contents());
  log.info({ event: 'electron.ready', version: app.getVersion(), electron: process.versions.electron });

  createMainWindow(preload, trusted, { devTools });
  app.on('activate', () => {
    if (!trusted.first()) createMainWindow(preload, trusted, { devTools });
  });
}
