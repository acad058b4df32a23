import fs from 'node:fs';
import path from 'node:path';
import { XinglinError } from '../../contract/index.js';

/** A file name and nothing else: no folder part on any platform (`/`, `\\`, `C:`), not `.` or `..`. */
export function isPlainName(name: string): boolean {
  return name !== '.' && name !== '..' && !/[/\\\0]/.test(name) && path.win32.basename(name) === name;
}

/**
 * A model or adapter name as the API gives it, resolved inside `dir` only: a path, `..`, or a
 * link whose target lies outside the folder is refused (INVALID_INPUT: the request is malformed,
 * whatever the disk holds). A name with no file is returned as is, for the loader's MODEL_NOT_FOUND.
 */
export function resolveModelPath(dir: string, name: string): string {
  const shown = name.slice(0, 80);
  if (!isPlainName(name)) throw new XinglinError('INVALID_INPUT', `“${shown}”不是文件名：只能填写文件夹 ${dir} 中的文件名，不能含路径（/、\\、..）`, { file: shown, dir });
  const file = path.join(dir, name);
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    return file;
  }
  const root = fs.realpathSync(dir);
  if (!real.startsWith(root + path.sep)) throw new XinglinError('INVALID_INPUT', `“${shown}”是指向文件夹 ${dir} 之外的链接，已拒绝：请把文件本身放进该文件夹`, { file: shown, dir });
  // The real file is what is opened: a link changed after this check cannot redirect the load.
  return real;
}
