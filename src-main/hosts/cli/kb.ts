import fs from 'node:fs';
import { KbCsvMapping, KbImportFormat, KbImportKind, MARK_END, MARK_START, XinglinError, type EventPayload, type KbImportReport, type KbSourceKind, type KbSourceStats } from '../../contract/index.js';
import { parse } from './args.js';
import { openCore } from './context.js';

export const kbUsage = `xinglin kb search <词> [--limit N] [--json]    搜索知识库（名称、别名、商品名、全文）
  xinglin kb stats [--json]                     知识库条目数（按类型、按来源）
  xinglin kb import <文件> [--format jsonl|csv|label] [--mapping map.json] [--dry-run] [--source <来源名>] [--kind hospital|label|guideline] [--json]
                                                导入（全部成功才写入；--dry-run 只检查；格式见 xinglin kb import --help）
  xinglin kb source <来源名> [--limit N] [--json] 查看一个来源及其条目
  xinglin kb remove <来源名> --yes              删除一个导入的来源（入门知识库不能删除）
  xinglin kb rollback <来源名>                  把来源回滚到上一次重新导入之前的版本`;

/** `xinglin kb import --help`: the formats, in short; docs/knowledge-import.md has them in full. */
export const kbImportHelp = `xinglin kb import <文件> [--format jsonl|csv|label] [--mapping map.json] [--dry-run] [--source <来源名>] [--kind hospital|label|guideline] [--json]

导入本院的知识。整个文件全部通过校验才写入：任何一行有错，知识库不做任何改动，并列出出错的行号与原因。
以同一来源名再次导入时，该来源的内容变为文件现在的内容：文件中已没有的条目，来自该来源的事实随之删除；
被替换的上一版本保留一份，可用 xinglin kb rollback <来源名> 回滚。

格式（--format）：
  jsonl  每行一个 JSON 对象（UTF-8），字段同入门知识库：
         {"type":"drug","name":"阿莫西林胶囊","aliases":["阿莫西林"],"indications":["社区获得性肺炎"],"contraindications":["青霉素类药物过敏史"]}
         {"type":"disease","name":"社区获得性肺炎","symptoms":["发热","咳嗽"],"drugs":["阿莫西林"]}
  csv    表格（首行为列名），另需列映射文件 --mapping map.json，说明每列对应的字段：
         {"type":"drug","columns":{"通用名":"name","适应症":"indications","禁忌":"contraindications"}}
         列表字段的单元格内用 ；、; 或 、 分隔。
  label  药品说明书，每行一个 JSON，章节名用说明书原文（适应症、禁忌、不良反应、用法用量、药物相互作用、注意事项、孕妇及哺乳期妇女用药、儿童用药、老年用药）：
         {"name":"利伐沙班片","aliases":["利伐沙班"],"label":{"适应症":"……","禁忌":"……"}}
         适应症拆为单个病症，限定语（人群、严重程度、病原、预防）写在病症旁的括号中；疗效依据与联合用药说明另存为“适应症说明”；原文保留供引用。

选项：
  --dry-run             只检查，不写入
  --source <来源名>     答案与引用中显示的来源名（默认按文件名）
  --kind <类别>         hospital（医院知识库）、label（药品说明书）或 guideline（临床指南）
  --json                以 JSON 输出报告

完整说明与示例文件：docs/knowledge-import.md。`;

export async function kb(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'search') return search(rest);
  if (sub === 'stats') return stats(rest);
  if (sub === 'import') return importFile(rest);
  if (sub === 'source') return showSource(rest);
  if (sub === 'remove') return removeSource(rest);
  if (sub === 'rollback') return rollbackSource(rest);
  throw new XinglinError('INVALID_INPUT', `未知的子命令：kb ${sub ?? ''}（可用：search、stats、import、source、remove、rollback）`);
}

function sourceLabel(positionals: string[], usage: string): string {
  const label = positionals.join(' ').trim();
  if (!label) throw new XinglinError('INVALID_INPUT', `缺少来源名。用法：${usage}（来源名见 xinglin kb stats）`);
  return label;
}

async function showSource(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { limit: { type: 'string' } });
  const label = sourceLabel(positionals, 'xinglin kb source <来源名>');
  const core = await openCore(values, 'cli');
  try {
    const detail = await core.api.kb.source({ label, ...(values.limit ? { limit: Number(values.limit) } : {}) });
    if (values.json) {
      console.log(JSON.stringify(detail));
      return 0;
    }
    console.log(describeSource(detail.source));
    if (detail.source.previous) console.log(`  可回滚到上一版本 ${detail.source.previous.version}（${new Date(detail.source.previous.importedAt).toISOString()}）`);
    for (const e of detail.entries) console.log(`  ${e.id}  ${e.type === 'drug' ? '药品' : '疾病'}  ${e.name}`);
    if (detail.more) console.log(`  ……另有 ${detail.more} 条`);
    return 0;
  } finally {
    await core.close();
  }
}

async function removeSource(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { yes: { type: 'boolean', default: false } });
  const label = sourceLabel(positionals, 'xinglin kb remove <来源名> --yes');
  if (!values.yes) throw new XinglinError('INVALID_INPUT', `删除来源“${label}”会删去它的全部事实，以及只由它提供的条目。确认请加 --yes`);
  const core = await openCore(values, 'cli');
  try {
    const result = await core.api.kb.removeSource({ label });
    console.log(values.json ? JSON.stringify(result) : `已删除来源“${result.label}”；${result.entriesRemoved} 条只由它提供的条目随之删除。`);
    return 0;
  } finally {
    await core.close();
  }
}

