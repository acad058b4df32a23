import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { XinglinError, type ErrorCode, type Reply, type WireError } from '../../contract/index.js';
import { errorTrace, type Core } from '../../core/core.js';
import { CONTENT_SECURITY_POLICY } from '../common/csp.js';
import { contentType, resolveStaticFile } from '../common/static-files.js';
import { httpStatusOf } from './http-status.js';
import { openEventStream } from './sse.js';
import { receiveUpload, UPLOAD_PATH } from './upload.js';

export interface WebHostOptions {
  /** 0 picks a free port. */
  port?: number;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  /** Largest upload accepted (default MAX_UPLOAD_BYTES). */
  maxUploadBytes?: number;
}

export interface WebHost {
  /** Open this in a browser: it carries the per-start token in its fragment. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export const MAX_BODY_BYTES = 1024 * 1024;

/** `application/json`, with at most a UTF-8 charset: a prefix match would let application/jsonx through. */
const JSON_CONTENT_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** The URL path with its %-escapes decoded, or null when one is broken (%zz, a cut UTF-8 sequence). */
function decodePath(pathname: string): string | null {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return null;
  }
}

const baseHeaders = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function sendReply(res: http.ServerResponse, reply: Reply, status = reply.ok ? 200 : httpStatusOf[reply.error.code]): void {
  res.writeHead(status, { ...baseHeaders, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(reply));
}

function fail(res: http.ServerResponse, code: ErrorCode, message: string, status?: number): void {
  const error: WireError = { code, message };
  sendReply(res, { ok: false, error }, status);
}

/** Bytes that are not UTF-8 are refused, never replaced by U+FFFD and saved as text the client did not send. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body's bytes, or null once it passes the limit (the rest is drained, not buffered). */
export function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Listens on 127.0.0.1:`port`; a port in use or not allowed is a typed error the user can act on. */
function listen(server: net.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (cause: NodeJS.ErrnoException) => {
      const details = { field: 'port', port, errno: cause.code ?? '' };
      if (cause.code === 'EADDRINUSE') reject(new XinglinError('INVALID_INPUT', `端口 ${port} 已被其他程序占用：请换一个端口（--port），或用 --port 0 自动选择空闲端口。`, details));
      else if (cause.code === 'EACCES') reject(new XinglinError('INVALID_INPUT', `没有权限使用端口 ${port}（1024 以下的端口通常需要管理员权限）：请换一个端口。`, details));
      else reject(cause);
    });
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

/** Refuses a port that cannot be listened on now, before the caller spends seconds opening the core for it. */
export async function checkPort(port: number): Promise<void> {
  if (port === 0) return;
  const probe = net.createServer();
  await listen(probe, port);
  await new Promise((resolve) => probe.close(resolve));
}

/**
 * Browser mode: the contract over loopback HTTP + server-sent events. Bound to 127.0.0.1 only;
 * a random token per start guards every API call; the Host header must name this server (DNS
 * rebinding); no CORS headers are ever sent, so other origins cannot read a response.
 */
export async function startWebHost(core: Core, options: WebHostOptions): Promise<WebHost> {
  const token = randomBytes(24).toString('base64url');
  const tokenBytes = Buffer.from(token);
  let port = 0;

  const tokenMatches = (candidate: string | null | undefined): boolean => {
    const bytes = Buffer.from(candidate ?? '');
    return bytes.length === tokenBytes.length && timingSafeEqual(bytes, tokenBytes);
  };
  const hostAllowed = (host: string | undefined): boolean => host === `127.0.0.1:${port}` || host === `localhost:${port}`;
  /** Why an API request (a call, an upload) is refused before its body is read; null when it may go on. */
  const refusal = (req: http.IncomingMessage): string | null => {
    const origin = req.headers.origin;
    if (origin && origin !== `http://${req.headers.host}`) return '请求来自其他网站，已拒绝。';
    if (!tokenMatches(req.headers.authorization?.replace(/^Bearer /, ''))) return '缺少或错误的访问令牌：请使用启动时打印的网址打开杏林。';
    return null;
  };

  const server = http.createServer(async (req, res) => {
    try {
      if (!hostAllowed(req.headers.host)) {
        res.writeHead(421, { ...baseHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('Host 不被允许：杏林只接受本机地址的请求。');
        return;
      }
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      const pathname = decodePath(url.pathname);
      if (pathname === null) return fail(res, 'INVALID_INPUT', '网址路径中的 % 编码无效。');

      if (url.pathname.startsWith('/api/invoke/')) {
        if (req.method !== 'POST') return fail(res, 'INVALID_INPUT', '只接受 POST 请求。');
        const refused = refusal(req);
        if (refused) return fail(res, 'UNAUTHORIZED', refused);
        // 415, not 400: the body's media type is refused before it is read, and the client can tell that from bad JSON.
        if (!JSON_CONTENT_TYPE.test(req.headers['content-type'] ?? '')) return fail(res, 'INVALID_INPUT', '请求体必须是 JSON（Content-Type: application/json; charset=utf-8）。', 415);
        const body = await readBody(req);
        if (body === null) return fail(res, 'INVALID_INPUT', `请求体过大（上限 ${MAX_BODY_BYTES / 1024} KB）。`);
        let text: string;
        try {
          text = utf8.decode(body);
        } catch {
          return fail(res, 'INVALID_INPUT', '请求体不是有效的 UTF-8 文本。');
        }
        let input: unknown;
        try {
          input = text.trim() === '' ? {} : JSON.parse(text);
        } catch {
          return fail(res, 'INVALID_INPUT', '请求体不是有效的 JSON。');
        }
        return sendReply(res, await core.call(pathname.slice('/api/invoke/'.length), input));
      }

      if (url.pathname === UPLOAD_PATH) {
        const refused = refusal(req);
        if (refused) return fail(res, 'UNAUTHORIZED', refused);
        return sendReply(res, await receiveUpload(core.files, req, options.maxUploadBytes));
      }

      if (url.pathname === '/api/events') {
        if (!tokenMatches(url.searchParams.get('token'))) return fail(res, 'UNAUTHORIZED', '缺少或错误的访问令牌。');
        return openEventStream(core, req, res, baseHeaders);
      }

      if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 'INVALID_INPUT', '不支持的请求方法。');
      const file = resolveStaticFile(options.staticDir, url.pathname);
      if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        res.writeHead(404, { ...baseHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(fs.existsSync(options.staticDir) ? '未找到。' : '界面尚未构建：请先运行 npm run build。');
        return;
      }
      res.writeHead(200, { ...baseHeaders, 'Content-Type': contentType(file), 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'Cache-Control': 'no-cache' });
      if (req.method === 'HEAD') res.end();
      else fs.createReadStream(file).pipe(res);
    } catch (cause) {
      core.log.error({ event: 'web.request.failed', path: (req.url ?? '').split('?')[0]!.slice(0, 200), ...errorTrace(cause) });
      if (!res.headersSent) fail(res, 'INTERNAL', '服务器内部错误。');
      else res.end();
    }
  });

  await listen(server, options.port ?? 0);
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
