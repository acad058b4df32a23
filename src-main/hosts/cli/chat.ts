import { XinglinError, type EventPayload, type Sampling, type Session } from '../../contract/index.js';
import type { Core } from '../../core/core.js';
import { number, parse, positiveInt } from './args.js';
import { openCore } from './context.js';
import { loadRequest, modelFolder } from './model-flags.js';

/** Marks a session the command line kept, so it is not mistaken for a doctor's consultation. */
export const CLI_TITLE_PREFIX = '[命令行] ';

export const chatUsage = `xinglin chat "<问题>" [--model <文件>] [--lora <文件>[:比例]]... [--seed N] [--temperature T] [--max-tokens N] [--keep] [--json]
                                                用模型回答一个问题（试用、检验模型）；问答默认不保存，
                                                加 --keep 才存入医生的会话列表，标题以“${CLI_TITLE_PREFIX}”开头`;

/** With no --model, the one base model in the models folder is used. */
async function chooseModel(core: Core, requested: string | undefined): Promise<string> {
  if (requested) return requested;
  const { models, modelsDir } = await core.api.models.list();
  if (models.length === 1) return models[0]!.file;
  if (models.length === 0) throw new XinglinError('NO_MODEL', `模型文件夹 ${modelsDir} 里没有 GGUF 模型：请放入一个，或用 --model 指定。`);
  throw new XinglinError('INVALID_INPUT', `模型文件夹里有多个模型（${models.map((m) => m.file).join('、')}），请用 --model 指定一个。`);
}

export async function chat(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    model: { type: 'string' },
    lora: { type: 'string', multiple: true },
    seed: { type: 'string' },
    temperature: { type: 'string' },
    'max-tokens': { type: 'string' },
    keep: { type: 'boolean', default: false },
  });
  const question = positionals.join(' ').trim();
  if (!question) throw new XinglinError('INVALID_INPUT', `缺少问题。用法：${chatUsage}`);
  const sampling: Partial<Sampling> = {};
  const seed = positiveInt(values.seed, '--seed');
  const temperature = number(values.temperature, '--temperature');
  const maxTokens = positiveInt(values['max-tokens'], '--max-tokens');
  if (seed !== undefined) sampling.seed = seed;
  if (temperature !== undefined) sampling.temperature = temperature;
  if (maxTokens !== undefined) sampling.maxTokens = maxTokens;

  const core = await openCore({ ...values, 'models-dir': modelFolder(values.model) ?? values['models-dir'] }, 'cli');
  let session: Session | null = null;
  try {
    await core.api.models.load(loadRequest(await chooseModel(core, values.model), values.lora ?? [], core.config.modelsDir));
    // A try-out is not a consultation: unless kept, its session is gone when the command ends.
    session = await core.api.sessions.create({ title: `${CLI_TITLE_PREFIX}${question}`.slice(0, 60) });
    const finished = new Promise<EventPayload<'chat.done'> | EventPayload<'chat.error'>>((resolve) => {
      core.subscribe((event, payload) => {
        if (event === 'chat.token' && !values.json) process.stdout.write((payload as EventPayload<'chat.token'>).text);
        if (event === 'chat.done' || event === 'chat.error') resolve(payload as EventPayload<'chat.done'> | EventPayload<'chat.error'>);
      });
    });
    await core.api.chat.send({ sessionId: session.id, text: question, sampling });
    const end = await finished;
    if ('error' in end) throw new XinglinError(end.error.code as XinglinError['code'], end.error.message);
    if (values.json) console.log(JSON.stringify({ sessionId: values.keep ? session.id : null, messageId: end.message.id, answer: end.message.text, status: end.message.status, provenance: end.message.provenance }));
    else process.stdout.write('\n');
    return 0;
  } finally {
    if (session && !values.keep) await core.api.sessions.delete({ id: session.id });
    await core.close();
  }
}
