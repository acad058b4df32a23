import fs from 'node:fs';
import { DatasetFormat, KB_FIELD_LABELS, KbField, XinglinError, type MethodOutput } from '../../contract/index.js';
import { number, parse, positiveInt } from './args.js';
import { openCore } from './context.js';
import { followJob } from './follow-job.js';

export const datasetUsage = `xinglin dataset build --out <文件.jsonl> [--format alpaca|sharegpt] [--templates <模板.json>] [--split 0.9] [--seed N]
                     [--qa <问答.jsonl>] [--names <姓名表.txt>] [--records] [--json]
                                                用知识库生成指令数据（训练集写入 --out，测试集写入同名的 .test.jsonl）`;

const MAX_SEED = 2 ** 32 - 1;

export async function dataset(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'build') return build(rest);
  throw new XinglinError('INVALID_INPUT', `未知的子命令：dataset ${sub ?? ''}（可用：build）。用法：${datasetUsage}`);
}

async function build(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    out: { type: 'string' },
    format: { type: 'string', default: 'alpaca' },
    templates: { type: 'string' },
    split: { type: 'string' },
    seed: { type: 'string' },
    qa: { type: 'string' },
    names: { type: 'string' },
    records: { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new XinglinError('INVALID_INPUT', `dataset build 不接受参数“${positionals.join(' ')}”。用法：${datasetUsage}`);
  if (!values.out) throw new XinglinError('INVALID_INPUT', `缺少 --out（训练集写到哪个文件）。用法：${datasetUsage}`);
  const format = DatasetFormat.safeParse(values.format);
  if (!format.success) throw new XinglinError('INVALID_INPUT', `--format 只能是 alpaca 或 sharegpt，收到“${values.format}”`);
  const split = number(values.split, '--split');
  if (split !== undefined && (split < 0.5 || split > 1)) throw new XinglinError('INVALID_INPUT', `--split 是训练集所占的比例，应在 0.5 到 1 之间，收到“${values.split}”`);
  const seed = positiveInt(values.seed, '--seed');
  if (seed !== undefined && seed > MAX_SEED) throw new XinglinError('INVALID_INPUT', `--seed 最大为 ${MAX_SEED}，收到“${values.seed}”`);
  const paths = { train: values.out, test: testPath(values.out) };

  const core = await openCore(values, 'cli');
  const stop = followJob(core, 'dataset.build', !values.json, () => '生成指令数据');
  try {
    // Files named on the command line are registered as handles, as any host passes a chosen file.
    const handle = (file: string | undefined) => (file === undefined ? undefined : core.files.register(file).file);
    const result = await core.api.dataset.build({
      format: format.data,
      records: values.records,
      ...(split === undefined ? {} : { split }),
      ...(seed === undefined ? {} : { seed }),
      ...optional('templates', handle(values.templates)),
      ...optional('qa', handle(values.qa)),
      ...optional('names', handle(values.names)),
    });
    stop();
    // With everything for training (--split 1) there is no test file to write.
    const testFile = result.test.count > 0 ? paths.test : null;
    writeAll([[paths.train, result.train.content], ...(testFile ? [[testFile, result.test.content] as [string, string]] : [])]);
    const summary = {
      train: { path: paths.train, count: result.train.count },
      test: { path: testFile, count: result.test.count },
      counts: result.counts,
      duplicatesRemoved: result.duplicatesRemoved,
      redactions: result.redactions,
    };
    console.log(values.json ? JSON.stringify(summary) : report(result, paths.train, testFile));
    return 0;
  } finally {
    stop();
    await core.close();
  }
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/** `train.jsonl` → `train.test.jsonl`. */
function testPath(out: string): string {
  return `${out.replace(/\.jsonl$/iu, '')}.test.jsonl`;
}

/** Every file written beside its target first, then renamed over it: a failure leaves no file half-written. */
function writeAll(files: Array<[string, string]>): void {
  const temps: string[] = [];
  try {
    for (const [target, content] of files) {
      const temp = `${target}.${process.pid}.tmp`;
      temps.push(temp);
      fs.writeFileSync(temp, content, { mode: 0o600 });
    }
    files.forEach(([target], i) => fs.renameSync(temps[i]!, target));
  } catch (cause) {
    for (const temp of temps) fs.rmSync(temp, { force: true });
    throw new XinglinError('INVALID_INPUT', `无法写入 ${files.map(([target]) => target).join('、')}：${(cause as Error).message}`);
  }
}

/** `kb:drug:indications` → 药品·适应症; the pairs and records by their own names. */
function templateLabel(id: string): string {
  if (id === 'qa') return '问答对';
  if (id === 'records') return '已签名病历';
  const [, kind, field] = id.split(':');
  const known = KbField.safeParse(field);
  return `${kind === 'drug' ? '药品' : '疾病'}·${known.success ? KB_FIELD_LABELS[known.data] : field}`;
}

function report(result: MethodOutput<'dataset.build'>, trainFile: string, testFile: string | null): string {
  const lines = [
    `训练集：${result.train.count} 条，已写入 ${trainFile}`,
    testFile ? `测试集：${result.test.count} 条，已写入 ${testFile}` : '测试集：0 条（全部用于训练），未写出测试集文件',
    '各模板条数（去重后）：',
    ...Object.entries(result.counts).map(([id, count]) => `  ${templateLabel(id)}（${id}）  ${count}`),
    `去除重复：${result.duplicatesRemoved} 条`,
    `去除身份信息：${result.redactions} 处（电话、身份证号、姓名表中的姓名）`,
  ];
  return lines.join('\n');
}
