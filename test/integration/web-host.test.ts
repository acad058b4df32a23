import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes } from '../../src-main/contract/index.js';
import type { Core } from '../../src-main/core/core.js';
import { httpStatusOf } from '../../src-main/hosts/web/http-status.js';
import { startWebHost, type WebHost } from '../../src-main/hosts/web/server.js';
import { fixtureModels, openTestCore, tempDir } from '../helpers/env.js';
import { rawRequest as request } from '../helpers/web-client.js';

describe('web host: the contract over loopback HTTP + SSE', () => {
  let core: Core;
  let host: WebHost;
  const staticDir = tempDir('xinglin-static-');

  beforeAll(async () => {
    fs.writeFileSync(`${staticDir}/index.html`, '<!doctype html><title>杏林</title>');
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

  // Before a model is loaded (the next test loads one): NO_MODEL needs none.
  it('gives every typed error a fitting status, never 500: 404 missing model, 422 unusable file, 409 no model', async () => {
    const failure = async (method: string, body: unknown) => {
      const res = await invoke(method, body);
      return [res.status, JSON.parse(res.body).error.code];
    };
    fs.writeFileSync(path.join(core.config.modelsDir, 'notes.gguf'), '这不是模型文件');
    expect(await failure('models.load', { model: 'missing.gguf' })).toEqual([404, 'MODEL_NOT_FOUND']);
    expect(await failure('models.load', { model: 'notes.gguf' })).toEqual([422, 'MODEL_NOT_GGUF']);
    expect(await failure('kb.ask', { question: '痛风怎么治？', mode: 'llm' })).toEqual([409, 'NO_MODEL']);
    expect(await failure('sessions.delete', { id: 'no-such-session' })).toEqual([404, 'NOT_FOUND']);
    expect(await failure('no.such.method', {})).toEqual([404, 'UNKNOWN_METHOD']);
    // The map is total (a Record the type check holds every code to); 500 is for the untyped only.
    expect(errorCodes.filter((code) => httpStatusOf[code] === 500)).toEqual(['INTERNAL']);
  });

  it('answers a broken %-escape in the path with a typed 400, and logs no failure', async () => {
    const headers = { Host: `127.0.0.1:${host.port}`, Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' };
    for (const [method, urlPath] of [['POST', '/api/invoke/%E0%A4%A'], ['POST', '/api/invoke/sessions.list%'], ['GET', '/%zz']] as const) {
      const res = await request(host.port, { method, path: urlPath, headers, ...(method === 'POST' ? { body: '{}' } : {}) });
      expect([urlPath, res.status, JSON.parse(res.body).error]).toEqual([urlPath, 400, { code: 'INVALID_INPUT', message: '网址路径中的 % 编码无效。' }]);
    }
    const log = fs.readFileSync(path.join(core.config.dataDir, 'logs', 'xinglin.log'), 'utf8');
    expect(log).not.toContain('web.request.failed');
  });

  it('takes application/json (with a UTF-8 charset at most) exactly, and refuses any other content type with 415', async () => {
    for (const type of ['application/jsonx', 'application/json-patch+json', 'text/plain', 'application/json; charset=latin1', 'application/json; boundary=x']) {
      const res = await invoke('sessions.list', {}, { 'Content-Type': type });
      expect([type, res.status, JSON.parse(res.body).error.code]).toEqual([type, 415, 'INVALID_INPUT']);
    }
    const untyped = await request(host.port, { method: 'POST', path: '/api/invoke/sessions.list', headers: { Host: `127.0.0.1:${host.port}`, Authorization: `Bearer ${host.token}` }, body: '{}' });
    expect(untyped.status).toBe(415);
    for (const type of ['application/json; charset=utf-8', 'Application/JSON;charset=UTF-8']) {
      expect([type, (await invoke('sessions.list', {}, { 'Content-Type': type })).status]).toEqual([type, 200]);
    }
  });

  it('pushes core events over server-sent events to a client holding the token', async () => {
    // A model is loaded by its name in the core's models folder: the fixture is copied there.
    fs.copyFileSync(fixtureModels().paths.model, path.join(core.config.modelsDir, 'tiny-llama.gguf'));
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
        loading = invoke('models.load', { model: 'tiny-llama.gguf' });
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
