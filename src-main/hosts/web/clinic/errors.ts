import type http from 'node:http';
import { XinglinError, type OpenAiError } from '../../../contract/index.js';
import { httpStatusOf } from '../http-status.js';

/** OpenAI's error `type` for an HTTP status, which SDKs turn into their error classes. */
function typeOf(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 409) return 'conflict_error';
  if (status === 429) return 'rate_limit_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

/** A typed error in OpenAI's shape, with its HTTP status; `code` is Xinglin's, `param` the first field named. */
export function openAiError(error: XinglinError): { status: number; body: OpenAiError } {
  const status = httpStatusOf[error.code];
  const field = error.details?.field ?? error.details?.fields;
  const param = typeof field === 'string' && field !== '' ? (field.split(',')[0] ?? null) : null;
  return { status, body: { error: { message: error.message, type: typeOf(status), code: error.code, param } } };
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * Sends the error. SDKs retry 409 and 5xx answers by themselves; only a busy queue is worth
 * asking again, so every other error tells them not to (`x-should-retry`, read by the openai SDK).
 */
export function sendError(res: http.ServerResponse, error: XinglinError): void {
  const { status, body } = openAiError(error);
  sendJson(res, status, body, { 'x-should-retry': error.code === 'BUSY' ? 'true' : 'false', ...(status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {}) });
}
