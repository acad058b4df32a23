import { XinglinError } from '../../contract/index.js';
import { checkPort, startWebHost } from '../web/server.js';
import { rendererDir } from '../common/app-root.js';
import { parse, positiveInt } from './args.js';
import { openCore } from './context.js';

export const serveUsage = 'xinglin serve [--port <端口>]      在本机启动浏览器模式（仅 127.0.0.1）';

export async function serve(args: string[]): Promise<number> {
  const { values } = parse(args, { port: { type: 'string' } });
  const port = positiveInt(values.port ?? process.env.XINGLIN_PORT, '--port') ?? 0;
  if (port > 65535) throw new XinglinError('INVALID_INPUT', `--port 需要 0 到 65535 之间的端口号，收到“${port}”。`, { field: 'port', port });
  await checkPort(port); // at once: a first start spends seconds importing the starter knowledge base
  const core = await openCore(values, 'web');
  const host = await startWebHost(core, { port, staticDir: rendererDir() }).catch(async (cause: unknown) => {
    await core.close();
    throw cause;
  });
  console.log(`杏林 浏览器模式已启动 / Xinglin browser mode: ${host.url}`);
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  await host.close();
  await core.close();
  return 0;
}
