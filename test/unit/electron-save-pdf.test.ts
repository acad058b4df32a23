/**
 * 打印 PDF in Electron, under the electron STAND-IN (no Electron binary can run here): the asking
 * window is printed to A4 by Chromium and saved where the user chooses; the renderer names no path.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { IPC_SAVE_PDF, type Reply } from '../../src-main/contract/index.js';
import type { IpcMainLike } from '../../src-main/hosts/electron/ipc.js';
import { registerSavePdf } from '../../src-main/hosts/electron/save-pdf.js';
import { trustedWindow } from './electron-window.js';

vi.mock('electron', () => import('./electron-standin.js'));

const { standin, ipcMain, dialog } = await import('./electron-standin.js');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-pdf-'));

function setUp() {
  const { trusted, window, from } = trustedWindow();
  const dispose = registerSavePdf(ipcMain as IpcMainLike, dialog as never, trusted);
  const save = (event: unknown, name: unknown) => standin.ipcHandlers.get(IPC_SAVE_PDF)!(event, name) as Promise<Reply>;
  return { window, dispose, from, save };
}

describe('saving a record as PDF over IPC', () => {
  it('prints the asking window to A4 and writes the PDF where the user chose', async () => {
    const { window, from, save } = setUp();
    const target = path.join(dir, 'chosen.pdf');
    standin.saveDialog = async () => ({ canceled: false, filePath: target });
    expect(await save(from(), '门诊病历-2026-12-07-abc')).toEqual({ ok: true, value: true });
    expect(window.webContents.printToPdfCalls).toEqual([expect.objectContaining({ pageSize: 'A4' })]);
    expect(standin.saveDialogCalls[0]!.window).toBe(window);
    expect(standin.saveDialogCalls[0]!.options).toMatchObject({ defaultPath: '门诊病历-2026-12-07-abc.pdf', filters: [{ extensions: ['pdf'] }] });
    expect(fs.readFileSync(target, 'utf8')).toMatch(/^%PDF-/);
  });

  it('writes nothing when the user cancels', async () => {
    const { from, save } = setUp();
    expect(await save(from(), 'x')).toEqual({ ok: true, value: false });
  });

  it('proposes a plain file name whatever the renderer sends', async () => {
    const { from, save } = setUp();
    await save(from(), '../../etc/passwd');
    expect(standin.saveDialogCalls[0]!.options.defaultPath).toBe('....etcpasswd.pdf');
  });

  it('answers a sender that is not our window with UNAUTHORIZED and prints nothing', async () => {
    const { window, from, save } = setUp();
    const reply = await save(from(9999), 'x');
    expect(reply).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(window.webContents.printToPdfCalls).toEqual([]);
  });

  it('names the folder when the file cannot be written', async () => {
    const { from, save } = setUp();
    standin.saveDialog = async () => ({ canceled: false, filePath: path.join(dir, 'missing', 'x.pdf') });
    const reply = await save(from(), 'x');
    expect(reply).toMatchObject({ ok: false, error: { code: 'FOLDER_UNUSABLE', message: expect.stringContaining('missing') } });
  });
});
