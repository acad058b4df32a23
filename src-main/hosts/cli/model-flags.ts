import path from 'node:path';
import { XinglinError, type MethodInput } from '../../contract/index.js';
import { parseLora } from './args.js';

/**
 * The command line keeps paths (its user is at the workstation), while the core loads a model only
 * by its name in the models folder. So `--model ~/m/x.gguf` opens the core with `~/m` as the models
 * folder and loads `x.gguf`; adapters given as paths must lie in that folder's `lora/`.
 */

function isPath(spec: string): boolean {
  return spec.includes('/') || spec.includes('\\') || path.isAbsolute(spec);
}

/** The models folder a `--model` path names, or undefined for a bare name (the usual folder). */
export function modelFolder(model: string | undefined): string | undefined {
  return model !== undefined && isPath(model) ? path.dirname(path.resolve(model)) : undefined;
}

/** What `--model` and `--lora` ask the core to load, as names in `modelsDir` and its `lora/`. */
export function loadRequest(model: string, lora: readonly string[], modelsDir: string): MethodInput<'models.load'> {
  const loraDir = path.join(modelsDir, 'lora');
  const adapters = lora.map(parseLora).map(({ file, scale }) => {
    if (!isPath(file)) return { file, scale };
    if (path.dirname(path.resolve(file)) !== loraDir) throw new XinglinError('INVALID_INPUT', `--lora ${file} 须放在模型所在文件夹的 lora/ 子文件夹中（${loraDir}）`, { file, dir: loraDir });
    return { file: path.basename(file), scale };
  });
  return { model: path.basename(model), adapters };
}
