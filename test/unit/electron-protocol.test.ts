import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';

// registerAppScheme calls electron's protocol: the named stand-in records it.
vi.mock('electron', () => import('./electron-standin.js'));

const { standin } = await import('./electron-standin.js');
const { registerAppScheme, serveAppRequest } = await import('../../src-main/hosts/electron/protocol.js');
const { CSP } = await import('../../src-main/hosts/electron/security.js');

const root = path.resolve('/srv/xinglin/dist/renderer');
const files: Record<string, string> = {
  [path.join(root, 'index.html')]: '<!doctype html><title>杏林</title>',
  [path.join(root, 'assets', 'index-abc.js')]: 'console.log(1)',
};
const reads: string[] = [];
async function read(file: string): Promise<Uint8Array> {
  reads.push(file);
  const text = files[file];
  if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  return new TextEncoder().encode(text);
}
const get = (url: string, method = 'GET') => serveAppRequest({ url, method }, root, read);

beforeEach(() => {
  reads.length = 0;
  standin.reset();
});

describe('registerAppScheme', () => {
  it('registers app:// as standard and secure, without bypassing the CSP', () => {
    registerAppScheme();
    expect(standin.privilegedSchemes).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    expect(JSON.stringify(standin.privilegedSchemes)).not.toContain('bypassCSP');
  });
});

describe('serveAppRequest', () => {
  it('serves index.html for / and assets by path, with the CSP header', async () => {
    for (const url of ['app://xinglin/', 'app://xinglin/index.html']) {
      const answer = await get(url);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(answer.headers['content-security-policy']).toBe(CSP);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
    }
    const js = await get('app://xinglin/assets/index-abc.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('refuses path traversal without reading anything', async () => {
    for (const url of [
      'app://xinglin/..%2f..%2f..%2fetc%2fpasswd',
      'app://xinglin/assets/..%2F..%2F..%2Fsecret',
      'app://xinglin/..%5c..%5cwindows%5cwin.ini',
      'app://xinglin/index.html%00.png',
      'app://xinglin/%E0%A4%A',
    ]) {
      const answer = await get(url);
      expect(answer.status, url).toBe(403);
      expect(answer.headers['content-security-policy']).toBe(CSP);
    }
    expect(reads).toEqual([]);
  });

  it('keeps dot segments inside the root (the URL parser folds them before we see the path)', async () => {
    const answer = await get('app://xinglin/../../../etc/passwd');
    expect(answer.status).toBe(404);
    expect(reads).toEqual([path.join(root, 'etc', 'passwd')]);
  });

  it('answers 404 for another host or a missing file, 405 for anything but GET and HEAD', async () => {
    expect((await get('app://elsewhere/index.html')).status).toBe(404);
    expect((await get('app://xinglin/nope.js')).status).toBe(404);
    expect((await get('app://xinglin/index.html', 'POST')).status).toBe(405);
    const head = await get('app://xinglin/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });
});
