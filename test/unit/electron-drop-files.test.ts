/**
 * Model files dropped on the window, behind `window.xinglin.dropModelFiles`, under the electron
 * STAND-IN (no Electron binary can run here): who may send paths, which files get a handle, and
 * that each other file is refused with a reason naming it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { IPC_DROP_MODEL_FILES, type ChosenFile, type Reply } from '../../src-main/contract/index.js';
import { FileHandles } from '../../src-main/core/file-handles.js';
import { registerDropModelFiles } from '../../src-main/hosts/electron/dropped-files.js';
import type { IpcMainLike } from '../../src-main/hosts/electron/ipc.js';
import { generateFixtures } from '../fixtures/gguf/tiny-llama.js';
import { trustedWindow } from './electron-window.js';

vi.mock('electron', () => import('./electron-standin.js'));

const { standin, ipcMain } = await import('./electron-standin.js');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-drop-'));
const fixtures = generateFixtures(path.join(dir, 'usb'));
const disguised = path.join(dir, '说明书.gguf');
fs.writeFileSync(disguised, '这不是模型');
const folder = path.join(dir, '文件夹.gguf');
fs.mkdirSync(folder);
const link = path.join(dir, 'link.gguf');
fs.symlinkSync(fixtures.model, link);
const text = path.join(dir, 'notes.txt');
fs.writeFileSync(text, 'GGUF');

function setUp() {
  const { trusted, window, from } = trustedWindow();
  const files = new FileHandles(path.join(dir, 'uploads'));
  const dispose = registerDropModelFiles(ipcMain as IpcMainLike, files, trusted);
  const drop = (event: unknown, paths: unknown) => standin.ipcHandlers.get(IPC_DROP_MODEL_FILES)!(event, paths) as Promise<Reply<Array<Reply<ChosenFile>>>>;
  return { window, files, dispose, from, drop };
}

describe('model files dropped on the window', () => {
  it('answers a handle, never the path, for each GGUF file, in the order dropped', async () => {
    const { files, from, drop } = setUp();
    const reply = await drop(from(), [fixtures.model, fixtures.lora]);
    expect(reply).toEqual({
      ok: true,
      value: [
        { ok: true, value: { file: expect.stringMatching(/^[\w-]{32}$/), name: path.basename(fixtures.model), sizeBytes: fs.statSync(fixtures.model).size } },
        { ok: true, value: { file: expect.stringMatching(/^[\w-]{32}$/), name: path.basename(fixtures.lora), sizeBytes: fs.statSync(fixtures.lora).size } },
      ],
    });
    expect(JSON.stringify(reply)).not.toContain(dir);
    const [model] = (reply as { ok: true; value: Array<{ ok: true; value: ChosenFile }> }).value;
    expect(files.open(model!.value.file).path).toBe(fixtures.model);
  });

  it('refuses, each naming the file, what is not a regular GGUF file on this disk; the others still get handles', async () => {
    const { from, drop } = setUp();
    const gone = path.join(dir, '已删除.gguf');
    const reply = (await drop(from(), [disguised, fixtures.model, folder, link, text, gone, '', 'relative/x.gguf'])) as { ok: true; value: Array<Reply<ChosenFile>> };
    const [notGguf, model, notFile, viaLink, notNamed, missing, notOnDisk, relative] = reply.value;
    expect(model).toMatchObject({ ok: true, value: { name: path.basename(fixtures.model) } });
    expect(notGguf).toEqual({ ok: false, error: { code: 'MODEL_NOT_GGUF', message: '说明书.gguf 不是 GGUF 模型文件（文件头不符），未导入', details: { file: '说明书.gguf' } } });
    expect(notFile).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: '文件夹.gguf 不是普通文件（文件夹、链接或设备），未导入', details: { file: '文件夹.gguf' } } });
    expect(viaLink).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('link.gguf') } });
    expect(notNamed).toEqual({ ok: false, error: { code: 'MODEL_NOT_GGUF', message: 'notes.txt 不是 .gguf 文件，未导入', details: { file: 'notes.txt' } } });
    expect(missing).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: '找不到拖入的文件：已删除.gguf', details: { file: '已删除.gguf' } } });
    for (const refusal of [notOnDisk, relative]) expect(refusal).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('不在本机磁盘上') } });
    // No refusal tells the window where a file lies.
    expect(JSON.stringify(reply)).not.toContain(dir);
  });

  it('answers nothing to a stranger, a subframe or a page of another origin', async () => {
    const { window, from, drop } = setUp();
    const frame = window.webContents.mainFrame;
    const events = [from(999), { sender: { id: window.webContents.id, mainFrame: frame }, senderFrame: { ...frame, parent: frame, routingId: 77 } }, from(window.webContents.id, { ...frame, url: 'https://example.com/' })];
    for (const event of events) expect(await drop(event, [fixtures.model])).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('refuses a list that is not one of paths, or too long, whole', async () => {
    const { from, drop } = setUp();
    for (const paths of [fixtures.model, [fixtures.model, 7], null, Array.from({ length: 65 }, () => fixtures.model)]) {
      expect(await drop(from(), paths)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('拖入的文件') } });
    }
  });

  it('removes its handler when disposed', () => {
    const { dispose } = setUp();
    dispose();
    expect(standin.ipcHandlers.has(IPC_DROP_MODEL_FILES)).toBe(false);
  });
});
