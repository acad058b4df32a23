import fs from 'node:fs';
import path from 'node:path';
import { ModelKind, XinglinError, type InvalidModelFile, type Job, type MethodOutput, type ModelEntry, type ProfilesState, type VerifyResult } from '../../contract/index.js';
import type { Core } from '../../core/core.js';
import { parse } from './args.js';
import { openCore } from './context.js';
import { followJob } from './follow-job.js';

export const modelsUsage = `xinglin models list [--json]                  列出模型文件夹（先打印其路径）中的基础模型、适配器与无法使用的文件
  xinglin models import <文件|目录>… [--json]   把 GGUF 文件复制进模型文件夹（适配器放入 lora/），计算 sha256；目录导入其中的 *.gguf 与 lora/*.gguf
  xinglin models verify [文件] [--kind model|adapter] [--json]
                                                重新计算 sha256，报告登记后被改动或丢失的文件
  xinglin models remove <文件> [--kind model|adapter] --yes
                                                从模型文件夹删除一个文件及其登记
  xinglin models profiles [--json]              列出模型配置（只读）`;

/** The most files one `models.import` call takes (the contract's limit). */
const IMPORT_BATCH = 32;

export async function models(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'list') return list(rest);
  if (sub === 'import') return importFiles(rest);
  if (sub === 'verify') return verify(rest);
  if (sub === 'remove') return remove(rest);
  if (sub === 'profiles') return profiles(rest);
  throw new XinglinError('INVALID_INPUT', `未知的子命令：models ${sub ?? ''}（可用：list、import、verify、remove、profiles）`);
}

function kindFlag(value: string | undefined): ModelKind | undefined {
  if (value === undefined) return undefined;
  const kind = ModelKind.safeParse(value);
  if (!kind.success) throw new XinglinError('INVALID_INPUT', `--kind 只能是 model（基础模型）或 adapter（适配器），收到“${value}”`);
  return kind.data;
}

const KIND_NAMES: Record<ModelKind, string> = { model: '基础模型', adapter: '适配器' };

// ——— output ———

/** Columns line up in a terminal where a Chinese character takes two cells. */
function cells(text: string): number {
  let width = 0;
  for (const char of text) width += /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/u.test(char) ? 2 : 1;
  return width;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(cells(h), ...rows.map((row) => cells(row[i] ?? ''))));
  const line = (row: string[]) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - cells(cell)))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

export function formatSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function note(entry: ModelEntry): string {
  const m = entry.metadata;
  if (entry.kind === 'adapter') return [m.loraAlpha !== null ? `alpha ${m.loraAlpha}` : '', m.baseModel ? `基于 ${m.baseModel}` : ''].filter(Boolean).join('，');
  return m.chatTemplate ? '自带对话模板' : '';
}

function entryRow(entry: ModelEntry): string[] {
  const m = entry.metadata;
  return [
    entry.file,
    KIND_NAMES[entry.kind],
    m.architecture || '—',
    m.sizeLabel ?? '—',
    m.quantization ?? '—',
    m.contextLength !== null ? String(m.contextLength) : '—',
    formatSize(entry.sizeBytes),
    entry.sha256 ? entry.sha256.slice(0, 12) : '未计算',
    note(entry),
  ];
}

const ENTRY_HEADER = ['文件', '类型', '架构', '参数量', '量化', '上下文', '大小', 'sha256 前 12 位', '备注'];

function printInvalid(invalid: readonly InvalidModelFile[]): void {
  if (invalid.length === 0) return;
  console.log(`\n无法使用的文件（${invalid.length} 个，不会出现在模型列表中）：`);
  for (const file of invalid) console.log(`  ${file.folder === 'lora' ? 'lora/' : ''}${file.file}（${formatSize(file.sizeBytes)}）[${file.error.code}] ${file.error.message}`);
}

// ——— progress and Ctrl+C ———

/** What an import or verify job is doing, to which file. */
const fileStep = (job: Job): string => `${job.phase === 'hash' ? '校验' : job.phase === 'inspect' ? '检查' : '复制'} ${job.detail ?? job.subject}`;

// ——— commands ———

