import fs from 'node:fs';
import path from 'node:path';
import type { MethodOutput, ModelFile } from '../../contract/index.js';

function ggufFiles(dir: string): ModelFile[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.gguf'))
    .map((e) => ({ file: e.name, sizeBytes: fs.statSync(path.join(dir, e.name)).size }))
    .sort((a, b) => a.file.localeCompare(b.file));
}

/** Base models sit in the models folder, LoRA adapters in its `lora/` subfolder. */
export function listModelFiles(modelsDir: string): MethodOutput<'models.list'> {
  return { modelsDir, models: ggufFiles(modelsDir), adapters: ggufFiles(path.join(modelsDir, 'lora')) };
}

/** A bare file name is looked up in `dir`; a path (absolute or relative to the working folder) is taken as given. */
export function resolveModelPath(dir: string, file: string): string {
  return path.isAbsolute(file) || file.includes('/') || file.includes('\\') ? path.resolve(file) : path.join(dir, file);
}
