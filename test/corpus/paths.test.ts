import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFixtures } from '../fixtures/gguf/tiny-llama.js';
import { dataSnapshot } from '../helpers/data-snapshot.js';
import { fixtureModels, openTestCore, tempDir } from '../helpers/env.js';
import { openWebCore, type WebCore } from '../helpers/web-client.js';

/**
 * Path traversal in every parameter that names a file, over the real web host: the model and adapter
 * names of models.load (resolved only inside the models folder), kb.import's file (an opaque handle,
 * never a path), the name of a browser upload, the static files' URL path and the method name in
 * /api/invoke/<method>. Each is refused with a 4xx and a typed error, reads nothing (no line of the target comes back) and
 * changes nothing. The outside target is a valid model, so an escape would show as a load.
 */

const outside = tempDir('xinglin-outside-');
const outsideFiles = generateFixtures(outside);
const { modelsDir } = fixtureModels();
const dataDir = tempDir('xinglin-data-');
// Links inside the models folder that lead out of it: a file, and a folder.
fs.symlinkSync(outsideFiles.model, path.join(modelsDir, 'escape.gguf'));
fs.symlinkSync(outsideFiles.lora, path.join(modelsDir, 'lora', 'escape-lora.gguf'));
fs.symlinkSync(outside, path.join(modelsDir, 'outside-folder'));

/** Names that leave the models folder (or the lora/ folder for an adapter), each a line. */
const escapingNames: Array<{ name: string; value: (folder: string) => string }> = [
  { name: 'an absolute path to a valid model', value: () => outsideFiles.model },
  { name: '../ from the models folder to a valid model', value: (folder) => path.relative(folder, outsideFiles.model) },
  { name: '../ from the working folder to a valid model', value: () => path.relative(process.cwd(), outsideFiles.model) },
  { name: 'a symlink leaving the models folder', value: (folder) => (folder === modelsDir ? 'escape.gguf' : 'escape-lora.gguf') },
  { name: 'a file inside a symlinked folder', value: (folder) => `${path.relative(folder, path.join(modelsDir, 'outside-folder'))}/tiny-llama.gguf` },
  { name: 'deep ../ to /etc/passwd', value: () => '../../../../../../../../etc/passwd' },
  { name: 'an absolute system file', value: () => '/etc/passwd' },
  { name: 'a process file', value: () => '/proc/self/environ' },
  { name: 'a device that never ends', value: () => '/dev/zero' },
  { name: 'backslashes', value: () => '..\\..\\..\\etc\\passwd' },
  { name: 'URL-encoded dots', value: () => '%2e%2e/%2e%2e/etc/passwd' },
  { name: 'a NUL byte after a valid name', value: () => 'tiny-llama.gguf\u0000/../../etc/passwd' },
  { name: 'a home folder', value: () => '~/.ssh/id_rsa' },
  { name: 'a file URL', value: () => `file://${outsideFiles.model}` },
  { name: 'the data folder’s database', value: (folder) => path.relative(folder, path.join(dataDir, 'xinglin.db')) },
  { name: 'a Windows drive path', value: () => 'C:\\Windows\\win.ini' },
  { name: 'a UNC path', value: () => '\\\\server\\share\\model.gguf' },
];

/** kb.import takes a handle the host gave out; anything else — a path above all — is refused. */
const importFiles: Array<{ name: string; input: Record<string, unknown>; status: number; code: string }> = [
  { name: 'a path in place of the handle', input: { file: '/etc/passwd' }, status: 400, code: 'INVALID_INPUT' },
  { name: '../ in place of the handle', input: { file: '../../../../etc/passwd' }, status: 400, code: 'INVALID_INPUT' },
  { name: 'the old path field', input: { path: '/etc/passwd' }, status: 400, code: 'INVALID_INPUT' },
  { name: 'a path beside a forged handle', input: { file: 'A'.repeat(32), path: '/etc/passwd' }, status: 400, code: 'INVALID_INPUT' },
  { name: 'a handle-shaped string nobody gave out', input: { file: 'A'.repeat(32) }, status: 404, code: 'NOT_FOUND' },
  { name: 'a handle-shaped string of dots and dashes', input: { file: `${'.'.repeat(2)}${'-'.repeat(30)}` }, status: 400, code: 'INVALID_INPUT' },
];

/** URL paths for the static files: none may reach outside the built UI. */
const staticPaths = [
  '/../../../../etc/passwd',
  '/..%2f..%2f..%2f..%2fetc%2fpasswd',
  '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
  '/.%2e/.%2e/.%2e/etc/passwd',
  '/%252e%252e/%252e%252e/etc/passwd',
  '/..%5c..%5c..%5cetc%5cpasswd',
  '/index.html%00.png',
  '//etc/passwd',
  '/%E0%A4%A',
];

/** Method names: only the contract's names are methods, whatever the URL says. */
const methodNames: Array<{ name: string; path: string; status: number; code: string }> = [
  { name: 'an encoded ../ method name', path: '/api/invoke/..%2f..%2fetc%2fpasswd', status: 404, code: 'UNKNOWN_METHOD' },
  { name: 'a prototype property', path: '/api/invoke/__proto__', status: 404, code: 'UNKNOWN_METHOD' },
  { name: 'an Object method', path: '/api/invoke/hasOwnProperty', status: 404, code: 'UNKNOWN_METHOD' },
  { name: 'a constructor', path: '/api/invoke/constructor', status: 404, code: 'UNKNOWN_METHOD' },
  { name: 'a method name with a NUL', path: '/api/invoke/sessions.list%00', status: 404, code: 'UNKNOWN_METHOD' },
  { name: 'a broken %-encoding', path: '/api/invoke/sessions%E0%A4%A', status: 400, code: 'INVALID_INPUT' },
];

