import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src-main/core/core.js';
import { startWebHost, type WebHost } from '../../src-main/hosts/web/server.js';
import { openTestCore, tempDir } from '../helpers/env.js';

/** Small, so that going past it costs the test nothing; the real default is MAX_UPLOAD_BYTES. */
const LIMIT = 64 * 1024;

type Answer = { status: number; body: string };

/** A raw request: headers a browser would never let a page forge, a body sent in `chunks` (chunked when no Content-Length is given). */
function send(port: number, options: { method?: string; path: string; headers: Record<string, string>; chunks?: Buffer[] }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: options.method ?? 'POST', path: options.path, headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}

describe('web host: uploads, the browser’s only way to hand the core a file', () => {
  let core: Core;
  let host: WebHost;
  let uploads: string;

  beforeAll(async () => {
    core = await openTestCore();
    host = await startWebHost(core, { port: 0, staticDir: tempDir('xinglin-static-'), maxUploadBytes: LIMIT });
    uploads = path.join(core.config.dataDir, 'uploads');
  });
  afterAll(async () => {
    await host.close();
    await core.close();
  });

  const headers = (extra: Record<string, string> = {}) => ({ Host: `127.0.0.1:${host.port}`, Authorization: `Bearer ${host.token}`, ...extra });
  const upload = (content: string | Buffer, extra: Record<string, string> = {}, name = '本院 药品.jsonl') =>
    send(host.port, { path: '/api/upload', headers: headers({ 'Content-Type': 'application/octet-stream', 'X-File-Name': encodeURIComponent(name), ...extra }), chunks: [Buffer.from(content)] });
  const invoke = (method: string, input: unknown) =>
    send(host.port, { path: `/api/invoke/${method}`, headers: headers({ 'Content-Type': 'application/json' }), chunks: [Buffer.from(JSON.stringify(input))] });
  const leftovers = () => (fs.existsSync(uploads) ? fs.readdirSync(uploads) : []);

  it('streams the file to a 0600 file of the core and answers a handle that kb.import takes once', async () => {
    const content = `${JSON.stringify({ type: 'drug', name: '上传测试药', indications: ['测试病'] })}\n`;
    const res = await upload(content);
    expect(res.status).toBe(200);
    const reply = JSON.parse(res.body);
    expect(reply).toEqual({ ok: true, value: { file: expect.stringMatching(/^[\w-]{32}$/), name: '本院 药品.jsonl', sizeBytes: Buffer.byteLength(content) } });
    expect(res.body).not.toContain(core.config.dataDir);
    const [stored] = leftovers();
    expect(fs.statSync(path.join(uploads, stored!)).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(uploads, stored!), 'utf8')).toBe(content);

    const imported = await invoke('kb.import', { file: reply.value.file });
    expect(JSON.parse(imported.body)).toMatchObject({ ok: true, value: { committed: true, added: 1, source: '医院导入：本院 药品.jsonl' } });
    expect(leftovers()).toEqual([]);
    const again = await invoke('kb.import', { file: reply.value.file });
    expect(again.status).toBe(404);
    expect(JSON.parse(again.body)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringContaining('请重新选择文件') } });
  });

  it('takes no path: kb.import refuses a path where the handle goes, and the old path field', async () => {
    for (const input of [{ file: '/etc/passwd' }, { file: '../../etc/passwd' }, { path: '/etc/passwd' }]) {
      const res = await invoke('kb.import', input);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
  });

  it('refuses a file announced as larger than the limit before writing a byte', async () => {
    const res = await send(host.port, {
      path: '/api/upload',
      headers: headers({ 'Content-Type': 'application/octet-stream', 'X-File-Name': 'big.jsonl', 'Content-Length': String(LIMIT + 1) }),
      chunks: [Buffer.alloc(LIMIT + 1, 0x61)],
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'FILE_TOO_LARGE', message: expect.stringContaining('64 KB'), details: { max: LIMIT } } });
    expect(leftovers()).toEqual([]);
  });

  it('stops a streamed upload at the limit, removes what it wrote, and still answers', async () => {
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    const res = await send(host.port, {
      path: '/api/upload',
      headers: headers({ 'Content-Type': 'application/octet-stream', 'X-File-Name': 'big.jsonl', 'Transfer-Encoding': 'chunked' }),
      chunks: Array.from({ length: 8 }, () => chunk),
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('FILE_TOO_LARGE');
    expect(leftovers()).toEqual([]);
    // The connection's next request is answered as usual.
    expect((await invoke('app.info', {})).status).toBe(200);
  });

  it('leaves nothing behind when the browser breaks off mid-upload', async () => {
    const req = http.request({ host: '127.0.0.1', port: host.port, method: 'POST', path: '/api/upload', headers: headers({ 'Content-Type': 'application/octet-stream', 'X-File-Name': 'half.jsonl', 'Content-Length': String(LIMIT) }) });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(1024, 0x61));
    // The first part is on disk, the rest never comes.
    await expect.poll(leftovers).toHaveLength(1);
    req.destroy();
    await expect.poll(leftovers).toEqual([]);
  });

  it('checks the token, the Origin and the Host as /api/invoke/ does, before reading the body', async () => {
    const body = { 'Content-Type': 'application/octet-stream', 'X-File-Name': 'a.jsonl' };
    const refusals: Array<[Record<string, string>, number]> = [
      [{ ...headers(body), Authorization: 'Bearer wrong' }, 401],
      [{ Host: `127.0.0.1:${host.port}`, ...body }, 401],
      [headers({ ...body, Origin: 'http://evil.example' }), 401],
      [headers({ ...body, Host: `evil.example:${host.port}` }), 421],
    ];
    for (const [sent, status] of refusals) {
      const res = await send(host.port, { path: '/api/upload', headers: sent, chunks: [Buffer.from('{"type":"drug","name":"x"}\n')] });
      expect(res.status).toBe(status);
    }
    expect(leftovers()).toEqual([]);
  });

  it('wants POST, the exact content type and a well-encoded name', async () => {
    const get = await send(host.port, { method: 'GET', path: '/api/upload', headers: headers() });
    expect(get.status).toBe(400);
    const wrong: Array<Record<string, string>> = [{ 'Content-Type': 'application/json' }, { 'Content-Type': 'application/octet-streamx' }, { 'X-File-Name': '%E4%ZZ' }, { 'X-File-Name': '' }];
    for (const extra of wrong) {
      const res = await upload('x', extra);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).error.code).toBe('INVALID_INPUT');
    }
    expect(leftovers()).toEqual([]);
  });

  it('keeps only the last part of the name it was given', async () => {
    const res = await upload('{}\n', {}, '../../etc/passwd');
    expect(JSON.parse(res.body).value.name).toBe('passwd');
  });
});
