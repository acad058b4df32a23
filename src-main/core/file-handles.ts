import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { XinglinError, type ChosenFile, type FileHandle } from '../contract/index.js';
import { createPrivateFolder } from './folders.js';

/** A handle stays valid this long after it was given out or last used. */
const HANDLE_TTL_MS = 15 * 60_000;
/** No handle lives this long: an upload this old was left by a crash, and is removed when a core opens. */
const STALE_UPLOAD_MS = 24 * 3600_000;
const MAX_NAME_CHARS = 200;

interface Entry {
  path: string;
  name: string;
  sizeBytes: number;
  /** An upload: the core's own copy, used once and then removed. */
  owned: boolean;
  timer: NodeJS.Timeout;
}

/** A file behind a handle, while one piece of work reads it. */
export interface OpenedFile {
  path: string;
  name: string;
  /** The work is over: an upload is removed, a chosen file's handle lives on for another use. */
  close(): void;
}

/** What a host may do with the files: give out handles; only the core reads behind them. */
export type HostFiles = Pick<FileHandles, 'register' | 'receive'>;

/**
 * The files the API may read. A host turns a file the user chose (a native open dialog, the command
 * line) or sent (a browser upload) into an opaque, short-lived handle; the API takes only handles,
 * so no caller can name a path. Uploads are the core's files: 0600 in `<data>/uploads`, used once.
 */
export class FileHandles {
  readonly #entries = new Map<FileHandle, Entry>();

  constructor(
    private readonly uploadDir: string,
    private readonly ttlMs = HANDLE_TTL_MS,
  ) {
    removeStaleUploads(uploadDir);
  }

  /** A file on this workstation the host chose; the name shown defaults to the file's. */
  register(file: string, name = path.basename(file)): ChosenFile {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      throw new XinglinError('NOT_FOUND', `找不到文件：${file}`, { file });
    }
    if (!stat.isFile()) throw new XinglinError('INVALID_INPUT', `不是一个文件：${file}`, { file });
    return this.#add(newHandle(), { path: path.resolve(file), name: displayName(name), sizeBytes: stat.size, owned: false });
  }

  /**
   * Streams `body` to a new upload file (never whole in memory). Past `maxBytes` (or announced as
   * larger, before a byte is written) it stops with FILE_TOO_LARGE; a failed or cut-off upload
   * leaves no file behind.
   */
  async receive(name: string, body: AsyncIterable<Buffer>, maxBytes: number, announcedBytes = 0): Promise<ChosenFile> {
    if (announcedBytes > maxBytes) throw tooLarge(maxBytes);
    createPrivateFolder(this.uploadDir);
    const handle = newHandle();
    const file = path.join(this.uploadDir, `${handle}.upload`);
    let size = 0;
    // Opened here, not by the stream: a stream opens its file later, after a fast failure's clean-up.
    const fd = fs.openSync(file, 'wx', 0o600);
    try {
      await pipeline(
        body,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            size += chunk.length;
            if (size > maxBytes) throw tooLarge(maxBytes);
            yield chunk;
          }
        },
        fs.createWriteStream(file, { fd }),
      );
    } catch (cause) {
      fs.rmSync(file, { force: true });
      if (cause instanceof XinglinError) throw cause;
      throw new XinglinError('INVALID_INPUT', '上传中断：文件没有完整收到，请重新上传');
    }
    return this.#add(handle, { path: file, name: displayName(name), sizeBytes: size, owned: true });
  }

  /** The file behind `handle`, for one piece of work; an upload's handle is spent by it. */
  open(handle: FileHandle): OpenedFile {
    const entry = this.#entries.get(handle);
    if (!entry) throw new XinglinError('NOT_FOUND', `所选文件已失效（超过 ${this.ttlMs / 60_000} 分钟未用，或上传的文件已用过一次），请重新选择文件`);
    clearTimeout(entry.timer);
    if (entry.owned) this.#entries.delete(handle);
    return {
      path: entry.path,
      name: entry.name,
      close: () => {
        if (entry.owned) fs.rmSync(entry.path, { force: true });
        else if (this.#entries.get(handle) === entry) {
          clearTimeout(entry.timer);
          entry.timer = this.#expireLater(handle);
        }
      },
    };
  }

  /** Forgets every handle and removes the uploads not being read (those being read go when their work ends). */
  close(): void {
    for (const handle of [...this.#entries.keys()]) this.#expire(handle);
  }

  #add(handle: FileHandle, entry: Omit<Entry, 'timer'>): ChosenFile {
    this.#entries.set(handle, { ...entry, timer: this.#expireLater(handle) });
    return { file: handle, name: entry.name, sizeBytes: entry.sizeBytes };
  }

  #expireLater(handle: FileHandle): NodeJS.Timeout {
    return setTimeout(() => this.#expire(handle), this.ttlMs).unref();
  }

  #expire(handle: FileHandle): void {
    const entry = this.#entries.get(handle);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#entries.delete(handle);
    if (entry.owned) fs.rmSync(entry.path, { force: true });
  }
}

function newHandle(): FileHandle {
  return randomBytes(24).toString('base64url');
}

function tooLarge(maxBytes: number): XinglinError {
  return new XinglinError('FILE_TOO_LARGE', `文件超过上传上限 ${megabytes(maxBytes)}，未保存：请拆分成较小的文件`, { max: maxBytes });
}

function megabytes(bytes: number): string {
  return bytes >= 1024 ** 2 ? `${Math.round(bytes / 1024 ** 2)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** What a host says the file is called, as the UI shows it: the last part of the name, no control characters. */
function displayName(name: string): string {
  const last = name.split(/[/\\]/).pop() ?? '';
  const clean = last.replace(/[\p{Cc}\p{Cf}]/gu, '').trim().slice(0, MAX_NAME_CHARS);
  // '.' and '..' name a folder, not a file.
  return clean.replace(/^\.+$/, '') || '未命名文件';
}

function removeStaleUploads(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  const before = Date.now() - STALE_UPLOAD_MS;
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      if (fs.statSync(file).mtimeMs < before) fs.rmSync(file, { force: true });
    } catch {
      // Gone already (another core on this folder removed it).
    }
  }
}
