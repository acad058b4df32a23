'use strict';
// `npm run dist`: installers from dist/ (run `npm run build` first; the script does).
// Offline by construction: Electron comes from the zips verified by vendor-electron.mjs, never
// from the network. Style after Signal-Desktop (asarUnpack of native addons, fuses flipped) and
// node-llama-cpp's Electron template (its binaries out of the asar, filtered per platform).
// Two switches, read when the config loads (build/dist.mjs passes them through):
//   XINGLIN_DIST_CUDA=1     also ship node-llama-cpp's CUDA binaries (Linux, Windows; large)
//   XINGLIN_DIST_INSPECT=1  keep the --inspect fuse on, for end-to-end tests of the package only
const fs = require('node:fs');
const path = require('node:path');
const { VENDOR_CACHE, readManifest, platformKey, vendoredZip, headersInstalled } = require('./electron-vendor.cjs');

const manifest = readManifest();
const withCuda = process.env.XINGLIN_DIST_CUDA === '1';
const keepInspect = process.env.XINGLIN_DIST_INSPECT === '1';
const noCuda = ['!node_modules/@node-llama-cpp/*-cuda*/**/*', '!node_modules/node-llama-cpp/bins/*-cuda*/**/*'];
// electron-builder's Arch enum: ia32, x64, armv7l, arm64, universal.
const archName = (arch) => ['ia32', 'x64', 'armv7l', 'arm64', 'universal'][arch] ?? String(arch);

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'cn.xinglin.desktop', // also APP_ID in src-main/hosts/electron/main.ts
  productName: '杏林',
  // An ASCII file name for the executable, the .deb and the AppImage.
  executableName: 'xinglin',
  artifactName: 'xinglin-${version}-${os}-${arch}.${ext}',
  copyright: 'Xinglin 杏林',
  directories: { output: 'release', buildResources: 'build' },

  electronVersion: manifest.version,
  // electron-builder falls back to downloading when this hook throws, so it only names the zip;
  // beforePack (whose errors do stop the build) checks that it is there and its sha256.
  electronDist: (options) => path.join(VENDOR_CACHE, manifest.artifacts[platformKey(options.platformName, options.arch)]?.file ?? 'missing.zip'),
  beforePack: async (context) => {
    await vendoredZip(context.electronPlatformName, archName(context.arch), manifest);
  },
  // Runs before the dependency rebuild: fail with a clear message rather than a network error.
  beforeBuild: async (context) => {
    await vendoredZip(context.platform.nodeName, context.arch, manifest);
    if (!headersInstalled(manifest.version)) {
      throw new Error(
        `缺少 Electron ${manifest.version} 的头文件（重新编译 better-sqlite3-multiple-ciphers 需要）：把 ${manifest.headers.file} 放进同一文件夹后再运行 npm run vendor:electron -- --from <文件夹>。\n` +
          `Missing the Electron ${manifest.version} headers (needed to rebuild better-sqlite3-multiple-ciphers): put ${manifest.headers.file} in the same folder and run npm run vendor:electron -- --from <folder> again.`,
      );
    }
    return true;
  },
  // No Help menu links, no locales we do not ship a UI for.
  electronLanguages: ['zh-CN', 'en-US'],

  asar: true,
  // Native code cannot be loaded from inside an asar: addons and llama.cpp's binaries stay outside.
  // So does the starter knowledge base: Electron redirects reads of unpacked files, so the app
  // finds it where it always looks (dist/main/starter) while IT can inspect or replace it.
  // Models are never packaged: they are imported into the models folder of the user-data folder.
  asarUnpack: ['**/*.node', 'node_modules/node-llama-cpp/bins/**', 'node_modules/@node-llama-cpp/**', 'dist/main/starter/**'],
  files: [
    'package.json',
    'dist/main/**',
    'dist/renderer/**',
    '!**/*.map',
    // node-llama-cpp: prebuilt binaries for the target platform only (`${os}` is linux/mac/win,
    // as in the @node-llama-cpp/<os>-<arch>[-gpu] package names); we never build from source.
    '!node_modules/node-llama-cpp/bins/**/*',
    'node_modules/node-llama-cpp/bins/${os}-${arch}*/**/*',
    '!node_modules/@node-llama-cpp/*/bins/**/*',
    'node_modules/@node-llama-cpp/${os}-${arch}*/bins/**/*',
    ...(withCuda ? [] : noCuda),
    '!node_modules/node-llama-cpp/llama/localBuilds/**/*',
    '!node_modules/node-llama-cpp/llama/gitRelease.bundle',
    // better-sqlite3-multiple-ciphers's SQLite sources are only needed to compile it.
    '!node_modules/better-sqlite3-multiple-ciphers/{deps,src,docs}/**/*',
  ],
  // better-sqlite3-multiple-ciphers is rebuilt against Electron's ABI; offline this needs the Node headers that
  // vendor-electron.mjs installs (dist.mjs points npm_config_nodedir at them).
  // node-llama-cpp ships N-API prebuilts.
  npmRebuild: true,
  buildDependenciesFromSource: false,

  electronFuses: {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: keepInspect,
    onlyLoadAppFromAsar: true,
    enableEmbeddedAsarIntegrityValidation: true,
    enableCookieEncryption: true,
    grantFileProtocolExtraPrivileges: false,
  },

  // A zip given as electronDist is unpacked as is, default_app.asar included; it is not ours.
  afterPack: async (context) => {
    const resources = context.electronPlatformName === 'darwin'
      ? path.join(context.appOutDir, `${context.packager.appInfo.productFilename}.app`, 'Contents', 'Resources')
      : path.join(context.appOutDir, 'resources');
    fs.rmSync(path.join(resources, 'default_app.asar'), { force: true });
  },

  linux: {
    target: [
      { target: 'AppImage', arch: ['x64'] },
      { target: 'deb', arch: ['x64'] },
    ],
    category: 'Office',
    synopsis: '离线临床助手 / offline clinical assistant',
    maintainer: 'Xinglin <xinglin@localhost>',
  },
  win: { target: [{ target: 'nsis', arch: ['x64'] }] },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    // Patient records live in the data folder: uninstalling the program must never delete them.
    deleteAppDataOnUninstall: false,
    shortcutName: '杏林',
  },
  // CUDA does not exist on macOS: never ship its binaries there, whatever XINGLIN_DIST_CUDA says.
  mac: { target: [{ target: 'dmg', arch: ['arm64', 'x64'] }], category: 'public.app-category.medical', files: noCuda },
  // No update server and no auto-update: new versions arrive on the stick like the first.
  publish: null,
};
