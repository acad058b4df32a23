// electron.vendor.json against the electron package npm installed: the pinned version and every
// zip's sha256 must be the ones that package ships, or vendored installs would check the wrong sums.
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ELECTRON_PACKAGE_DIR, MANIFEST_PATH, REQUIRED_PLATFORMS, electronCachePath, manifestProblems, packageElectronVersion, readManifest, shasumFor, vendoredZip } from '../../build/electron-vendor.cjs';

const require = createRequire(import.meta.url);
const manifest = readManifest();

describe('electron.vendor.json', () => {
  it('pins the Electron that package.json asks for and node_modules holds', () => {
    expect(manifest.version).toBe(packageElectronVersion());
    expect(manifest.version).toBe(require(path.join(ELECTRON_PACKAGE_DIR, 'package.json')).version);
  });

  it('carries, for every platform we package, the zip and sha256 from the checksums.json of that electron package', () => {
    const checksums = require(path.join(ELECTRON_PACKAGE_DIR, 'checksums.json')) as Record<string, string>;
    expect(Object.keys(manifest.artifacts).sort()).toEqual([...REQUIRED_PLATFORMS].sort());
    for (const key of REQUIRED_PLATFORMS) {
      const artifact = manifest.artifacts[key]!;
      expect(artifact.file).toBe(`electron-v${manifest.version}-${key}.zip`);
      expect(artifact.sha256).toBe(checksums[artifact.file]);
      expect(artifact.url).toBe(`https://github.com/electron/electron/releases/download/v${manifest.version}/${artifact.file}`);
    }
    expect(manifest.headers.file).toBe(`node-v${manifest.version}-headers.tar.gz`);
    expect(manifestProblems(manifest)).toEqual([]);
  });

  it('is refused when a platform entry is missing or its version differs from package.json, naming the file and the cause', () => {
    const { 'linux-arm64': _dropped, ...others } = manifest.artifacts;
    const [missing] = manifestProblems({ ...manifest, artifacts: others }, '/stick/electron.vendor.json');
    expect(missing).toContain('/stick/electron.vendor.json');
    expect(missing).toContain('linux-arm64');

    const problems = manifestProblems({ ...manifest, version: '44.0.0' }, MANIFEST_PATH);
    expect(problems[0]).toContain('44.0.0');
    expect(problems[0]).toContain(packageElectronVersion());
    // The zip names carry the version, so every entry is flagged as well.
    expect(problems.length).toBeGreaterThan(REQUIRED_PLATFORMS.length);
  });

  it('packaging stops (instead of downloading) for a target it does not pin or has not vendored', async () => {
    await expect(vendoredZip('freebsd', 'x64', manifest)).rejects.toThrow(/pins no Electron/);
    const unvendored = { ...manifest, artifacts: { 'linux-x64': { ...manifest.artifacts['linux-x64']!, file: 'never-vendored.zip' } } };
    await expect(vendoredZip('linux', 'x64', unvendored)).rejects.toThrow(/never-vendored\.zip.*npm run vendor:electron -- --from/);
  });
});

describe('where vendored files go', () => {
  it("puts zips where @electron/get's cache looks first", async () => {
    const cacheModule = path.join(path.dirname(require.resolve('@electron/get')), 'Cache.js');
    const { Cache } = (await import(pathToFileURL(cacheModule).href)) as { Cache: new (root: string) => { getCachePath(url: string, file: string): string } };
    const root = path.join(os.tmpdir(), 'electron-cache-root'); // only computed, never created
    const artifact = manifest.artifacts['win32-x64']!;
    expect(electronCachePath(artifact.url, root)).toBe(new Cache(root).getCachePath(artifact.url, artifact.file));
  });

  it('reads the headers sum from SHASUMS256.txt lines (text or binary mode)', () => {
    const sum = 'a'.repeat(64);
    const text = `${'b'.repeat(64)}  iojs-v45.4.1.tar.gz\n${sum.toUpperCase()} *node-v45.4.1-headers.tar.gz\r\n`;
    expect(shasumFor(text, 'node-v45.4.1-headers.tar.gz')).toBe(sum);
    expect(shasumFor(text, 'node-v45.4.1-headers.tar')).toBeNull();
  });
});