async function list(args: string[]): Promise<number> {
  const { values } = parse(args, {});
  const core = await openCore(values, 'cli');
  try {
    const listed = await core.api.models.list();
    if (values.json) {
      console.log(JSON.stringify(listed));
      return 0;
    }
    console.log(`模型文件夹：${listed.modelsDir}`);
    const entries = [...listed.models, ...listed.adapters];
    if (entries.length === 0) console.log(`\n还没有可用的模型。用 xinglin models import <文件> 导入 GGUF 基础模型与 LoRA 适配器（适配器放在 ${path.join(listed.modelsDir, 'lora')}）。`);
    else console.log(`\n${table(ENTRY_HEADER, entries.map(entryRow))}`);
    printInvalid(listed.invalid);
    return 0;
  } finally {
    await core.close();
  }
}

/** The files a command line names: a file as given, a folder's `*.gguf` and its `lora/*.gguf`. */
export function expandImportPaths(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const given of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(given);
    } catch {
      throw new XinglinError('NOT_FOUND', `找不到文件或目录：${given}`, { file: given });
    }
    if (!stat.isDirectory()) {
      files.push(path.resolve(given));
      continue;
    }
    const found = [given, path.join(given, 'lora')].flatMap((dir) => {
      try {
        return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.gguf')).map((e) => path.resolve(dir, e.name)).sort();
      } catch {
        return [];
      }
    });
    if (found.length === 0) throw new XinglinError('INVALID_INPUT', `目录 ${given} 及其 lora/ 中没有 .gguf 文件`, { dir: given });
    files.push(...found);
  }
  return files;
}

async function importFiles(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {});
  if (positionals.length === 0) throw new XinglinError('INVALID_INPUT', '需要要导入的文件或目录。用法：xinglin models import <文件|目录>…');
  const files = expandImportPaths(positionals);
  const core = await openCore(values, 'cli');
  const stop = followJob(core, 'models.import', !values.json, fileStep);
  try {
    const result: MethodOutput<'models.import'> = { imported: [], refused: [] };
    for (let i = 0; i < files.length; i += IMPORT_BATCH) {
      const handles = files.slice(i, i + IMPORT_BATCH).map((file) => core.files.register(file).file);
      const batch = await core.api.models.import({ files: handles });
      result.imported.push(...batch.imported);
      result.refused.push(...batch.refused);
    }
    stop();
    if (values.json) {
      console.log(JSON.stringify(result));
    } else {
      for (const entry of result.imported) {
        console.log(`已导入 ${entry.file}：${KIND_NAMES[entry.kind]}，${entry.metadata.architecture}${entry.metadata.sizeLabel ? ` ${entry.metadata.sizeLabel}` : ''}，${formatSize(entry.sizeBytes)}，sha256 ${entry.sha256 ?? ''}`);
      }
      for (const refusal of result.refused) console.error(`未导入 ${refusal.name}：[${refusal.error.code}] ${refusal.error.message}`);
      console.log(`共 ${files.length} 个文件：导入 ${result.imported.length} 个，未导入 ${result.refused.length} 个。模型文件夹：${core.config.modelsDir}`);
    }
    return result.refused.length > 0 ? 1 : 0;
  } finally {
    stop();
    await core.close();
  }
}

const STATE_NAMES: Record<VerifyResult['state'], string> = { ok: '一致', changed: '已改变', missing: '缺失', new: '首次记录' };

function describeResult(result: VerifyResult): string {
  const name = `${result.kind === 'adapter' ? 'lora/' : ''}${result.file}`;
  if (result.state === 'ok') return `${STATE_NAMES.ok}    ${name}  sha256 ${result.actual?.slice(0, 12)}`;
  if (result.state === 'new') return `${STATE_NAMES.new}  ${name}  sha256 ${result.actual}（此前没有记录，现已记录）`;
  if (result.state === 'missing') return `${STATE_NAMES.missing}    ${name}  已登记，但文件不在模型文件夹中`;
  return `${STATE_NAMES.changed}  ${name}  登记的 sha256 ${result.expected}，现在为 ${result.actual}`;
}

