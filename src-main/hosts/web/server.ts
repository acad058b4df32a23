import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErrorCode, Reply, WireError } from '../../contract/index.js';
import { errorTrace, type Core } from '../../core/core.js';
import { CONTENT_SECURITY_POLICY } from '../common/csp.js';
import { contentType, resolveStaticFile } from '../common/static-files.js';
import { openEventStream } from './sse.js';

export interface WebHostOptions {
  /** 0 picks a free port. */
  port?: number;
  /** The built renderer (dist/renderer). */
  staticDir: string;
}

export interface WebHost {
  /** Open this in a browser: it carries the per-start token in its fragment. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

const statusOf: Partial<Record<ErrorCode, number>> = {
  INVALID_INPUT: 400,
  IMPORT_INVALID: 422,
  UNKNOWN_METHOD: 404,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  BUSY: 409,
  NO_MODEL: 409,
  PROMPT_TOO_LONG: 413,
  CANCELLED: 409,
  DATABASE_NEWER: 503,
  DATABASE_CORRUPT: 503,
  DATABASE_UNAVAILABLE: 503,
  MIGRATION_FAILED: 503,
};

const baseHeaders = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function sendReply(res: http.ServerResponse, reply: Reply): void {
  const status = reply.ok ? 200 : (statusOf[reply.error.code] ?? 500);
  res.writeHead(status, { ...baseHeaders, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(reply));
}

function fail(res: http.ServerResponse, code: ErrorCode, message: string): void {
  const error: WireError = { code, message };
  sendReply(res, { ok: false, error });
}

/** The body as text, or null once it passes the limit (the rest is drained, not buffered). */
function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
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

  const server = http.createServer(async (req, res) => {
    try {
      if (!hostAllowed(req.headers.host)) {
        res.writeHead(421, { ...baseHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('Host 不被允许：杏林只接受本机地址的请求。');
        return;
      }
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);

      if (url.pathname.startsWith('/api/invoke/')) {
        if (req.method !== 'POST') return fail(res, 'INVALID_INPUT', '只接受 POST 请求。');
        const origin = req.headers.origin;
        if (origin && origin !== `http://${req.headers.host}`) return fail(res, 'UNAUTHORIZED', '请求来自其他网站，已拒绝。');
        if (!tokenMatches(req.headers.authorization?.replace(/^Bearer /, ''))) return fail(res, 'UNAUTHORIZED', '缺少或错误的访问令牌：请使用启动时打印的网址打开杏林。');
        if (!req.headers['content-type']?.startsWith('application/json')) return fail(res, 'INVALID_INPUT', '请求体必须是 JSON（Content-Type: application/json）。');
        const body = await readBody(req);
        if (body === null) return fail(res, 'INVALID_INPUT', `请求体过大（上限 ${MAX_BODY_BYTES / 1024} KB）。`);
        let input: unknown;
        try {
          input = body.trim() === '' ? {} : JSON.parse(body);
        } catch {
          return fail(res, 'INVALID_INPUT', '请求体不是有效的 JSON。');
        }
        return sendReply(res, await core.call(decodeURIComponent(url.pathname.slice('/api/invoke/'.length)), input));
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

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
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
