import fs from 'node:fs';
import { XinglinError } from '../../contract/index.js';
import type { Core } from '../../core/core.js';
import { MIN_KEY_CHARS, startClinicServer, type ClinicServer, type ClinicServerOptions } from '../web/clinic/server.js';
import { checkPort, startWebHost, type WebHost } from '../web/server.js';
import { rendererDir } from '../common/app-root.js';
import { parse, positiveInt } from './args.js';
import { openCore } from './context.js';

export const serveUsage = `xinglin serve [--port <端口>]      在本机启动浏览器模式（仅 127.0.0.1）
      [--clinic <地址:端口> --clinic-key-file <密钥文件>]
                                     同时启动诊所服务器（OpenAI 兼容的 /v1，供诊所其他电脑使用；
                                     密钥也可用环境变量 XINGLIN_CLINIC_KEY 提供，见 docs/clinic-server.md）`;

/** `192.168.1.5:8080`, `0.0.0.0:8080`, `[::]:8080` → host and port. */
function clinicAddress(value: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(value);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!host || !Number.isInteger(port) || port > 65535) {
    throw new XinglinError('INVALID_INPUT', `--clinic 需要“地址:端口”（如 192.168.1.5:8080、0.0.0.0:8080 或 [::]:8080），收到“${value}”。`, { field: 'clinic' });
  }
  return { host, port };
}

/** The key from the file named (its first line), else XINGLIN_CLINIC_KEY; the server refuses to start without one. */
function clinicKey(file: string | undefined): string {
  if (file === undefined) return (process.env.XINGLIN_CLINIC_KEY ?? '').trim();
  try {
    return (fs.readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '').trim();
  } catch (cause) {
    throw new XinglinError('INVALID_INPUT', `无法读取诊所服务器的密钥文件 ${file}（${(cause as NodeJS.ErrnoException).code ?? '读取失败'}）。`, { field: 'clinicKeyFile', file });
  }
}

/** The loopback web host, and beside it the clinic server when asked for; neither stays up if the other fails. */
async function startHosts(core: Core, port: number, clinic: ClinicServerOptions | null): Promise<{ web: WebHost; clinicServer: ClinicServer | null }> {
  const web = await startWebHost(core, { port, staticDir: rendererDir() });
  try {
    return { web, clinicServer: clinic ? await startClinicServer(core, clinic) : null };
  } catch (cause) {
    await web.close();
    throw cause;
  }
}

export async function serve(args: string[]): Promise<number> {
  const { values } = parse(args, { port: { type: 'string' }, clinic: { type: 'string' }, 'clinic-key-file': { type: 'string' } });
  const port = positiveInt(values.port ?? process.env.XINGLIN_PORT, '--port') ?? 0;
  if (port > 65535) throw new XinglinError('INVALID_INPUT', `--port 需要 0 到 65535 之间的端口号，收到“${port}”。`, { field: 'port', port });
  if (values['clinic-key-file'] !== undefined && values.clinic === undefined) throw new XinglinError('INVALID_INPUT', '--clinic-key-file 只能与 --clinic 一起使用。', { field: 'clinicKeyFile' });
  // Checked before the core opens: a bad address or a missing key fails in a moment, not after the starter import.
  const clinic = values.clinic === undefined ? null : { ...clinicAddress(values.clinic), apiKey: clinicKey(values['clinic-key-file']) };
  if (clinic && clinic.apiKey.length < MIN_KEY_CHARS) {
    throw new XinglinError('INVALID_INPUT', `诊所服务器必须设置至少 ${MIN_KEY_CHARS} 个字符的 API 密钥：用 --clinic-key-file 指定密钥文件，或设置环境变量 XINGLIN_CLINIC_KEY（可用 openssl rand -hex 32 生成）。`, { field: 'clinicKey', minChars: MIN_KEY_CHARS });
  }
  await checkPort(port); // at once: a first start spends seconds importing the starter knowledge base
  const core = await openCore(values, 'web');
  const { web, clinicServer } = await startHosts(core, port, clinic).catch(async (cause: unknown) => {
    await core.close();
    throw cause;
  });
  console.log(`杏林 浏览器模式已启动 / Xinglin browser mode: ${web.url}`);
  if (clinicServer) console.log(`杏林 诊所服务器已启动 / Xinglin clinic server: ${clinicServer.url}（模型名即配置标识，请求须带 API 密钥）`);
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  await clinicServer?.close();
  await web.close();
  await core.close();
  return 0;
}
