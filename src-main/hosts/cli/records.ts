import fs from 'node:fs';
import os from 'node:os';
import { ExportFormat, MAX_DIALOGUE_CHARS, RecordKind, XinglinError, type MedicalRecord } from '../../contract/index.js';
import { parse } from './args.js';
import { openCore } from './context.js';
import { answerJsonLines } from './json-lines.js';
import { loadRequest, modelFolder } from './model-flags.js';

export const extractUsage = 'xinglin extract --input dialogues.jsonl --json    每行 {"id","utterances":["患者:…","医生:…"]}，每行输出 {"id","findings":[…]}';
export const draftUsage = `xinglin draft --input dialogue.json [--kind 初诊|复诊] [--template <id>] [--doctor <姓名>] [--model <文件>] [--json]
                                       从问诊对话起草门诊病历并保存（文件为对话文本、字符串数组或 {"utterances":[…]}）`;
export const recordsUsage = 'xinglin records list|show <id>|export <id> --format text|md|fhir [--json]   病历：列出、查看、导出';

/** A dialogue file is a few kilobytes; anything this large is not one. */
const MAX_DIALOGUE_FILE_BYTES = 1024 ** 2;

export async function extract(args: string[]): Promise<number> {
  const { values } = parse(args, { input: { type: 'string' } });
  if (!values.input) throw new XinglinError('INVALID_INPUT', `缺少 --input。用法：${extractUsage}`);
  const core = await openCore(values, 'cli');
  try {
    const failed = await answerJsonLines(values.input, async (item, line) => {
      if (!Array.isArray(item.utterances) || !item.utterances.every((u) => typeof u === 'string')) throw new XinglinError('INVALID_INPUT', `第 ${line} 行需要 {"id", "utterances": ["患者:…", …]}`);
      const { findings } = await core.api.records.extract({ dialogue: JSON.stringify(item.utterances) });
      return { findings };
    });
    return failed > 0 ? 1 : 0;
  } finally {
    await core.close();
  }
}

export async function draft(args: string[]): Promise<number> {
  const { values } = parse(args, {
    input: { type: 'string' },
    kind: { type: 'string', default: '初诊' },
    template: { type: 'string', default: 'general' },
    doctor: { type: 'string' },
    model: { type: 'string' },
    lora: { type: 'string', multiple: true },
  });
  if (!values.input) throw new XinglinError('INVALID_INPUT', `缺少 --input。用法：${draftUsage}`);
  const kind = RecordKind.safeParse(values.kind);
  if (!kind.success) throw new XinglinError('INVALID_INPUT', `--kind 只能是 初诊 或 复诊，收到“${values.kind}”`);
  const dialogue = readDialogueFile(values.input);
  const core = await openCore({ ...values, 'models-dir': modelFolder(values.model) ?? values['models-dir'] }, 'cli');
  try {
    if (values.model) await core.api.models.load(loadRequest(values.model, values.lora ?? [], core.config.modelsDir));
    const author = values.doctor ?? os.userInfo().username;
    // Subscribed before asking, so a model draft's end cannot pass unseen.
    const finished = new Promise<MedicalRecord>((resolve) => {
      const off = core.api.on('records.drafted', ({ record }) => {
        off();
        resolve(record);
      });
    });
    const { record: first, jobId } = await core.api.records.draft({ dialogue, kind: kind.data, templateId: values.template, author, useModel: Boolean(values.model) });
    const record = jobId ? await finished : first;
    if (values.json) {
      console.log(JSON.stringify({ id: record.id, state: record.state, kind: record.kind, draft: record.sections, findings: record.findings, unsupported: record.unsupported, warnings: record.warnings.map(({ kind: k, severity, message, entry }) => ({ kind: k, severity, message, entry })), draftError: record.draftError }));
    } else {
      console.log((await core.api.records.export({ id: record.id, format: 'text' })).content);
      console.log(warningLines(record).join('\n'));
      console.log(`\n已保存为病历 ${record.id}（草稿，未签名）`);
    }
    return 0;
  } finally {
    await core.close();
  }
}

export async function records(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { format: { type: 'string', default: 'text' }, doctor: { type: 'string' } });
  const [sub, id] = positionals;
  if (sub !== 'list' && sub !== 'show' && sub !== 'export') throw new XinglinError('INVALID_INPUT', `未知的子命令：records ${sub ?? ''}（可用：list、show、export）`);
  if (sub !== 'list' && !id) throw new XinglinError('INVALID_INPUT', `缺少病历 id。用法：${recordsUsage}`);
  const format = ExportFormat.safeParse(values.format);
  if (!format.success) throw new XinglinError('INVALID_INPUT', `--format 只能是 text、md 或 fhir，收到“${values.format}”`);
  const core = await openCore(values, 'cli');
  try {
    if (sub === 'list') {
      const list = await core.api.records.list();
      if (values.json) console.log(JSON.stringify(list));
      else for (const r of list) console.log(`${r.id}  ${new Date(r.updatedAt).toISOString()}  ${r.kind}  ${r.state === 'signed' ? `已签名（${r.signedBy}）` : '草稿'}  第 ${r.version} 版  ${r.title}`);
    } else if (sub === 'show') {
      const record = await core.api.records.get({ id: id! });
      if (values.json) console.log(JSON.stringify(record));
      else {
        console.log((await core.api.records.export({ id: id!, format: 'text', actor: values.doctor ?? os.userInfo().username })).content);
        console.log(warningLines(record).join('\n'));
      }
    } else {
      console.log((await core.api.records.export({ id: id!, format: format.data, actor: values.doctor ?? os.userInfo().username })).content);
    }
    return 0;
  } finally {
    await core.close();
  }
}

/** The warnings as a doctor reads them in a terminal, each with the entry it cites. */
function warningLines(record: MedicalRecord): string[] {
  const lines = [`\n无依据的句子：${record.unsupported}`];
  if (record.warnings.length) lines.push('提示：', ...record.warnings.map((w) => `- [${w.severity}] ${w.message}${w.entry ? `（依据：${w.entry.name}）` : ''}`));
  return lines;
}

/** The dialogue as text: a plain text file, a JSON array of turns, or an object with `utterances` or `dialogue`. */
function readDialogueFile(file: string): string {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    throw new XinglinError('INVALID_INPUT', `无法读取对话文件：${file}`, { file });
  }
  if (size > MAX_DIALOGUE_FILE_BYTES) throw new XinglinError('FILE_TOO_LARGE', `对话文件过大（${Math.round(size / 1024)} KB），一次问诊对话最多 ${MAX_DIALOGUE_CHARS} 字`, { file, max: MAX_DIALOGUE_FILE_BYTES });
  const text = fs.readFileSync(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return text;
  }
  if (Array.isArray(json)) return JSON.stringify(json);
  if (typeof json === 'object' && json !== null) {
    const { utterances, dialogue } = json as Record<string, unknown>;
    if (Array.isArray(utterances)) return JSON.stringify(utterances);
    if (typeof dialogue === 'string') return dialogue;
    if (Array.isArray(dialogue)) return JSON.stringify(dialogue);
  }
  throw new XinglinError('INVALID_INPUT', `${file} 是 JSON，但没有 utterances 或 dialogue 字段`, { file });
}
