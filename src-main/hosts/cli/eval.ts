import fs from 'node:fs';
import path from 'node:path';
import { CRITERIA_KINDS, CriteriaKind, EvalImportFormat, MAX_EVAL_TARGETS, XinglinError, type EvalReportFormat, type EvalRunSummary, type EvalScores, type EvalTarget, type Rate } from '../../contract/index.js';
import type { Core } from '../../core/core.js';
import { parse, positiveInt } from './args.js';
import { openCore } from './context.js';
import { followJob } from './follow-job.js';

export const evalUsage = `xinglin eval make --kind <题型>[,<题型>…] [--sample N] [--seed S] [--held-out <比例>:<种子>] [--name 名称] [--out 文件.jsonl] [--json]
                                                用 QiZhen 的模板从知识库生成三标准评测集（题型：${CRITERIA_KINDS.join('、')}）；
                                                --held-out 0.9:1 只从 dataset build --split 0.9 --seed 1 留作测试的条目出题
  xinglin eval run --set <文件|评测集id> (--profile <配置名|id>… | --mode knowledge) [--format auto|jsonl|cmexam|cmb]
                   [--sequential] [--name 名称] [--json] [--out 目录]
                                                运行评测（最多 ${MAX_EVAL_TARGETS} 个对象），按三标准或选择题评分；--out 写出 HTML、CSV、JSON 报告
  xinglin eval runs [--json]                    列出评测记录
  xinglin eval resume <评测id> [--sequential] [--json] [--out 目录]
                                                继续中断的评测（已评分的病例不再重复）
  xinglin eval report <评测id> --out <目录>        写出 HTML、CSV、JSON 报告`;

const REPORT_FORMATS: EvalReportFormat[] = ['html', 'csv', 'json'];

export async function evaluate(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'make') return make(rest);
  if (sub === 'run') return run(rest);
  if (sub === 'runs') return runs(rest);
  if (sub === 'resume') return resume(rest);
  if (sub === 'report') return report(rest);
  throw new XinglinError('INVALID_INPUT', `未知的子命令：eval ${sub ?? ''}（可用：make、run、runs、resume、report）`);
}

async function make(args: string[]): Promise<number> {
  const { values } = parse(args, { kind: { type: 'string', multiple: true }, sample: { type: 'string' }, seed: { type: 'string' }, 'held-out': { type: 'string' }, name: { type: 'string' }, out: { type: 'string' } });
  const kinds = (values.kind ?? []).flatMap((k) => k.split(',')).map((k) => k.trim()).filter(Boolean);
  if (!kinds.length) throw new XinglinError('INVALID_INPUT', `缺少 --kind。用法：${evalUsage}`);
  for (const kind of kinds) if (!CriteriaKind.safeParse(kind).success) throw new XinglinError('INVALID_INPUT', `--kind 只能是 ${CRITERIA_KINDS.join('、')}，收到“${kind}”`);
  const sample = positiveInt(values.sample, '--sample') ?? 100;
  const seed = positiveInt(values.seed, '--seed') ?? 1;
  const heldOutOf = heldOut(values['held-out']);
  const core = await openCore(values, 'cli');
  try {
    const set = await core.api.eval.makeSet({ kinds: kinds as CriteriaKind[], sample, seed, ...(values.name ? { name: values.name } : {}), ...(heldOutOf ? { heldOutOf } : {}) });
    if (values.out) writeFileAtomic(values.out, (await core.api.eval.exportSet({ id: set.id })).content);
    if (values.json) console.log(JSON.stringify({ ...set, file: values.out ?? null }));
    else console.log(`已生成评测集「${set.name}」（id ${set.id}）：${set.caseCount} 个病例\n${set.detail}${values.out ? `\n已写入 ${values.out}` : ''}`);
    return 0;
  } finally {
    await core.close();
  }
}

