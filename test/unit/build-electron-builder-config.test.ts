// What `npm run dist` packages, read from the electron-builder config itself: the asar and what
// stays out of it, node-llama-cpp's binaries per platform, targets, fuses, no publishing.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VENDOR_CACHE, readManifest } from '../../build/electron-vendor.cjs';

const require = createRequire(import.meta.url);
const configFile = path.resolve(import.meta.dirname, '..', '..', 'build', 'electron-builder.config.cjs');
const manifest = readManifest();

/** The config as a fresh process loads it under `env` (its switches are read at load time). */
function loadConfig(env: NodeJS.ProcessEnv = {}) {
  const clean = { ...process.env, XINGLIN_DIST_CUDA: '', XINGLIN_DIST_INSPECT: '', ...env };
  const run = spawnSync(process.execPath, ['-e', `process.stdout.write(JSON.stringify(require(${JSON.stringify(configFile)})))`], { encoding: 'utf8', env: clean });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout);
}

const cudaExcluded = '!node_modules/@node-llama-cpp/*-cuda*/**/*';

describe('electron-builder config', () => {
  const config = loadConfig();

  it('packs the app into an asar and keeps native code and the starter knowledge base outside it', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['**/*.node', 'node_modules/node-llama-cpp/bins/**', 'node_modules/@node-llama-cpp/**', 'dist/main/starter/**']));
    // The app's own files are the bundles and package.json: no models folder, no sources.
    expect(config.files.filter((f: string) => !f.startsWith('!') && !f.startsWith('node_modules/'))).toEqual(['package.json', 'dist/main/**', 'dist/renderer/**']);
    expect(JSON.stringify(config)).not.toMatch(/models\/|\.gguf/);
  });

  it('ships only the node-llama-cpp binaries of the target platform and architecture, CUDA only when asked and never on macOS', () => {
    expect(config.files).toEqual(
      expect.arrayContaining(['!node_modules/@node-llama-cpp/*/bins/**/*', 'node_modules/@node-llama-cpp/${os}-${arch}*/bins/**/*', '!node_modules/node-llama-cpp/bins/**/*', 'node_modules/node-llama-cpp/bins/${os}-${arch}*/**/*']),
    );
    expect(config.files).toContain(cudaExcluded);
    expect(config.buildDependenciesFromSource).toBe(false);

    const withCuda = loadConfig({ XINGLIN_DIST_CUDA: '1' });
    expect(withCuda.files).not.toContain(cudaExcluded);
    expect(withCuda.mac.files).toContain(cudaExcluded);
  });

  it('builds AppImage and deb, NSIS and dmg, publishes nowhere and keeps patient data on uninstall', () => {
    expect(config.linux.target.map((t: { target: string }) => t.target)).toEqual(['AppImage', 'deb']);
    expect(config.win.target.map((t: { target: string }) => t.target)).toEqual(['nsis']);
    expect(config.mac.target.map((t: { target: string }) => t.target)).toEqual(['dmg']);
    expect(config.publish).toBeNull();
    expect(config.nsis.deleteAppDataOnUninstall).toBe(false);
  });

  it('flips the fuses, keeping --inspect only for an end-to-end test build', () => {
    const locked = { runAsNode: false, enableNodeOptionsEnvironmentVariable: false, onlyLoadAppFromAsar: true, enableEmbeddedAsarIntegrityValidation: true };
    expect(config.electronFuses).toMatchObject({ ...locked, enableNodeCliInspectArguments: false });
    expect(loadConfig({ XINGLIN_DIST_INSPECT: '1' }).electronFuses).toMatchObject({ ...locked, enableNodeCliInspectArguments: true });
  });

  it('uses the pinned, vendored Electron and rebuilds better-sqlite3-multiple-ciphers for it', () => {
    const live = require(configFile);
    expect(live.electronVersion).toBe(manifest.version);
    expect(live.electronDist({ platformName: 'darwin', arch: 'arm64' })).toBe(path.join(VENDOR_CACHE, manifest.artifacts['darwin-arm64']!.file));
    expect(config.npmRebuild).toBe(true);
  });
});
