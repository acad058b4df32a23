import type { BrowserWindow, OpenDialogOptions, OpenDialogReturnValue } from 'electron';
import { FilePurpose, IPC_CHOOSE_FILE, IPC_CHOOSE_FILES, KB_IMPORT_EXTENSIONS, XinglinError, type ChosenFile, type Reply } from '../../contract/index.js';
import type { HostFiles } from '../../core/core.js';
import { unauthorized, type IpcMainLike } from './ipc.js';
import { isTrustedSender, type IpcEventLike } from './security.js';

/** The slice of Electron's `dialog` used here; typed so this file tests without Electron. */
export interface DialogLike {
  showOpenDialog(window: BrowserWindow, options: OpenDialogOptions): Promise<OpenDialogReturnValue>;
}

/** The window a dialog belongs to, by its webContents id: only our own windows have one. */
export interface WindowsLike {
  has(webContentsId: number): boolean;
  get(webContentsId: number): BrowserWindow | undefined;
}

const DIALOGS: Record<FilePurpose, OpenDialogOptions> = {
  'kb.import': {
    title: '选择要导入知识库的文件',
    filters: [
      { name: '知识库文件（JSONL、CSV、说明书）', extensions: [...KB_IMPORT_EXTENSIONS] },
      { name: '所有文件', extensions: ['*'] },
    ],
  },
  'models.import': {
    title: '选择要导入的模型或 LoRA 适配器',
    filters: [
      { name: 'GGUF 模型与适配器', extensions: ['gguf'] },
      { name: '所有文件', extensions: ['*'] },
    ],
  },
  'eval.import': {
    title: '选择评测集文件',
    filters: [
      { name: '评测集（JSONL、CMExam CSV、CMB JSON）', extensions: ['jsonl', 'csv', 'json'] },
      { name: '所有文件', extensions: ['*'] },
    ],
  },
  'dataset.input': {
    title: '选择指令数据的输入文件',
    filters: [
      { name: '模板、问答对或姓名表（JSONL、JSON、TXT）', extensions: ['jsonl', 'json', 'txt'] },
      { name: '所有文件', extensions: ['*'] },
    ],
  },
  'data.restore': {
    title: '选择要恢复的杏林备份',
    filters: [
      { name: '杏林备份（.tar.gz）', extensions: ['gz'] },
      { name: '所有文件', extensions: ['*'] },
    ],
  },
};

/**
 * The window asks for a file (or several); the main process shows the native open dialog, modal to
 * that window, and answers the chosen files' handles (never their paths): `IPC_CHOOSE_FILE` one or
 * null when the user cancels, `IPC_CHOOSE_FILES` a list, empty when the user cancels.
 */
export function registerFileDialog(ipcMain: IpcMainLike, dialog: DialogLike, files: Pick<HostFiles, 'register'>, windows: WindowsLike): () => void {
  async function choose(event: IpcEventLike, purpose: unknown, multiple: boolean): Promise<Reply<ChosenFile[]>> {
    const window = windows.get(event.sender.id);
    if (!window || !isTrustedSender(event, windows)) return unauthorized;
    const parsed = FilePurpose.safeParse(purpose);
    if (!parsed.success) return { ok: false, error: { code: 'INVALID_INPUT', message: `未知的文件用途：${String(purpose).slice(0, 40)}` } };
    const answer = await dialog.showOpenDialog(window, { ...DIALOGS[parsed.data], properties: multiple ? ['openFile', 'multiSelections'] : ['openFile'] });
    if (answer.canceled) return { ok: true, value: [] };
    try {
      return { ok: true, value: answer.filePaths.slice(0, multiple ? undefined : 1).map((chosen) => files.register(chosen)) };
    } catch (cause) {
      if (cause instanceof XinglinError) return { ok: false, error: cause.toWire() };
      throw cause;
    }
  }
  ipcMain.handle(IPC_CHOOSE_FILE, async (event: IpcEventLike, purpose: unknown): Promise<Reply<ChosenFile | null>> => {
    const reply = await choose(event, purpose, false);
    return reply.ok ? { ok: true, value: reply.value[0] ?? null } : reply;
  });
  ipcMain.handle(IPC_CHOOSE_FILES, (event: IpcEventLike, purpose: unknown) => choose(event, purpose, true));
  return () => {
    ipcMain.removeHandler(IPC_CHOOSE_FILE);
    ipcMain.removeHandler(IPC_CHOOSE_FILES);
  };
}
