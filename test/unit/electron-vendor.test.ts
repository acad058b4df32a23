import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ELECTRON_PACKAGE_DIR, VENDOR_CACHE, platformKey, readManifest, sha256File, vendoredZip } from '../../build/electron-vendor.cjs';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..', '..');
const manifest = readManifest();

function vendor(args: string[], env: NodeJS.ProcessEnv = {}) {
  const run = spawnSync(process.execPath, [path.join(root, 'build', 'vendor-electron.mjs'), ...args], { encoding: 'utf8', env: { ...process.env, ELECTRON_VENDOR_DIR: '', ...env } });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-vendor-'));
}

describe('electron.vendor.json', () => {
  it('pins the Electron that package.json and node_modules have', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(manifest.version).toBe(pkg.devDependencies.electron);
    expect(manifest.version).toBe(require(path.join(ELECTRON_PACKAGE_DIR, 'package.json')).version);
  });

  it('carries the checksums the electron package ships, for every platform we package', () => {
    const checksums = require(path.join(ELECTRON_PACKAGE_DIR, 'checksums.json')) as Record<string, string>;
    expect(Object.keys(manifest.artifacts)).toEqual(expect.arrayContaining(['linux-x64', 'win32-x64', 'darwin-arm64', 'darwin-x64']));
    for (const [key, artifact] of Object.entries(manifest.artifacts)) {
      expect(artifact.file).toBe(`electron-v${manifest.version}-${key}.zip`);
      expect(artifact.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(artifact.sha256).toBe(checksums[artifact.file]);
    }
    expect(manifest.headers.file).toBe(`node-v${manifest.version}-headers.tar.gz`);
  });
});

describe('vendor-electron.mjs', () => {
  it('refuses a zip whose sha256 does not match, and installs nothing', async () => {
    const dir = tempDir();
    const name = manifest.artifacts[platformKey()]!.file;
    const fake = path.join(dir, name);
    fs.writeFileSync(fake, 'PK\u0003\u0004 this is not Electron');
    const pathTxt = path.join(ELECTRON_PACKAGE_DIR, 'path.txt');
    const before = fs.existsSync(pathTxt) ? fs.statSync(pathTxt).mtimeMs : null;

    const { status, output } = vendor([dir]);
    expect(status).toBe(1);
    expect(output).toContain('校验失败');
    expect(output).toContain('Checksum mismatch, nothing was installed');
    expect(output).toContain(manifest.artifacts[platformKey()]!.sha256);
    expect(output).toContain(await sha256File(fake));

    expect(fs.existsSync(pathTxt) ? fs.statSync(pathTxt).mtimeMs : null).toBe(before);
    const cached = path.join(VENDOR_CACHE, name);
    if (fs.existsSync(cached)) expect(await sha256File(cached)).not.toBe(await sha256File(fake));
  });

  it('refuses everything when one of several zips is bad', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, manifest.artifacts['win32-x64']!.file), 'bad');
    fs.writeFileSync(path.join(dir, manifest.artifacts['darwin-arm64']!.file), 'also bad');
    const { status, output } = vendor([dir]);
    expect(status).toBe(1);
    expect(output).toContain(manifest.artifacts['win32-x64']!.file);
    expect(output).toContain(manifest.artifacts['darwin-arm64']!.file);
  });

  it('says which file it needs when the folder holds none (e.g. another version)', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, `electron-v1.0.0-${platformKey()}.zip`), 'old');
    const { status, output } = vendor([dir]);
    expect(status).toBe(1);
    expect(output).toContain(`electron-v1.0.0-${platformKey()}.zip`);
    expect(output).toContain(manifest.artifacts[platformKey()]!.file);
  });

  it('explains its usage without a folder, and accepts ELECTRON_VENDOR_DIR', () => {
    expect(vendor([]).status).toBe(2);
    expect(vendor([]).output).toContain('ELECTRON_VENDOR_DIR');
    expect(vendor([], { ELECTRON_VENDOR_DIR: tempDir() }).status).toBe(1);
    expect(vendor([path.join(tempDir(), 'missing')]).status).toBe(2);
  });
});

describe('electron-builder config', () => {
  const config = require(path.join(root, 'build', 'electron-builder.config.cjs'));

  it('packages the pinned Electron with the fuses flipped', () => {
    expect(config.electronVersion).toBe(manifest.version);
    expect(config.productName).toBe('杏林');
    expect(config.asar).toBe(true);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
    });
  });

  it('keeps native binaries out of the asar and node-llama-cpp binaries per platform', () => {
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['**/*.node', 'node_modules/@node-llama-cpp/**']));
    expect(config.files).toEqual(expect.arrayContaining(['dist/main/**', 'dist/renderer/**', '!node_modules/@node-llama-cpp/*/bins/**/*', 'node_modules/@node-llama-cpp/${os}-${arch}*/bins/**/*']));
    expect(config.files.filter((f: string) => !f.startsWith('!') && !f.startsWith('node_modules/'))).toEqual(['package.json', 'dist/main/**', 'dist/renderer/**']);
  });

  it('takes Electron from the vendored zip and stops (instead of downloading) when it is missing', async () => {
    expect(config.electronDist({ platformName: 'win32', arch: 'x64' })).toBe(path.join(VENDOR_CACHE, manifest.artifacts['win32-x64']!.file));
    const empty = { ...manifest, artifacts: { 'linux-x64': { ...manifest.artifacts['linux-x64']!, file: 'never-vendored.zip' } } };
    await expect(vendoredZip('linux', 'x64', empty)).rejects.toThrow(/vendor-electron\.mjs/);
    await expect(vendoredZip('freebsd', 'x64', manifest)).rejects.toThrow(/pins no Electron/);
  });
});
