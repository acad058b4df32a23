/**
 * The native open dialog behind `window.xinglin.chooseFile`, under the electron STAND-IN (no
 * Electron binary can run here): who may open it, what it offers, and that the window gets a
 * handle, never the path.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { IPC_CHOOSE_FILE, IPC_CHOOSE_FILES, type Reply } from '../../src-main/contract/index.js';
import { FileHandles } from '../../src-main/core/file-handles.js';
import { registerFileDialog } from '../../src-main/hosts/electron/file-dialog.js';
import type { IpcMainLike } from '../../src-main/hosts/electron/ipc.js';
import { trustedWindow } from './electron-window.js';

vi.mock('electron', () => import('./electron-standin.js'));

const { standin, ipcMain, dialog } = await import('./electron-standin.js');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-dialog-'));
const chosenPath = path.join(dir, '本院药品.jsonl');
fs.writeFileSync(chosenPath, '{"type":"drug","name":"布洛芬"}\n');

function setUp() {
  const { trusted, window, from } = trustedWindow();
  const files = new FileHandles(path.join(dir, 'uploads'));
  const dispose = registerFileDialog(ipcMain as IpcMainLike, dialog as never, files, trusted);
  const choose = (event: unknown, purpose: unknown) => standin.ipcHandlers.get(IPC_CHOOSE_FILE)!(event, purpose) as Promise<Reply>;
  const chooseMany = (event: unknown, purpose: unknown) => standin.ipcHandlers.get(IPC_CHOOSE_FILES)!(event, purpose) as Promise<Reply>;
  return { window, files, dispose, from, choose, chooseMany };
}

describe('the open dialog over IPC', () => {
  it('shows the native dialog modal to the asking window, with the import formats, and answers a handle, never the path', async () => {
    const { window, files, from, choose } = setUp();
    standin.openDialog = async () => ({ canceled: false, filePaths: [chosenPath] });
    const reply = await choose(from(), 'kb.import');
    expect(standin.openDialogCalls).toHaveLength(1);
    expect(standin.openDialogCalls[0]!.window).toBe(window);
    expect(standin.openDialogCalls[0]!.options).toMatchObject({
      properties: ['openFile'],
      filters: [{ extensions: ['jsonl', 'json', 'csv', 'txt'] }, { extensions: ['*'] }],
    });
    expect(reply).toEqual({ ok: true, value: { file: expect.stringMatching(/^[\w-]{32}$/), name: '本院药品.jsonl', sizeBytes: fs.statSync(chosenPath).size } });
    expect(JSON.stringify(reply)).not.toContain(dir);
    // The main process holds the path behind the handle.
    expect(files.open((reply as { value: { file: string } }).value.file).path).toBe(chosenPath);
  });

  it('offers several GGUF files at once for a model import, and answers a handle for each', async () => {
    const { files, from, chooseMany } = setUp();
    const second = path.join(dir, 'lora.gguf');
    fs.writeFileSync(second, 'GGUF');
    standin.openDialog = async () => ({ canceled: false, filePaths: [chosenPath, second] });
    const reply = (await chooseMany(from(), 'models.import')) as { ok: true; value: Array<{ file: string; name: string }> };
    expect(standin.openDialogCalls[0]!.options).toMatchObject({ properties: ['openFile', 'multiSelections'], filters: [{ extensions: ['gguf'] }, { extensions: ['*'] }] });
    expect(reply.value.map((chosen) => chosen.name)).toEqual(['本院药品.jsonl', 'lora.gguf']);
    expect(files.open(reply.value[1]!.file).path).toBe(second);
    standin.openDialog = async () => ({ canceled: true, filePaths: [] });
    expect(await chooseMany(from(), 'models.import')).toEqual({ ok: true, value: [] });
    expect(await chooseMany(from(999), 'models.import')).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('answers null when the user cancels', async () => {
    const { from, choose } = setUp();
    expect(await choose(from(), 'kb.import')).toEqual({ ok: true, value: null });
  });

  it('shows nothing to a stranger, a subframe or a page of another origin', async () => {
    const { window, from, choose } = setUp();
    const frame = window.webContents.mainFrame;
    const events = [from(999), { sender: { id: window.webContents.id, mainFrame: frame }, senderFrame: { ...frame, parent: frame, routingId: 77 } }, from(window.webContents.id, { ...frame, url: 'https://example.com/' })];
    for (const event of events) expect(await choose(event, 'kb.import')).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(standin.openDialogCalls).toEqual([]);
  });

  it('refuses a purpose it does not know, before any dialog', async () => {
    const { from, choose } = setUp();
    expect(await choose(from(), '/etc/passwd')).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(standin.openDialogCalls).toEqual([]);
  });

  it('says NOT_FOUND, naming the file, when the chosen file is gone', async () => {
    const { from, choose } = setUp();
    const gone = path.join(dir, 'gone.csv');
    standin.openDialog = async () => ({ canceled: false, filePaths: [gone] });
    expect(await choose(from(), 'kb.import')).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: `找不到文件：${gone}`, details: { file: gone } } });
  });

  it('removes its handler when disposed', () => {
    const { dispose } = setUp();
    dispose();
    expect(standin.ipcHandlers.has(IPC_CHOOSE_FILE)).toBe(false);
    expect(standin.ipcHandlers.has(IPC_CHOOSE_FILES)).toBe(false);
  });
});
