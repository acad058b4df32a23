import { KB_FIELD_LABELS, XinglinError, type KbAskResult } from '../../contract/index.js';
import type { Core } from '../../core/core.js';
import { parse } from './args.js';
import { answerJsonLines } from './json-lines.js';
import { openCore } from './context.js';
import { loadRequest, modelFolder } from './model-flags.js';

export const askUsage = `xinglin ask "<问题>" [--model <文件> [--lora <文件>[:比例]]...] [--json]   依据知识库回答（无模型时为知识库模式）
  xinglin ask --input questions.jsonl --json    批量：每行 {"id","question"}，每行输出一个结果`;

export async function ask(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    input: { type: 'string' },
    model: { type: 'string' },
    lora: { type: 'string', multiple: true },
  });
  const question = positionals.join(' ').trim();
  if (!question && !values.input) throw new XinglinError('INVALID_INPUT', `缺少问题。用法：${askUsage}`);
  if (question && values.input) throw new XinglinError('INVALID_INPUT', '问题和 --input 只能二选一');

  const core = await openCore({ ...values, 'models-dir': modelFolder(values.model) ?? values['models-dir'] }, 'cli');
  try {
    if (values.model) await core.api.models.load(loadRequest(values.model, values.lora ?? [], core.config.modelsDir));
    const mode = values.model ? 'llm' : 'knowledge';
    if (values.input) return await askBatch(core, values.input, mode);
    const result = await core.api.kb.ask({ question, mode });
    console.log(values.json ? JSON.stringify(result) : readable(result));
    return 0;
  } finally {
    await core.close();
  }
}

/** One process for the whole file: the name index is built once. A bad line gets an error line, in order. */
async function askBatch(core: Core, file: string, mode: 'knowledge' | 'llm'): Promise<number> {
  const failed = await answerJsonLines(file, async (item, line) => {
    if (typeof item.question !== 'string' || !item.question.trim()) throw new XinglinError('INVALID_INPUT', `第 ${line} 行需要 {"id", "question"}，question 不能为空`);
    return core.api.kb.ask({ question: item.question, mode });
  });
  return failed > 0 ? 1 : 0;
}

/** The answer as a doctor reads it in a terminal: its label, the text, the sources it uses, the choices. */
function readable(result: KbAskResult): string {
  const lines = [`【${result.label}】`, result.answer];
  if (result.truncated) lines.push('（回答达到长度上限，已被截断。）');
  const used = result.cited.map((n) => ({ n, citation: result.citations[n - 1]! }));
  if (used.length) lines.push('', '来源：', ...used.map(({ n, citation }) => `[${n}] ${citation.name} · ${KB_FIELD_LABELS[citation.field]} — ${citation.source}`));
  if (result.choices.length) lines.push('', '可选条目（重新提问）：', ...result.choices.map((c, i) => `${i + 1}. ${c.name}（${c.what}）：xinglin ask "${c.ask}"`));
  if (result.uncited.length) lines.push('', '未引用知识库的陈述：', ...result.uncited.map((s) => `- ${s}`));
  return lines.join('\n');
}