/** `--held-out 0.9:1`: the split and seed of the instruction-data build whose held-out entries to ask about. */
function heldOut(value: string | undefined): { split: number; seed: number } | undefined {
  if (value === undefined) return undefined;
  const match = /^(0\.\d+|1(?:\.0+)?):(\d+)$/u.exec(value);
  const split = Number(match?.[1]);
  if (!match || split < 0.5) throw new XinglinError('INVALID_INPUT', `--held-out 需要“训练比例:种子”（比例 0.5–1，与 dataset build 的 --split、--seed 相同），收到“${value}”`);
  return { split, seed: Number(match[2]) };
}

async function run(args: string[]): Promise<number> {
  const { values } = parse(args, {
    set: { type: 'string' },
    profile: { type: 'string', multiple: true },
    mode: { type: 'string' },
    format: { type: 'string', default: 'auto' },
    sequential: { type: 'boolean', default: false },
    name: { type: 'string' },
    out: { type: 'string' },
  });
  if (!values.set) throw new XinglinError('INVALID_INPUT', `缺少 --set。用法：${evalUsage}`);
  if (values.mode !== undefined && values.mode !== 'knowledge') throw new XinglinError('INVALID_INPUT', `--mode 只能是 knowledge（知识库模式），收到“${values.mode}”`);
  const format = EvalImportFormat.safeParse(values.format);
  if (!format.success) throw new XinglinError('INVALID_INPUT', `--format 只能是 ${EvalImportFormat.options.join('、')}，收到“${values.format}”`);
  const profiles = values.profile ?? [];
  if (!profiles.length && !values.mode) throw new XinglinError('INVALID_INPUT', `请用 --profile 指定模型配置，或用 --mode knowledge 评测知识库模式。用法：${evalUsage}`);
  const core = await openCore(values, 'cli');
  try {
    const setId = await setOf(core, values.set, format.data);
    const targets: EvalTarget[] = [...(values.mode ? [{ kind: 'knowledge' as const }] : []), ...(await profileTargets(core, profiles))];
    const started = await core.api.eval.start({ setId, targets, parallel: !values.sequential, ...(values.name ? { name: values.name } : {}) });
    return await finish(core, started, values);
  } finally {
    await core.close();
  }
}

async function resume(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { sequential: { type: 'boolean', default: false }, out: { type: 'string' } });
  const [id] = positionals;
  if (!id) throw new XinglinError('INVALID_INPUT', `缺少评测 id。用法：${evalUsage}`);
  const core = await openCore(values, 'cli');
  try {
    const before = await core.api.eval.run({ id });
    await loadFirstLocal(core, before.targets.map((t) => t.target));
    return await finish(core, await core.api.eval.resume({ id, parallel: !values.sequential }), values);
  } finally {
    await core.close();
  }
}

async function runs(args: string[]): Promise<number> {
  const { values } = parse(args, {});
  const core = await openCore(values, 'cli');
  try {
    const list = await core.api.eval.runs();
    if (values.json) console.log(JSON.stringify(list));
    else console.log(list.length ? list.map(describeRun).join('\n\n') : '还没有评测记录');
    return 0;
  } finally {
    await core.close();
  }
}

async function report(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { out: { type: 'string' } });
  const [id] = positionals;
  if (!id || !values.out) throw new XinglinError('INVALID_INPUT', `需要评测 id 和 --out 目录。用法：${evalUsage}`);
  const core = await openCore(values, 'cli');
  try {
    for (const file of await writeReports(core, id, values.out)) console.log(`已写入 ${file}`);
    return 0;
  } finally {
    await core.close();
  }
}

/** A set id the database knows, or a file imported as a new set. */
async function setOf(core: Core, given: string, format: EvalImportFormat): Promise<string> {
  if (!fs.existsSync(given)) {
    const known = (await core.api.eval.sets()).find((s) => s.id === given);
    if (known) return known.id;
    throw new XinglinError('INVALID_INPUT', `--set 既不是存在的文件，也不是已有评测集的 id：${given}`);
  }
  const set = await core.api.eval.importSet({ file: core.files.register(given).file, format });
  console.error(`已导入评测集「${set.name}」：${set.caseCount} 个病例`);
  return set.id;
}

