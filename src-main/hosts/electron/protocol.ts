import fs from 'node:fs/promises';
import { protocol, type Session } from 'electron';
import { contentType, resolveStaticFile } from '../common/static-files.js';
import { APP_HOST, APP_SCHEME } from './app-origin.js';
import { CSP } from './security.js';

/**
 * `app://xinglin/…` must be declared before `app` is ready: "standard" gives it real origins and
 * relative URL resolution, "secure" makes it a secure context like https.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

type ReadFile = (file: string) => Promise<Uint8Array>;

const baseHeaders = { 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' };

function refuse(status: number, text: string): AppResponse {
  return { status, headers: { ...baseHeaders, 'content-type': 'text/plain; charset=utf-8' }, body: text };
}

/**
 * Answers one request for the built renderer. Pure apart from `read`, so the traversal refusal
 * is unit-tested without Electron. Every answer, errors included, carries the CSP.
 */
export async function serveAppRequest(request: { url: string; method: string }, root: string, read: ReadFile = fs.readFile): Promise<AppResponse> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'Method Not Allowed');
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return refuse(400, 'Bad Request');
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return refuse(404, 'Not Found');
  const file = resolveStaticFile(root, url.pathname);
  if (!file) return refuse(403, 'Forbidden');
  let body: Uint8Array;
  try {
    body = await read(file);
  } catch {
    return refuse(404, 'Not Found');
  }
  return { status: 200, headers: { ...baseHeaders, 'content-type': contentType(file), 'cache-control': 'no-cache' }, body: request.method === 'HEAD' ? '' : body };
}

/** Serves `root` (dist/renderer) on the app scheme of `session`. */
export function serveRenderer(session: Session, root: string): void {
  session.protocol.handle(APP_SCHEME, async (request) => {
    const answer = await serveAppRequest(request, root);
    return new Response(answer.body as BodyInit, { status: answer.status, headers: answer.headers });
  });
}
