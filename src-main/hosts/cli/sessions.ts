import { XinglinError } from '../../contract/index.js';
import { parse } from './args.js';
import { openCore } from './context.js';

export const sessionsUsage = 'xinglin sessions list [--json]       列出会话';

export async function sessions(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {});
  if (positionals[0] !== 'list') throw new XinglinError('INVALID_INPUT', `未知的子命令：sessions ${positionals[0] ?? ''}（可用：list）`);
  const core = await openCore(values, 'cli');
  try {
    const list = await core.api.sessions.list();
    if (values.json) console.log(JSON.stringify(list));
    else for (const s of list) console.log(`${s.id}  ${new Date(s.updatedAt).toISOString()}  ${s.messageCount} 条  ${s.title}`);
    return 0;
  } finally {
    await core.close();
  }
}
