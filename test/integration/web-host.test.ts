import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src-main/core/core.js';
import { startWebHost, type WebHost } from '../../src-main/hosts/web/server.js';
import { fixtureModels, openTestCore, tempDir } from '../helpers/env.js';

/** A raw request, so the test can send the headers a browser would never let a page forge. */
function request(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
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

describe('web host: the contract over loopback HTTP + SSE', () => {
  let core: Core;
  let host: WebHost;
  const staticDir = tempDir('xinglin-static-');

  beforeAll(async () => {
    (await import('node:fs')).writeFileSync(`${staticDir}/index.html`, '<!doctype html><title>杏林</title>');
    core = await openTestCore();
    host = await startWebHost(core, { port: 0, staticDir });
  });
  afterAll(async () => {
    await host.close();
    await core.close();
  });

  const invoke = (method: string, body: unknown, headers: Record<string, string> = {}) =>
    request(host.port, {
      method: 'POST',
      path: `/api/invoke/${method}`,
      headers: { Host: `127.0.0.1:${host.port}`, Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('binds to 127.0.0.1 and prints a URL carrying a fresh token', () => {
    expect(host.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/#token=[\\w-]{32}$`));
  });

  it('answers a valid call with the contract reply and no CORS headers', async () => {
    const res = await invoke('sessions.create', { title: '门诊' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ ok: true, value: { title: '门诊' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a missing or wrong token', async () => {
    const res = await invoke('sessions.list', {}, { Authorization: 'Bearer wrong' });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).error.code).toBe('UNAUTHORIZED');
  });

  it('refuses a foreign Host header (DNS rebinding) and a foreign Origin', async () => {
    expect((await invoke('sessions.list', {}, { Host: `evil.example:${host.port}` })).status).toBe(421);
    const cross = await invoke('sessions.list', {}, { Origin: 'http://evil.example' });
    expect(cross.status).toBe(401);
  });

  it('turns malformed JSON, a wrong schema and an oversized body into INVALID_INPUT in Chinese', async () => {
    const malformed = await request(host.port, {
      method: 'POST',
      path: '/api/invoke/sessions.create',
      headers: { Host: `127.0.0.1:${host.port}`, Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' },
      body: '{"title":',
    });
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body).error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/JSON/) });
    const schema = await invoke('sessions.rename', { id: 5 });
    expect(JSON.parse(schema.body).error.message).toMatch(/id 类型错误/);
    const huge = await invoke('sessions.create', { title: 'x'.repeat(2 * 1024 * 1024) });
    expect(JSON.parse(huge.body).error.message).toMatch(/过大/);
    expect((await core.api.sessions.list()).map((s) => s.title)).toEqual(['门诊']);
  });

  it('serves the UI with the CSP and refuses path traversal', async () => {
    const page = await request(host.port, { path: '/', headers: { Host: `localhost:${host.port}` } });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    const escape = await request(host.port, { path: '/..%2f..%2fetc%2fpasswd', headers: { Host: `127.0.0.1:${host.port}` } });
    expect(escape.status).toBe(404);
  });

  it('pushes core events over server-sent events to a client holding the token', async () => {
    const { modelsDir } = fixtureModels();
    let loading: Promise<unknown> = Promise.resolve();
    const firstEvent = new Promise<{ type: string; data: unknown }>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: host.port, path: `/api/events?token=${host.token}`, headers: { Host: `127.0.0.1:${host.port}` } }, (res) => {
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          const match = /event: (\S+)\ndata: (.*)\n\n/.exec(buffer);
          if (match) {
            req.destroy();
            resolve({ type: match[1]!, data: JSON.parse(match[2]!) });
          }
        });
        // The stream is open: loading a model makes the core emit progress events.
        loading = invoke('models.load', { model: `${modelsDir}/tiny-llama.gguf` });
      });
      req.on('error', reject);
    });
    const event = await firstEvent;
    expect(event.type).toBe('job.progress');
    expect(event.data).toMatchObject({ kind: 'models.load', subject: 'tiny-llama.gguf', state: 'running', progress: expect.any(Number) });
    expect(JSON.parse(((await loading) as { body: string }).body)).toMatchObject({ ok: true, value: { state: 'ready' } });
    const denied = await request(host.port, { path: '/api/events?token=nope', headers: { Host: `127.0.0.1:${host.port}` } });
    expect(denied.status).toBe(401);
  });
});