/** Upload names (browser mode's X-File-Name): only a name to show, never where the file is written. */
const uploadTarget = path.join(outside, 'uploaded.jsonl');
const uploadNames: Array<{ name: string; value: string }> = [
  { name: '../ out of the uploads folder', value: path.relative(path.join(dataDir, 'uploads'), uploadTarget) },
  { name: 'an absolute path', value: uploadTarget },
  { name: 'backslashes', value: '..\\..\\..\\uploaded.jsonl' },
  { name: 'a NUL byte', value: 'uploaded.jsonl\u0000.txt' },
  { name: 'a right-to-left override hiding the ending', value: 'lnosj\u202Eexe.jsonl' },
  { name: 'only dots', value: '..' },
];

/** What the targets hold: none of it may come back. */
const SECRETS = /root:x?:0:0|PATH=|\u0000{16}/;

describe('corpus: path traversal in every path-taking parameter', () => {
  let web: WebCore;

  beforeAll(async () => {
    web = await openWebCore(await openTestCore({ modelsDir, dataDir }));
    // A model is loaded: a refused load must leave it loaded.
    await web.core.api.models.load({ model: 'tiny-llama.gguf' });
  });
  afterAll(() => web?.close());

  const refused = async (call: () => Promise<{ status: number; raw: string; reply: { ok: boolean } }>) => {
    const before = await dataSnapshot(web.core);
    const status = await web.core.api.models.status();
    const res = await call();
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.reply).toMatchObject({ ok: false, error: { code: expect.not.stringMatching(/^INTERNAL$/), message: expect.any(String) } });
    expect(res.raw).not.toMatch(SECRETS);
    expect(await dataSnapshot(web.core)).toEqual(before);
    expect(await web.core.api.models.status()).toEqual(status);
    return res;
  };

  it.each(escapingNames)('models.load model: $name → a typed 4xx, the loaded model kept', async ({ value }) => {
    await refused(() => web.invoke('models.load', { model: value(modelsDir) }));
  });

  it.each(escapingNames)('models.load adapter: $name → a typed 4xx, the loaded model kept', async ({ value }) => {
    await refused(() => web.invoke('models.load', { model: 'tiny-llama.gguf', adapters: [{ file: value(path.join(modelsDir, 'lora')) }] }));
  });

  it.each(importFiles)('kb.import: $name → $status $code', async ({ input, status, code }) => {
    const res = await refused(() => web.invoke('kb.import', input));
    expect(res.status).toBe(status);
    expect(res.reply).toMatchObject({ error: { code } });
  });

  it.each(staticPaths)('static file %s → 4xx, nothing outside the UI read', async (urlPath) => {
    const res = await web.request({ method: 'GET', path: urlPath });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body).not.toMatch(SECRETS);
  });

  it.each(methodNames)('/api/invoke: $name → $status $code', async ({ path: urlPath, status, code }) => {
    const before = await dataSnapshot(web.core);
    const res = await web.request({ path: urlPath, body: '{}' });
    expect(res.status).toBe(status);
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code } });
    expect(await dataSnapshot(web.core)).toEqual(before);
  });

  it.each(uploadNames)('upload named with $name: stored in the core’s own folder, shown by a plain name', async ({ value }) => {
    const res = await web.request({ path: '/api/upload', headers: { 'Content-Type': 'application/octet-stream', 'X-File-Name': encodeURIComponent(value) }, body: '{"type":"drug","name":"上传测试片"}\n' });
    expect(res.status).toBe(200);
    const { file, name } = JSON.parse(res.body).value as { file: string; name: string };
    expect(name).not.toMatch(/[/\\\p{Cc}\p{Cf}]/u);
    expect(['.', '..']).not.toContain(name);
    expect(fs.existsSync(uploadTarget)).toBe(false);
    // The bytes are where the core keeps uploads: its handle imports them.
    expect((await web.invoke('kb.import', { file, dryRun: true })).reply).toMatchObject({ ok: true, value: { total: 1, errors: [] } });
  });

  it('an import of a file that is not the declared format echoes none of its lines', async () => {
    // A file the user chose (as the command line registers one): lines that look like secrets.
    const file = path.join(tempDir('xinglin-secret-'), 'accounts.txt');
    fs.writeFileSync(file, 'root:x:0:0:root:/root:/bin/bash\nPATH=/usr/bin\n身份证号 110101199003071234\n');
    for (const format of ['jsonl', 'csv'] as const) {
      const { file: handle } = web.core.files.register(file);
      const res = await web.invoke('kb.import', { file: handle, format, dryRun: true, ...(format === 'csv' ? { mapping: { type: 'drug', columns: { 名称: 'name' } } } : {}) });
      expect(res.raw).not.toMatch(SECRETS);
      expect(res.raw).not.toContain('110101199003071234');
    }
  });
});
