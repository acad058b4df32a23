import fs from 'node:fs';
import path from 'node:path';
import { IPC_DROP_MODEL_FILES, XinglinError, type ChosenFile, type Reply } from '../../contract/index.js';
import type { HostFiles } from '../../core/core.js';
import type { WindowsLike } from './file-dialog.js';
import { unauthorized, type IpcMainLike } from './ipc.js';
import { isTrustedSender, type IpcEventLike } from './security.js';

/** The first bytes of every GGUF file. */
const GGUF_MAGIC = Buffer.from('GGUF', 'latin1');
/** More files than anyone drops at once: the list is refused whole. */
const MAX_DROPPED = 64;
/** Where the platform has it, opening refuses a link swapped in after the check. */
const NO_FOLLOW = fs.constants.O_NOFOLLOW ?? 0;

/**
 * Model files dropped on the models pane: the preload reads the dropped files' paths (Electron's
 * `webUtils.getPathForFile`) and sends them here. Only our window may ask, and only a regular file
 * named `.gguf` whose first bytes are GGUF's magic gets a handle; each other file is refused with
 * a reason naming it. The window never learns a path back.
 */
export function registerDropModelFiles(ipcMain: IpcMainLike, files: Pick<HostFiles, 'register'>, windows: WindowsLike): () => void {
  ipcMain.handle(IPC_DROP_MODEL_FILES, async (event: IpcEventLike, paths: unknown): Promise<Reply<Array<Reply<ChosenFile>>>> => {
    if (!windows.get(event.sender.id) || !isTrustedSender(event, windows)) return unauthorized;
    if (!Array.isArray(paths) || paths.length > MAX_DROPPED || !paths.every((file) => typeof file === 'string')) {
      return { ok: false, error: { code: 'INVALID_INPUT', message: `拖入的文件无法识别：一次最多拖入 ${MAX_DROPPED} 个文件` } };
    }
    return { ok: true, value: await Promise.all(paths.map((file: string) => accept(file, files))) };
  });
  return () => ipcMain.removeHandler(IPC_DROP_MODEL_FILES);
}

async function accept(file: string, files: Pick<HostFiles, 'register'>): Promise<Reply<ChosenFile>> {
  try {
    await checkModelFile(file);
    return { ok: true, value: files.register(file) };
  } catch (cause) {
    if (cause instanceof XinglinError) return { ok: false, error: cause.toWire() };
    throw cause;
  }
}

/** Throws, naming the file, unless it is a regular `.gguf` file on this disk that starts as GGUF does. */
async function checkModelFile(file: string): Promise<void> {
  // A File the page made itself has no path (the preload sends '').
  if (!path.isAbsolute(file)) throw new XinglinError('INVALID_INPUT', '拖入的文件不在本机磁盘上，未导入：请用“导入文件…”选择它');
  const name = path.basename(file);
  if (!name.toLowerCase().endsWith('.gguf')) throw new XinglinError('MODEL_NOT_GGUF', `${name} 不是 .gguf 文件，未导入`, { file: name });
  const stat = await fs.promises.lstat(file).catch(() => null);
  if (!stat) throw new XinglinError('NOT_FOUND', `找不到拖入的文件：${name}`, { file: name });
  if (!stat.isFile()) throw new XinglinError('INVALID_INPUT', `${name} 不是普通文件（文件夹、链接或设备），未导入`, { file: name });
  const head = Buffer.alloc(GGUF_MAGIC.length);
  let read = 0;
  try {
    const handle = await fs.promises.open(file, fs.constants.O_RDONLY | NO_FOLLOW);
    try {
      ({ bytesRead: read } = await handle.read(head, 0, head.length, 0));
    } finally {
      await handle.close();
    }
  } catch {
    throw new XinglinError('INVALID_INPUT', `无法读取拖入的文件：${name}`, { file: name });
  }
  if (read < head.length || !head.equals(GGUF_MAGIC)) throw new XinglinError('MODEL_NOT_GGUF', `${name} 不是 GGUF 模型文件（文件头不符），未导入`, { file: name });
}
