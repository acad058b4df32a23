import fs from 'node:fs';
import http from 'node:http';
import type { Core } from '../../src-main/core/core.js';
import { startWebHost, type WebHost } from '../../src-main/hosts/web/server.js';
import { openTestCore, tempDir } from './env.js';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request, so a test can send what a browser never would: forged headers, broken bytes, odd paths. */
export function rawRequest(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A contract call's answer over HTTP: the status and the parsed reply. */
export interface CallResponse {
  status: number;
  reply: { ok: true; value: unknown } | { ok: false; error: { code: string; message: string; details?: Record<string, unknown> } };
  raw: string;
}

/** The real web host on a real core, and a client holding its token. */
export interface WebCore {
  core: Core;
  host: WebHost;
  /** POSTs `input`, JSON-encoded, to /api/invoke/<method>. */
  invoke(method: string, input: unknown): Promise<CallResponse>;
  /** POSTs a body as given (broken bytes, hand-made JSON) to /api/invoke/<method>. */
  invokeRaw(method: string, body: string | Buffer): Promise<CallResponse>;
  /** A request with the token and Host header a legitimate client sends. */
  request(options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawResponse>;
  close(): Promise<void>;
}

export async function openWebCore(core?: Core): Promise<WebCore> {
  const staticDir = tempDir('xinglin-static-');
  fs.writeFileSync(`${staticDir}/index.html`, '<!doctype html><title>杏林</title>');
  const opened = core ?? (await openTestCore());
  const host = await startWebHost(opened, { port: 0, staticDir });
  const request: WebCore['request'] = (options) =>
    rawRequest(host.port, { method: 'POST', ...options, headers: { Host: `127.0.0.1:${host.port}`, Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json', ...options.headers } });
  const invokeRaw: WebCore['invokeRaw'] = async (method, body) => {
    const res = await request({ path: `/api/invoke/${method}`, body });
    return { status: res.status, reply: JSON.parse(res.body), raw: res.body };
  };
  return {
    core: opened,
    host,
    request,
    invokeRaw,
    invoke: (method, input) => invokeRaw(method, JSON.stringify(input) ?? ''),
    close: async () => {
      await host.close();
      await opened.close();
    },
  };
}