async function rollbackSource(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {});
  const label = sourceLabel(positionals, 'xinglin kb rollback <来源名>');
  const core = await openCore(values, 'cli');
  try {
    const source = await core.api.kb.rollbackSource({ label });
    console.log(values.json ? JSON.stringify(source) : `已回滚。${describeSource(source)}`);
    return 0;
  } finally {
    await core.close();
  }
}

function describeSource(src: KbSourceStats): string {
  return `${src.label}（${KIND_LABELS[src.kind]}，${src.format}，版本 ${src.version}，${new Date(src.importedAt).toISOString()}）：${src.entries} 条，${src.facts} 项事实`;
}

async function search(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { limit: { type: 'string' } });
  const query = positionals.join(' ').trim();
  if (!query) throw new XinglinError('INVALID_INPUT', '缺少搜索词。用法：xinglin kb search <词>');
  const core = await openCore(values, 'cli');
  try {
    const hits = await core.api.kb.search({ query, ...(values.limit ? { limit: Number(values.limit) } : {}) });
    if (values.json) console.log(JSON.stringify(hits));
    else if (hits.length === 0) console.log('知识库中没有找到匹配的条目。');
    else for (const h of hits) console.log(`${h.id}  ${h.type === 'drug' ? '药品' : '疾病'}  ${h.name}  （${h.matchedBy}）${h.snippet ? `  ${plain(h.snippet)}` : ''}`);
    return 0;
  } finally {
    await core.close();
  }
}

async function stats(args: string[]): Promise<number> {
  const { values } = parse(args, {});
  const core = await openCore(values, 'cli');
  try {
    const s = await core.api.kb.stats();
    if (values.json) {
      console.log(JSON.stringify(s));
      return 0;
    }
    console.log(`共 ${s.entries} 条：药品 ${s.byType.drug}，疾病 ${s.byType.disease}`);
    for (const src of s.sources) console.log(`  ${describeSource(src)}`);
    return 0;
  } finally {
    await core.close();
  }
}

async function importFile(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    format: { type: 'string', default: 'jsonl' },
    mapping: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    source: { type: 'string' },
    kind: { type: 'string' },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new XinglinError('INVALID_INPUT', '需要一个要导入的文件。用法：xinglin kb import <文件> [--format jsonl|csv|label]');
  const format = KbImportFormat.safeParse(values.format);
  if (!format.success) throw new XinglinError('INVALID_INPUT', `--format 只能是 jsonl、csv 或 label，收到“${values.format}”`);
  const kind = KbImportKind.optional().safeParse(values.kind);
  if (!kind.success) throw new XinglinError('INVALID_INPUT', `--kind 只能是 hospital、label 或 guideline，收到“${values.kind}”`);
  const mapping = values.mapping === undefined ? undefined : readMapping(values.mapping);

  const core = await openCore(values, 'cli');
  const tty = process.stderr.isTTY && !values.json;
  const unsubscribe = core.subscribe((event, payload) => {
    if (event !== 'job.progress' || !tty) return;
    const job = payload as EventPayload<'job.progress'>;
    if (job.kind !== 'kb.import' || job.state !== 'running') return;
    process.stderr.write(`\r${job.phase === 'index' ? '更新索引' : '读取并校验'} ${Math.floor(job.progress * 100)}%   `);
  });
  try {
    // A local user names the file: the CLI registers it and imports it by its handle, like any host.
    const report = await core.api.kb.import({ file: core.files.register(file).file, format: format.data, dryRun: values['dry-run'], ...(mapping ? { mapping } : {}), ...(values.source ? { source: values.source } : {}), ...(kind.data ? { kind: kind.data } : {}) });
    if (tty) process.stderr.write('\n');
    if (values.json) console.log(JSON.stringify(report));
    else printReport(report);
    return report.errors.length > 0 ? 1 : 0;
  } finally {
    unsubscribe();
    await core.close();
  }
}

function readMapping(file: string): KbCsvMapping {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new XinglinError('INVALID_INPUT', `读不到列映射文件：${file}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new XinglinError('INVALID_INPUT', `列映射文件不是有效的 JSON：${file}（${(cause as Error).message}）`);
  }
  const mapping = KbCsvMapping.safeParse(value);
  if (!mapping.success) throw new XinglinError('INVALID_INPUT', `列映射文件格式有误：${file}。应为 {"type":"drug","columns":{"列名":"字段名"}}`);
  return mapping.data;
}

function printReport(r: KbImportReport): void {
  const counts = `${r.total} 条：新增 ${r.added}，更新 ${r.updated}，未变 ${r.unchanged}${r.removed ? `；文件中已没有的 ${r.removed} 条，来自该来源的事实已删除` : ''}`;
  if (r.errors.length > 0) {
    console.error(`导入失败，知识库未做任何改动（来源：${r.source}）。发现 ${r.errors.length + r.moreErrors} 处错误：`);
    for (const e of r.errors) console.error(`  ${e.message}`);
    if (r.moreErrors) console.error(`  ……另有 ${r.moreErrors} 处错误未列出`);
    return;
  }
  console.log(r.dryRun ? `检查通过（未写入）。若导入，${counts}。来源：${r.source}` : `导入完成，${counts}。来源：${r.source}`);
}

const KIND_LABELS: Record<KbSourceKind, string> = { starter: '入门知识库', hospital: '医院知识库', label: '药品说明书', guideline: '临床指南' };

/** Search snippets mark matches with control characters; the terminal shows them as【】. */
function plain(snippet: string): string {
  return snippet.replaceAll(MARK_START, '【').replaceAll(MARK_END, '】');
}
