/**
 * The folders the app keeps patient data and models in. Node's recursive mkdir loops forever,
 * synchronously, where mkdir answers ENOENT under a parent that exists (`/proc/foo`), and gives new
 * folders whatever mode the umask leaves; so each missing level is created here, one at a time.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { XinglinError } from '../contract/index.js';

/**
 * Creates `dir` and its missing parents, each new one 0700 whatever the umask; a folder that
 * exists keeps the mode its owner chose. Throws the system error of the level that failed.
 */
export function createPrivateFolder(dir: string): void {
  const missing: string[] = [];
  let at = path.resolve(dir);
  for (; !fs.existsSync(at) && path.dirname(at) !== at; at = path.dirname(at)) missing.unshift(at);
  if (!fs.statSync(at).isDirectory()) throw Object.assign(new Error(`not a directory: ${at}`), { code: 'ENOTDIR', path: at });
  for (const folder of missing) {
    try {
      fs.mkdirSync(folder, 0o700);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'EEXIST') continue; // made meanwhile by someone else: theirs
      throw cause;
    }
    fs.chmodSync(folder, 0o700); // the umask may have taken bits away (umask 0777 leaves none)
  }
}

export type FolderRole = 'data' | 'models';
const roleNames: Record<FolderRole, string> = { data: '数据文件夹', models: '模型文件夹' };

/**
 * Makes sure files can be kept in `dir` (creating it as above) by writing and removing a small
 * file there, or throws FOLDER_UNUSABLE naming the folder and the cause: a file in the way, no
 * permission, read-only, full, or a filesystem that holds no files.
 */
export function ensureUsableFolder(dir: string, role: FolderRole): void {
  try {
    createPrivateFolder(dir);
    probeWrite(dir);
  } catch (cause) {
    throw folderUnusable(dir, role, cause);
  }
}

function probeWrite(dir: string): void {
  const probe = path.join(dir, `.xinglin-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fd = fs.openSync(probe, 'wx', 0o600);
  try {
    fs.writeSync(fd, Buffer.alloc(4096)); // one block: a full disk refuses it
  } finally {
    fs.closeSync(fd);
    fs.rmSync(probe, { force: true });
  }
}

const causes: Record<string, string> = {
  EACCES: '没有权限在这里创建或写入文件',
  EPERM: '没有权限在这里创建或写入文件',
  EROFS: '所在的文件系统是只读的',
  ENOSPC: '磁盘已满',
  EDQUOT: '磁盘配额已用完',
  ENOENT: '这里不能创建文件（/proc、/sys 这类特殊文件系统，或指向不存在位置的链接）',
  ELOOP: '路径中的链接互相指向，形成了循环',
  ENAMETOOLONG: '路径太长',
};

function folderUnusable(dir: string, role: FolderRole, cause: unknown): XinglinError {
  const errno = (cause as NodeJS.ErrnoException).code ?? 'UNKNOWN';
  const failed = (cause as NodeJS.ErrnoException).path ?? dir;
  const reason = errno === 'ENOTDIR' ? `${failed} 是一个文件，不是文件夹` : (causes[errno] ?? `系统错误 ${errno}`);
  return new XinglinError('FOLDER_UNUSABLE', `${roleNames[role]}不可用：${dir}——${reason}。请换一个文件夹，或解决这个问题后再试。`, { path: dir, role, errno });
}