/** Profiles named by id or name; the first local one's base is loaded (a one-shot command starts with none). */
async function profileTargets(core: Core, names: readonly string[]): Promise<EvalTarget[]> {
  const { profiles } = await core.api.profiles.list();
  const targets = names.map((name): EvalTarget => {
    const profile = profiles.find((p) => p.id === name) ?? profiles.find((p) => p.name === name);
    if (!profile) throw new XinglinError('INVALID_INPUT', `找不到模型配置“${name}”（有：${profiles.map((p) => p.name).join('、') || '无，请先在模型页新建配置'}）`);
    return { kind: 'profile', profileId: profile.id };
  });
  await loadFirstLocal(core, targets);
  return targets;
}

async function loadFirstLocal(core: Core, targets: readonly EvalTarget[]): Promise<void> {
  const { profiles } = await core.api.profiles.list();
  const local = targets.map((t) => (t.kind === 'profile' ? profiles.find((p) => p.id === t.profileId) : undefined)).find((p) => p?.backend.kind === 'local');
  if (!local) return;
  console.error(`加载配置「${local.name}」的模型……`);
  await core.api.profiles.use({ id: local.id });
}

/** Follows the run to its end (Ctrl+C cancels it, leaving it to resume), then prints the scores and writes the reports. */
async function finish(core: Core, started: EvalRunSummary, values: { json: boolean; out?: string | undefined }): Promise<number> {
  const ended = new Promise<EvalRunSummary>((resolve) => {
    const off = core.api.on('eval.run', ({ run }) => {
      if (run.id !== started.id || run.state === 'running') return;
      off();
      resolve(run);
    });
  });
  const stop = followJob(core, 'eval.run', !values.json, (job) => `评测 ${job.detail ?? job.subject}`);
  let summary: EvalRunSummary;
  try {
    summary = await ended;
  } finally {
    stop();
  }
  const files = values.out ? await writeReports(core, summary.id, values.out) : [];
  if (values.json) console.log(JSON.stringify({ ...summary, reports: files }));
  else console.log([describeRun(summary), ...files.map((file) => `已写入 ${file}`)].join('\n'));
  return summary.state === 'done' ? 0 : 1;
}

async function writeReports(core: Core, id: string, dir: string): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const format of REPORT_FORMATS) {
    const { fileName, content } = await core.api.eval.report({ id, format });
    const file = path.join(dir, fileName);
    writeFileAtomic(file, content);
    written.push(file);
  }
  return written;
}

function writeFileAtomic(file: string, content: string): void {
  const temp = `${file}.${process.pid}.part`;
  fs.writeFileSync(temp, content);
  fs.renameSync(temp, file);
}

const STATE_NAMES: Record<EvalRunSummary['state'], string> = { running: '进行中', done: '已完成', interrupted: '已中断（可用 eval resume 继续）', failed: '未完成（出错，可用 eval resume 继续）' };

const percent = (rate: Rate | null): string => (rate ? `${(rate.rate * 100).toFixed(1)}%（95% CI ${(rate.low * 100).toFixed(1)}–${(rate.high * 100).toFixed(1)}，n=${rate.n}）` : '—');

function scoreLines(scores: EvalScores): string[] {
  if (scores.correct) return [`    正确率 ${percent(scores.correct)}`];
  return [`    命中≥1 项 ${percent(scores.any)}`, `    命中≥1/2 ${percent(scores.half)}`, `    命中≥2/3 ${percent(scores.twoThirds)}`];
}

function describeRun(run: EvalRunSummary): string {
  const lines = [`评测「${run.name}」（id ${run.id}）：${STATE_NAMES[run.state]}`];
  if (run.error) lines.push(`  错误：${run.error.message}`);
  for (const target of run.targets) {
    lines.push(`  ${target.label}：已答 ${target.done + target.failed}/${target.total}${target.failed ? `（${target.failed} 个出错，计为未命中）` : ''}`, ...scoreLines(target.auto));
    if (target.reviewedCases) lines.push(`    医生复核 ${target.reviewedCases} 例（${target.reviewers.join('、')}）后：`, ...scoreLines(target.reviewed));
  }
  return lines.join('\n');
}
