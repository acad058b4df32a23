import fs from 'node:fs';
import { KbCsvMapping, KbImportFormat, KbImportKind, XinglinError, type EventPayload, type KbImportReport, type KbSourceKind } from '../../contract/index.js';
import { MARK_END, MARK_START } from '../../core/store/index.js';
import { parse } from './args.js';
import { openCore } from './context.js';

export const kbUsage = `xinglin kb search <词> [--limit N] [--json]    搜索知识库（名称、别名、商品名、全文）
  xinglin kb stats [--json]                     知识库条目数（按类型、按来源）
  xinglin kb import <文件> [--format jsonl|csv|label] [--mapping map.json] [--dry-run] [--source <来源名>] [--kind hospital|label|guideline] [--json]
                                                导入（全部成功才写入；--dry-run 只检查）`;

export async function kb(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'search') return search(rest);
  if (sub === 'stats') return stats(rest);
  if (sub === 'import') return importFile(rest);
  throw new XinglinError('INVALID_INPUT', `未知的子命令：kb ${sub ?? ''}（可用：search、stats、import）`);
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
    for (const src of s.sources) {
      console.log(`  ${src.label}（${KIND_LABELS[src.kind]}，${src.format}，版本 ${src.version}，${new Date(src.importedAt).toISOString()}）：${src.entries} 条，${src.facts} 项事实`);
    }
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
    if (event !== 'kb.progress' || !tty) return;
    const p = payload as EventPayload<'kb.progress'>;
    const percent = p.total ? Math.floor((p.done / p.total) * 100) : 100;
    process.stderr.write(`\r${p.phase === 'read' ? '读取并校验' : '更新索引'} ${percent}%   `);
  });
  try {
    const report = await core.api.kb.import({ path: file, format: format.data, dryRun: values['dry-run'], ...(mapping ? { mapping } : {}), ...(values.source ? { source: values.source } : {}), ...(kind.data ? { kind: kind.data } : {}) });
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
  const counts = `${r.total} 条：新增 ${r.added}，更新 ${r.updated}，未变 ${r.unchanged}`;
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
