/**
 * The models pane's 打开文件夹 in Electron, under the electron STAND-IN (no Electron binary can run
 * here): the core's models folder is opened in the system's file manager; the page names no path.
 */
import { describe, expect, it, vi } from 'vitest';
import { IPC_OPEN_MODELS_FOLDER, type Reply } from '../../src-main/contract/index.js';
import type { IpcMainLike } from '../../src-main/hosts/electron/ipc.js';
import { registerOpenModelsFolder } from '../../src-main/hosts/electron/models-folder.js';
import { trustedWindow } from './electron-window.js';

vi.mock('electron', () => import('./electron-standin.js'));

const { standin, ipcMain, shell } = await import('./electron-standin.js');

const MODELS_DIR = '/srv/xinglin/模型';

function setUp() {
  const { trusted, from } = trustedWindow();
  const dispose = registerOpenModelsFolder(ipcMain as IpcMainLike, shell, MODELS_DIR, trusted);
  // Whatever the page sends along is ignored: the folder is the core's.
  const open = (event: unknown) => standin.ipcHandlers.get(IPC_OPEN_MODELS_FOLDER)!(event, '/etc') as Promise<Reply>;
  return { dispose, from, open };
}

describe('opening the models folder over IPC', () => {
  it('opens the core’s models folder in the file manager', async () => {
    const { from, open } = setUp();
    expect(await open(from())).toEqual({ ok: true, value: true });
    expect(standin.openPathCalls).toEqual([MODELS_DIR]);
  });

  it('says why, naming the folder, when the system cannot open it', async () => {
    const { from, open } = setUp();
    standin.openPath = async () => 'Failed to open path';
    expect(await open(from())).toEqual({ ok: false, error: { code: 'FOLDER_UNUSABLE', message: `无法打开模型文件夹 ${MODELS_DIR}：Failed to open path`, details: { folder: MODELS_DIR } } });
  });

  it('answers a sender that is not our window with UNAUTHORIZED and opens nothing', async () => {
    const { from, open } = setUp();
    expect(await open(from(9999))).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(standin.openPathCalls).toEqual([]);
  });

  it('removes its handler when disposed', () => {
    const { dispose } = setUp();
    dispose();
    expect(standin.ipcHandlers.has(IPC_OPEN_MODELS_FOLDER)).toBe(false);
  });
});
