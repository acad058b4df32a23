import fs from 'node:fs/promises';
import type { BrowserWindow, SaveDialogOptions, SaveDialogReturnValue } from 'electron';
import { IPC_SAVE_PDF, type Reply } from '../../contract/index.js';
import { unauthorized, type IpcMainLike } from './ipc.js';
import { isTrustedSender, type IpcEventLike } from './security.js';
import type { WindowsLike } from './file-dialog.js';

/** The slice of Electron's `dialog` used here; typed so this file tests without Electron. */
export interface SaveDialogLike {
  showSaveDialog(window: BrowserWindow, options: SaveDialogOptions): Promise<SaveDialogReturnValue>;
}

/** A name the save dialog may propose: no folders, no characters a file system refuses. */
function proposedName(fileName: unknown): string {
  const name = String(fileName ?? '').replace(/[\\/:*?"<>|\u0000-\u001f]/g, '').slice(0, 120).trim() || '门诊病历';
  return name.toLowerCase().endsWith('.pdf') ? name : `${name}.pdf`;
}

/**
 * The record pane's 打印 PDF in Electron: the asking window printed by Chromium (`printToPDF`, A4, the
 * renderer's print stylesheet deciding what shows) and saved where the doctor chooses in a native save
 * dialog. The renderer never names a path.
 */
export function registerSavePdf(ipcMain: IpcMainLike, dialog: SaveDialogLike, windows: WindowsLike): () => void {
  ipcMain.handle(IPC_SAVE_PDF, async (event: IpcEventLike, fileName: unknown): Promise<Reply<boolean>> => {
    const window = windows.get(event.sender.id);
    if (!window || !isTrustedSender(event, windows)) return unauthorized;
    const pdf = await window.webContents.printToPDF({ pageSize: 'A4', printBackground: false, preferCSSPageSize: true });
    const answer = await dialog.showSaveDialog(window, { title: '保存病历 PDF', defaultPath: proposedName(fileName), filters: [{ name: 'PDF', extensions: ['pdf'] }] });
    if (answer.canceled || !answer.filePath) return { ok: true, value: false };
    try {
      await fs.writeFile(answer.filePath, pdf);
    } catch (cause) {
      return { ok: false, error: { code: 'FOLDER_UNUSABLE', message: `无法保存 PDF 到 ${answer.filePath}：${(cause as NodeJS.ErrnoException).code ?? String(cause)}` } };
    }
    return { ok: true, value: true };
  });
  return () => ipcMain.removeHandler(IPC_SAVE_PDF);
}