async function verify(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { kind: { type: 'string' } });
  if (positionals.length > 1) throw new XinglinError('INVALID_INPUT', '一次只能校验一个文件（不写文件名则校验全部）。用法：xinglin models verify [文件]');
  const kind = kindFlag(values.kind);
  const core = await openCore(values, 'cli');
  const stop = followJob(core, 'models.verify', !values.json, fileStep);
  try {
    const results = await core.api.models.verify({ ...(positionals[0] ? { file: positionals[0] } : {}), ...(kind ? { kind } : {}) });
    stop();
    const troubled = results.filter((r) => r.state === 'changed' || r.state === 'missing');
    if (values.json) {
      console.log(JSON.stringify(results));
      return troubled.length > 0 ? 1 : 0;
    }
    if (results.length === 0) console.log('模型文件夹中没有登记的文件。');
    for (const result of results) console.log(describeResult(result));
    if (results.some((r) => r.state === 'changed')) {
      console.log('\n有文件与登记时的内容不同。以哪一份为准由管理员决定：确认现在的文件可信，就删除后重新导入（xinglin models remove，再 import）；否则用原来的文件替换它。');
    }
    if (results.some((r) => r.state === 'missing')) console.log('缺失的文件可放回模型文件夹，或用 xinglin models remove 删除其登记。');
    return troubled.length > 0 ? 1 : 0;
  } finally {
    stop();
    await core.close();
  }
}

/** Without --kind: where the file is (a base model, an adapter, or an unusable file in either folder). */
function kindOf(listed: MethodOutput<'models.list'>, file: string): ModelKind {
  const kinds = new Set<ModelKind>([
    ...listed.models.filter((e) => e.file === file).map(() => 'model' as const),
    ...listed.adapters.filter((e) => e.file === file).map(() => 'adapter' as const),
    ...listed.invalid.filter((e) => e.file === file).map((e) => (e.folder === 'lora' ? ('adapter' as const) : ('model' as const))),
  ]);
  if (kinds.size > 1) throw new XinglinError('INVALID_INPUT', `模型文件夹与 lora/ 中都有 ${file}：请用 --kind model 或 --kind adapter 指定删除哪一个`, { file });
  return [...kinds][0] ?? 'model';
}

async function remove(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { kind: { type: 'string' }, yes: { type: 'boolean', default: false } });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new XinglinError('INVALID_INPUT', '需要一个要删除的文件名。用法：xinglin models remove <文件> [--kind model|adapter] --yes');
  const given = kindFlag(values.kind);
  const core = await openCore(values, 'cli');
  try {
    const kind = given ?? kindOf(await core.api.models.list(), file);
    if (!values.yes) throw new XinglinError('INVALID_INPUT', `将从模型文件夹删除${KIND_NAMES[kind]} ${file}（文件本身，无法恢复）。确认请加 --yes`, { file });
    const result = await core.api.models.remove({ file, kind });
    console.log(values.json ? JSON.stringify(result) : `已删除${KIND_NAMES[kind]} ${file} 及其登记。`);
    return 0;
  } finally {
    await core.close();
  }
}

function describeProfile(profile: ProfilesState['profiles'][number], last: boolean): string {
  const { backend } = profile;
  const runs = backend.kind === 'local'
    ? `本地 ${backend.model}${backend.adapters.length > 0 ? ` + ${backend.adapters.map((a) => `${a.file}×${a.scale}`).join('、')}` : ''}`
    : `远程 ${backend.baseUrl}（${backend.model}）`;
  return `${last ? '*' : ' '} ${profile.id}  ${profile.name}  ${runs}  模板 ${profile.template.kind}  上下文 ${profile.contextSize}`;
}

async function profiles(args: string[]): Promise<number> {
  const { values } = parse(args, {});
  const core = await openCore(values, 'cli');
  try {
    const state = await core.api.profiles.list();
    if (values.json) {
      console.log(JSON.stringify(state));
      return 0;
    }
    if (state.profiles.length === 0) console.log('还没有模型配置（在“模型”页创建）。');
    for (const profile of state.profiles) console.log(describeProfile(profile, profile.id === state.lastProfileId));
    console.log(`\n启动时自动加载上次的配置：${state.autoLoad ? '开' : '关'}${state.lastProfileId ? `（上次：${state.lastProfileId}，标 *）` : ''}`);
    console.log(`可用的预设：${state.presets.map((p) => `${p.id}（${p.name}）`).join('、') || '无'}`);
    return 0;
  } finally {
    await core.close();
  }
}
