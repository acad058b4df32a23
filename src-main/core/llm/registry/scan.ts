/**
 * What is in the models folder and what each file is. Base models sit in the folder, LoRA adapters
 * in its `lora/`; a file is judged by its header (never its weights), and one that cannot serve in
 * its place (not GGUF, cut short, an adapter among the models, a split model…) gets the typed error
 * that says why.
 */
import fs from 'node:fs';
import path from 'node:path';
import { XinglinError, type InvalidModelFile, type ModelKind } from '../../../contract/index.js';
import { inspectAdapter, inspectGguf, inspectModel, isSupportedArchitecture, type GgufInspection } from '../gguf/inspect.js';
import { resolveModelPath } from '../models-dir.js';

export const LORA_FOLDER = 'lora';

export const folderOf: Record<ModelKind, InvalidModelFile['folder']> = { model: 'models', adapter: 'lora' };

export function folderPath(modelsDir: string, kind: ModelKind): string {
  return kind === 'model' ? modelsDir : path.join(modelsDir, LORA_FOLDER);
}

export function isGgufName(name: string): boolean {
  return name.toLowerCase().endsWith('.gguf');
}

function unusableAdapter(info: GgufInspection, cause: string, details: Record<string, string> = {}): XinglinError {
  return new XinglinError('MODEL_UNSUPPORTED', `适配器文件 ${info.file} 无法使用：${cause}`, { file: info.file, role: 'adapter', ...details });
}

/**
 * A LoRA adapter llama.cpp can apply to some base: which base it fits is checked at load
 * (`checkAdapterFits`), when the base is known.
 */
export function checkAdapterFile(info: GgufInspection): void {
  if (info.type !== 'adapter') {
    throw unusableAdapter(info, `这是基础模型（general.type 为 ${info.type}），不是 LoRA 适配器；请把它放在模型文件夹中（不是 ${LORA_FOLDER}/ 子文件夹），作为基础模型使用`, { type: info.type });
  }
  if (info.adapterType !== 'lora') throw unusableAdapter(info, `适配器类型为 ${info.adapterType ?? '（未标注）'}，仅支持 LoRA`);
  if (!info.architecture) throw unusableAdapter(info, '缺少 general.architecture，无法确定它适用的模型架构');
  if (!isSupportedArchitecture(info.architecture)) {
    throw unusableAdapter(info, `适配器架构 ${info.architecture} 不受支持（不是本机 llama.cpp 可用于对话生成的架构）`, { architecture: info.architecture });
  }
  if (!info.tensors.some((tensor) => /\.lora_[ab]$/.test(tensor.name))) throw unusableAdapter(info, '文件中没有任何 LoRA 张量（*.lora_a / *.lora_b）');
}

/** A file checked as what its folder holds: a base model in the models folder, an adapter in `lora/`. */
export async function inspectAs(filePath: string, kind: ModelKind): Promise<GgufInspection> {
  if (kind === 'model') return inspectModel(filePath);
  const info = await inspectAdapter(filePath);
  checkAdapterFile(info);
  return info;
}

/** A file judged by its content (`general.type`), for an import: where it belongs, and checked as that. */
export async function classify(filePath: string): Promise<{ kind: ModelKind; info: GgufInspection }> {
  const info = await inspectGguf(filePath, 'model');
  if (info.type === 'adapter') {
    checkAdapterFile(info);
    return { kind: 'adapter', info };
  }
  return { kind: 'model', info: await inspectModel(filePath) };
}

export interface FoundFile {
  file: string;
  kind: ModelKind;
  /** The real file (a link inside the folder resolved). */
  path: string;
  sizeBytes: number;
  mtimeMs: number;
}

/** A `*.gguf` name in a folder that is not a file that can be read there (a link out of it, a folder). */
export interface UnreadableFile {
  file: string;
  kind: ModelKind;
  sizeBytes: number;
  error: XinglinError;
}

function lstatSize(file: string): number {
  try {
    return fs.lstatSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * The `*.gguf` names of the models folder and its `lora/`, with size and mtime; nothing is read.
 * Other names (the manifest, a README, an import's `.part` file) are not the registry's.
 */
export function findFiles(modelsDir: string): Array<FoundFile | UnreadableFile> {
  const found: Array<FoundFile | UnreadableFile> = [];
  for (const kind of ['model', 'adapter'] as const) {
    const dir = folderPath(modelsDir, kind);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!isGgufName(entry.name) || !(entry.isFile() || entry.isSymbolicLink() || entry.isDirectory())) continue;
      try {
        // The check a load makes: a link may point only inside the folder.
        const real = resolveModelPath(dir, entry.name);
        const stat = fs.statSync(real);
        if (!stat.isFile()) throw new XinglinError('MODEL_UNSUPPORTED', `${entry.name} 不是文件（是文件夹或特殊文件），无法作为模型使用`, { file: entry.name });
        found.push({ file: entry.name, kind, path: real, sizeBytes: stat.size, mtimeMs: stat.mtimeMs });
      } catch (cause) {
        const error = cause instanceof XinglinError ? cause : new XinglinError('MODEL_LOAD_FAILED', `无法读取 ${entry.name}：${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { file: entry.name });
        found.push({ file: entry.name, kind, sizeBytes: lstatSize(path.join(dir, entry.name)), error });
      }
    }
  }
  return found;
}
