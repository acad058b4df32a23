// vendor-electron.mjs and dist.mjs end to end, on files made here: a fake Electron zip pinned in a
// temporary copy of the manifest, a headers tarball with its SHASUMS256.txt. Every location the
// scripts write to is redirected into a temporary folder, so the real node_modules/electron,
// ~/.electron-gyp and Electron cache are never touched.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { electronCachePath, executableFor, platformKey, readManifest, type VendorManifest } from '../../build/electron-vendor.cjs';

const root = path.resolve(import.meta.dirname, '..', '..');
const realManifest = readManifest();
const own = platformKey();
const sha256 = (data: Buffer | string) => crypto.createHash('sha256').update(data).digest('hex');
const sandboxes: string[] = [];
afterAll(() => {
  for (const base of sandboxes) fs.rmSync(base, { recursive: true, force: true });
});

/** A zip of stored (uncompressed) entries: all an Electron stand-in needs. */
function storedZip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = Buffer.from(text);
    const fileName = Buffer.from(name);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made on Unix, so the mode below counts
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE((0o100755 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length / 2, 8);
  end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A stick with a fake zip for this machine and a headers tarball, and a sandbox for everything written. */
function sandbox() {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-vendor-'));
  sandboxes.push(base);
  const at = (...parts: string[]) => path.join(base, ...parts);
  const stick = at('stick');
  fs.mkdirSync(stick);
  const zip = storedZip({ [executableFor()]: '#!/bin/sh\necho fake electron\n' });
  fs.writeFileSync(path.join(stick, realManifest.artifacts[own]!.file), zip);

  fs.mkdirSync(at('headers-src', 'node_headers', 'include', 'node'), { recursive: true });
  fs.writeFileSync(at('headers-src', 'node_headers', 'include', 'node', 'node.h'), '// fake\n');
  const tarball = path.join(stick, realManifest.headers.file);
  expect(spawnSync('tar', ['-czf', tarball, '-C', at('headers-src'), 'node_headers']).status).toBe(0);
  const headersSum = sha256(fs.readFileSync(tarball));
  fs.writeFileSync(path.join(stick, 'SHASUMS256.txt'), `${'0'.repeat(64)}  iojs-v${realManifest.version}.tar.gz\n${headersSum}  ${realManifest.headers.file}\n`);

  const manifest: VendorManifest = structuredClone(realManifest);
  manifest.artifacts[own]!.sha256 = sha256(zip);
  manifest.headers.sha256 = null;
  const manifestFile = at('electron.vendor.json');
  fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  fs.mkdirSync(at('electron'));
  fs.writeFileSync(at('electron', 'package.json'), JSON.stringify({ name: 'electron', version: realManifest.version }));

  const env = {
    XINGLIN_ELECTRON_MANIFEST: manifestFile,
    XINGLIN_ELECTRON_PACKAGE_DIR: at('electron'),
    XINGLIN_VENDOR_CACHE: at('vendor-cache'),
    XINGLIN_ELECTRON_HEADERS_DIR: at('electron-gyp'),
    electron_config_cache: at('electron-cache'),
    ELECTRON_VENDOR_DIR: '',
  };
  const run = (script: string, args: string[]) => {
    const result = spawnSync(process.execPath, [path.join(root, 'build', script), ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  };
  return { at, stick, manifestFile, manifest, headersSum, tarball, vendor: (...args: string[]) => run('vendor-electron.mjs', args), dist: (...args: string[]) => run('dist.mjs', args) };
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('npm run vendor:electron -- --from <dir>', () => {
  it('installs a verified zip for npm start, electron-builder and the Electron cache, and leaves unpinned headers alone', () => {
    const box = sandbox();
    const { status, output } = box.vendor('--from', box.stick);
    expect(status, output).toBe(0);
    const artifact = box.manifest.artifacts[own]!;
    expect(fs.readFileSync(box.at('electron', 'dist', executableFor()), 'utf8')).toContain('fake electron');
    expect(fs.readFileSync(box.at('electron', 'path.txt'), 'utf8')).toBe(executableFor());
    expect(fs.existsSync(box.at('vendor-cache', artifact.file))).toBe(true);
    expect(fs.existsSync(electronCachePath(artifact.url, box.at('electron-cache')))).toBe(true);
    // Headers without a pinned sum are not trusted: the output says how to pin them.
    expect(output).toContain('--pin');
    expect(fs.existsSync(box.at('electron-gyp'))).toBe(false);
    expect(readJson(box.manifestFile).headers.sha256).toBeNull();
  });

  it('--pin checks the headers against SHASUMS256.txt, pins the sum and installs them for node-gyp; later installs check against the pin', () => {
    const box = sandbox();
    const pinned = box.vendor('--from', box.stick, '--pin');
    expect(pinned.status, pinned.output).toBe(0);
    expect(readJson(box.manifestFile).headers.sha256).toBe(box.headersSum);
    expect(fs.existsSync(box.at('electron-gyp', 'include', 'node', 'node.h'))).toBe(true);
    expect(fs.readFileSync(box.at('electron-gyp', 'installVersion'), 'utf8')).toMatch(/^\d+\n$/);

    fs.writeFileSync(box.tarball, 'not the headers');
    const again = box.vendor('--from', box.stick);
    expect(again.status).toBe(1);
    expect(again.output).toContain(box.tarball);
    expect(again.output).toContain(box.headersSum);
    expect(fs.existsSync(box.at('electron-gyp', 'include', 'node', 'node.h'))).toBe(true);
  });

  it('--pin refuses a tarball SHASUMS256.txt does not vouch for, and pins nothing', () => {
    const box = sandbox();
    fs.appendFileSync(box.tarball, 'x');
    const { status, output } = box.vendor('--from', box.stick, '--pin');
    expect(status).toBe(1);
    expect(output).toContain(box.tarball);
    expect(output).toContain(`${box.headersSum} (SHASUMS256.txt)`);
    expect(readJson(box.manifestFile).headers.sha256).toBeNull();
    expect(fs.existsSync(box.at('electron-gyp'))).toBe(false);
    expect(fs.existsSync(box.at('vendor-cache'))).toBe(false);
  });

  it.each([
    ['tampered', (zip: Buffer) => Buffer.concat([zip.subarray(0, 40), Buffer.from('X'), zip.subarray(41)])],
    ['truncated', (zip: Buffer) => zip.subarray(0, zip.length - 10)],
  ])('refuses a %s zip naming the file and the expected sum, overwriting nothing', (_kind, damage) => {
    const box = sandbox();
    const file = path.join(box.stick, box.manifest.artifacts[own]!.file);
    fs.writeFileSync(file, damage(fs.readFileSync(file)));
    fs.mkdirSync(box.at('electron', 'dist'));
    fs.writeFileSync(box.at('electron', 'dist', 'previous'), 'kept');

    const { status, output } = box.vendor('--from', box.stick);
    expect(status).toBe(1);
    expect(output).toContain('Checksum mismatch, nothing was installed');
    expect(output).toContain(file);
    expect(output).toContain(box.manifest.artifacts[own]!.sha256);
    expect(fs.readFileSync(box.at('electron', 'dist', 'previous'), 'utf8')).toBe('kept');
    expect(fs.existsSync(box.at('electron', 'path.txt'))).toBe(false);
    expect(fs.existsSync(box.at('vendor-cache'))).toBe(false);
  });

  it('refuses a manifest missing a platform entry, or pinning another version than package.json, naming the file and the cause', () => {
    const box = sandbox();
    const { 'darwin-x64': _dropped, ...others } = box.manifest.artifacts;
    fs.writeFileSync(box.manifestFile, JSON.stringify({ ...box.manifest, artifacts: others }));
    const missing = box.vendor('--from', box.stick);
    expect(missing.status).toBe(1);
    expect(missing.output).toContain(`${box.manifestFile}: 缺少 darwin-x64 条目 / no entry for darwin-x64`);

    fs.writeFileSync(box.manifestFile, JSON.stringify({ ...box.manifest, version: '44.0.0' }));
    const other = box.vendor('--from', box.stick);
    expect(other.status).toBe(1);
    expect(other.output).toContain(`pins Electron 44.0.0 but package.json has ${realManifest.version}`);
    expect(fs.existsSync(box.at('electron', 'dist'))).toBe(false);
    expect(fs.existsSync(box.at('vendor-cache'))).toBe(false);
  });

  it('says which file this machine needs when the folder holds none, and explains its usage', () => {
    const box = sandbox();
    const empty = box.at('empty');
    fs.mkdirSync(empty);
    fs.writeFileSync(path.join(empty, `electron-v1.0.0-${own}.zip`), 'old');
    const { status, output } = box.vendor('--from', empty);
    expect(status).toBe(1);
    expect(output).toContain(`electron-v1.0.0-${own}.zip`);
    expect(output).toContain(box.manifest.artifacts[own]!.file);
    expect(box.vendor().status).toBe(2);
    expect(box.vendor('--from', box.at('nowhere')).status).toBe(2);
  });
});

describe('npm run dist without vendored Electron', () => {
  it('says in one Chinese and one English paragraph what to vendor, without a stack trace, before building anything', () => {
    const box = sandbox();
    const { status, output } = box.dist('--linux', 'dir', '--x64');
    expect(status).toBe(1);
    const [zh, en, ...rest] = output.trim().split(/\n\n/);
    expect(rest).toEqual([]);
    expect(zh).toContain('无法离线打包');
    expect(zh).toContain(`electron-v${realManifest.version}-linux-x64.zip`);
    expect(en).toContain('Cannot package offline');
    expect(en).toContain(realManifest.headers.file);
    expect(en).toContain('npm run vendor:electron -- --from <folder>');
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('asks for the zips of the targets it would package', () => {
    const box = sandbox();
    const { output } = box.dist('--mac');
    expect(output).toContain(`electron-v${realManifest.version}-darwin-arm64.zip`);
    expect(output).toContain(`electron-v${realManifest.version}-darwin-x64.zip`);
    expect(output).not.toContain('linux-x64');
  });
});
