import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Everything a folder holds, file by file (sha256), folders included: what a refused change must leave equal. */
export function folderState(dir: string): Record<string, string> {
  const state: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    state[path.relative(dir, full)] = entry.isFile() ? createHash('sha256').update(fs.readFileSync(full)).digest('hex') : 'folder';
  }
  return state;
}
