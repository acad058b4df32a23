import { IPC_OPEN_MODELS_FOLDER, type Reply } from '../../contract/index.js';
import type { WindowsLike } from './file-dialog.js';
import { unauthorized, type IpcMainLike } from './ipc.js';
import { isTrustedSender, type IpcEventLike } from './security.js';

/** The slice of Electron's `shell` used here; typed so this file tests without Electron. */
export interface ShellLike {
  /** Resolves '' once opened, else the reason it could not be. */
  openPath(path: string): Promise<string>;
}

/**
 * The models pane's 打开文件夹: the main process opens the models folder (the core's, never a path
 * the page names) in the system's file manager, so IT staff can copy model files in by hand.
 */
export function registerOpenModelsFolder(ipcMain: IpcMainLike, shell: ShellLike, modelsDir: string, windows: WindowsLike): () => void {
  ipcMain.handle(IPC_OPEN_MODELS_FOLDER, async (event: IpcEventLike): Promise<Reply<boolean>> => {
    if (!windows.get(event.sender.id) || !isTrustedSender(event, windows)) return unauthorized;
    const failure = await shell.openPath(modelsDir);
    if (failure) return { ok: false, error: { code: 'FOLDER_UNUSABLE', message: `无法打开模型文件夹 ${modelsDir}：${failure}`, details: { folder: modelsDir } } };
    return { ok: true, value: true };
  });
  return () => ipcMain.removeHandler(IPC_OPEN_MODELS_FOLDER);
}
