/**
 * The clinic server: the workstation's model for the clinic's other machines, as OpenAI's
 * `/v1/models` and `/v1/chat/completions` (so another Xinglin, or any OpenAI client, can use it).
 * Off unless an administrator starts it; it listens where told and answers only requests that
 * carry its API key. No CORS headers: browsers on other origins cannot read its answers.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { XinglinError, type ClinicModelList } from '../../../contract/index.js';
import { errorTrace, type Core } from '../../../core/core.js';
import { MAX_BODY_BYTES, readBody } from '../server.js';
import { sendError, sendJson } from './errors.js';
import { completionOf, SseAnswer, type AnswerIds } from './stream.js';

export interface ClinicServerOptions {
  /** The address to listen on: a LAN address of this workstation, or 0.0.0.0 / :: for all. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Required: every request must send `Authorization: Bearer <apiKey>`. */
  apiKey: string;
}

export interface ClinicServer {
  /** The base URL clients are given (up to and including `/v1`). */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/** A shorter key is guessed too easily for a server on the clinic's network. */
export const MIN_KEY_CHARS = 16;

const MODELS_PATH = '/v1/models';
const COMPLETIONS_PATH = '/v1/chat/completions';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function invalid(message: string): XinglinError {
  return new XinglinError('INVALID_INPUT', message);
}

/** The request's JSON body; INVALID_INPUT when it is too large, not UTF-8 or not JSON. */
async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const body = await readBody(req);
  if (body === null) throw invalid(`请求体过大（上限 ${MAX_BODY_BYTES / 1024} KB）。`);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw invalid('请求体不是有效的 UTF-8 文本。');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw invalid('请求体不是有效的 JSON。');
  }
}

/** Listens on host:port; a port in use, a privileged port or an address this machine lacks is a typed error. */
function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (cause: NodeJS.ErrnoException) => {
      const details = { field: 'clinic', host, port, errno: cause.code ?? '' };
      if (cause.code === 'EADDRINUSE') reject(new XinglinError('INVALID_INPUT', `诊所服务器无法使用端口 ${port}：已被其他程序占用，请换一个端口。`, details));
      else if (cause.code === 'EACCES') reject(new XinglinError('INVALID_INPUT', `诊所服务器没有权限使用端口 ${port}（1024 以下的端口通常需要管理员权限）：请换一个端口。`, details));
      else if (cause.code === 'EADDRNOTAVAIL' || cause.code === 'ENOTFOUND' || cause.code === 'EAI_AGAIN') reject(new XinglinError('INVALID_INPUT', `诊所服务器无法监听地址 ${host}：这台工作站没有这个地址（请用本机网卡的 IP 地址，或 0.0.0.0 表示所有网卡）。`, details));
      else reject(cause);
    });
    server.listen(port, host, () => resolve());
  });
}

/** One digest per key: comparing digests takes the same time whatever the key's length or first wrong character. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** `host:port` as a URL authority (an IPv6 address in brackets). */
function authority(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export async function startClinicServer(core: Core, options: ClinicServerOptions): Promise<ClinicServer> {
  if (options.apiKey.trim().length < MIN_KEY_CHARS) {
    throw new XinglinError('INVALID_INPUT', `诊所服务器必须设置 API 密钥才能启动，且密钥至少 ${MIN_KEY_CHARS} 个字符（可用 openssl rand -hex 32 生成）。`, { field: 'clinicKey', minChars: MIN_KEY_CHARS });
  }
  const expected = digest(options.apiKey);
  const refusal = (header: string | undefined): XinglinError | null => {
    const key = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim();
    if (!key) return new XinglinError('UNAUTHORIZED', '缺少 API 密钥：请在请求头中发送 Authorization: Bearer <密钥>。');
    return timingSafeEqual(digest(key), expected) ? null : new XinglinError('UNAUTHORIZED', 'API 密钥错误。');
  };

  const models = (): ClinicModelList => ({ object: 'list', data: core.clinic.models() });

  async function completions(req: http.IncomingMessage, res: http.ServerResponse, signal: AbortSignal): Promise<void> {
    const request = core.clinic.parse(await readJson(req));
    const ids: AnswerIds = { id: `chatcmpl-${randomUUID()}`, created: Math.floor(Date.now() / 1000), model: request.model };
    if (!request.stream) {
      const result = await core.clinic.complete(request, { signal });
      if (!result.stopped) sendJson(res, 200, completionOf(ids, result));
      return;
    }
    const answer = new SseAnswer(res, ids, request.stream_options?.include_usage === true);
    try {
      const result = await core.clinic.complete(request, { signal, onText: (text) => answer.text(text) });
      if (!result.stopped) answer.finish(result);
    } catch (cause) {
      if (!answer.opened || !(cause instanceof XinglinError)) throw cause;
      answer.fail(cause);
    } finally {
      answer.close();
    }
  }

  const server = http.createServer(async (req, res) => {
    // The client going away (a closed connection, a cancelled stream) stops its answer.
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    try {
      const refused = refusal(req.headers.authorization);
      if (refused) return sendError(res, refused);
      const { pathname } = new URL(req.url ?? '/', 'http://clinic');
      if (pathname === COMPLETIONS_PATH) {
        if (req.method !== 'POST') return sendError(res, invalid(`${COMPLETIONS_PATH} 只接受 POST 请求。`));
        return await completions(req, res, gone.signal);
      }
      if (pathname === MODELS_PATH || pathname.startsWith(`${MODELS_PATH}/`)) {
        if (req.method !== 'GET') return sendError(res, invalid(`${MODELS_PATH} 只接受 GET 请求。`));
        if (pathname === MODELS_PATH) return sendJson(res, 200, models());
        return sendJson(res, 200, core.clinic.model(decodeURIComponent(pathname.slice(MODELS_PATH.length + 1))));
      }
      return sendError(res, new XinglinError('NOT_FOUND', `诊所服务器没有这个接口：只提供 GET ${MODELS_PATH} 和 POST ${COMPLETIONS_PATH}。`));
    } catch (cause) {
      const error = cause instanceof XinglinError ? cause : cause instanceof URIError ? invalid('网址路径中的 % 编码无效。') : null;
      if (!error) core.log.error({ event: 'web.request.failed', path: (req.url ?? '').split('?')[0]!.slice(0, 200), ...errorTrace(cause) });
      if (res.headersSent) res.end();
      else sendError(res, error ?? new XinglinError('INTERNAL', '诊所服务器内部错误。'));
    }
  });

  await listen(server, options.host, options.port);
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://${authority(options.host, port)}/v1`,
    host: options.host,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
