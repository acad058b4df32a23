'use strict';
// Shared by vendor-electron.mjs, dist.mjs, start.mjs and electron-builder.config.cjs (CommonJS so
// the builder config can require it): the pinned Electron manifest, checksums, and where the
// vendored files go. Nothing here ever downloads. Every location can be moved by an environment
// variable so that tests (and IT staff with unusual layouts) never touch the real ones.
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const MANIFEST_PATH = process.env.XINGLIN_ELECTRON_MANIFEST || path.join(ROOT, 'electron.vendor.json');
const ELECTRON_PACKAGE_DIR = process.env.XINGLIN_ELECTRON_PACKAGE_DIR || path.join(ROOT, 'node_modules', 'electron');
/** Verified zips are kept here for electron-builder (`electronDist`), one per platform. */
const VENDOR_CACHE = process.env.XINGLIN_VENDOR_CACHE || path.join(ROOT, 'node_modules', '.cache', 'xinglin-electron');
/** The platforms we package (electron-builder targets) and therefore pin. */
const REQUIRED_PLATFORMS = ['linux-x64', 'linux-arm64', 'win32-x64', 'darwin-x64', 'darwin-arm64'];

function readManifest(file = MANIFEST_PATH) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** The Electron version package.json asks for (a devDependency pinned exactly). */
function packageElectronVersion(root = ROOT) {
  return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).devDependencies.electron;
}

/**
 * What is wrong with a manifest, one line each naming the file and the cause (Chinese / English);
 * empty when it is usable.
 */
function manifestProblems(manifest, file = MANIFEST_PATH, expectedVersion = packageElectronVersion()) {
  const problems = [];
  if (manifest.version !== expectedVersion) {
    problems.push(`${file}: 固定的 Electron 版本 ${manifest.version} 与 package.json 的 ${expectedVersion} 不一致 / pins Electron ${manifest.version} but package.json has ${expectedVersion}`);
  }
  for (const key of REQUIRED_PLATFORMS) {
    const artifact = manifest.artifacts?.[key];
    if (!artifact) problems.push(`${file}: 缺少 ${key} 条目 / no entry for ${key}`);
    else if (artifact.file !== `electron-v${manifest.version}-${key}.zip` || !/^[0-9a-f]{64}$/.test(artifact.sha256 ?? '')) {
      problems.push(`${file}: ${key} 条目的文件名或 sha256 无效 / the ${key} entry has a wrong file name or sha256`);
    }
  }
  if (manifest.headers?.file !== `node-v${manifest.version}-headers.tar.gz`) problems.push(`${file}: 头文件条目无效 / the headers entry names the wrong file`);
  return problems;
}

/** 'linux-x64', 'win32-x64', 'darwin-arm64' …: the keys of manifest.artifacts. */
function platformKey(platform = process.platform, arch = process.arch) {
  return `${platform === 'mas' ? 'darwin' : platform}-${arch}`;
}

function sha256File(file) {
  return new Promise((resolve, reject) => {
    const hash = crypto.createHash('sha256');
    fs.createReadStream(file)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** The sum SHASUMS256.txt gives for `fileName` (lines are `<sha256>  <name>`, `*name` in binary mode), or null. */
function shasumFor(shasumsText, fileName) {
  for (const line of shasumsText.split(/\r?\n/)) {
    const match = /^([0-9a-fA-F]{64})\s+\*?(.+?)\s*$/.exec(line);
    if (match && match[2] === fileName) return match[1].toLowerCase();
  }
  return null;
}

/**
 * Where node-gyp looks for Electron's headers: ~/.electron-gyp/<version> (the layout
 * @electron/rebuild uses), also passed as npm_config_nodedir so nothing is downloaded.
 */
function headersDir(version) {
  return process.env.XINGLIN_ELECTRON_HEADERS_DIR || path.join(os.homedir(), '.electron-gyp', version);
}

/** @electron/get's cache root (as env-paths computes it), where `npm install electron` looks first. */
function electronCacheRoot() {
  if (process.env.electron_config_cache) return process.env.electron_config_cache;
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'electron');
  if (process.platform === 'win32') return path.join(process.env.LOCALAPPDATA || path.join(os.homedir(), 'AppData', 'Local'), 'electron', 'Cache');
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'electron');
}

/** @electron/get's cache path for a download: a folder named by the sha256 of the URL's folder. */
function electronCachePath(url, root = electronCacheRoot()) {
  const parsed = new URL(url);
  const fileName = path.posix.basename(parsed.pathname);
  parsed.hash = '';
  parsed.search = '';
  parsed.pathname = path.posix.dirname(parsed.pathname);
  return path.join(root, crypto.createHash('sha256').update(parsed.toString()).digest('hex'), fileName);
}

/** The executable name the electron package records in path.txt (as its install.js does). */
function executableFor(platform = process.platform) {
  if (platform === 'darwin' || platform === 'mas') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

/**
 * The Electron executable, or null when it is not installed. Checked on disk first because
 * `require('electron')` starts a download when its binary is missing, which on an offline
 * machine only fails slowly.
 */
function electronBinary() {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathTxt = path.join(ELECTRON_PACKAGE_DIR, 'path.txt');
  const relative = fs.existsSync(pathTxt) ? fs.readFileSync(pathTxt, 'utf8').trim() : null;
  const expected = override ? path.join(override, relative || 'electron') : relative ? path.join(ELECTRON_PACKAGE_DIR, 'dist', relative) : null;
  if (!expected || !fs.existsSync(expected)) return null;
  try {
    return require(ELECTRON_PACKAGE_DIR);
  } catch {
    return null;
  }
}

/**
 * For electron-builder's `electronDist`: the verified zip for the target, or an error that says
 * how to vendor it (never a silent download).
 */
async function vendoredZip(platformName, arch, manifest = readManifest()) {
  const artifact = manifest.artifacts[platformKey(platformName, arch)];
  if (!artifact) throw new Error(`electron.vendor.json pins no Electron for ${platformName}-${arch}.`);
  const zip = path.join(VENDOR_CACHE, artifact.file);
  if (!fs.existsSync(zip)) {
    throw new Error(`缺少 ${artifact.file}：请先运行 npm run vendor:electron -- --from <存放该文件的文件夹>。\nMissing ${artifact.file}: copy it into a folder and run npm run vendor:electron -- --from <folder> first.`);
  }
  const actual = await sha256File(zip);
  if (actual !== artifact.sha256) throw new Error(`${zip}: sha256 ${actual} does not match electron.vendor.json (${artifact.sha256}).`);
  return zip;
}

/** Whether the headers for better-sqlite3-multiple-ciphers's Electron build were installed by vendor-electron.mjs. */
function headersInstalled(version) {
  return fs.existsSync(path.join(headersDir(version), 'installVersion'));
}

module.exports = {
  ROOT,
  MANIFEST_PATH,
  ELECTRON_PACKAGE_DIR,
  VENDOR_CACHE,
  REQUIRED_PLATFORMS,
  readManifest,
  packageElectronVersion,
  manifestProblems,
  platformKey,
  sha256File,
  shasumFor,
  headersDir,
  headersInstalled,
  electronCacheRoot,
  electronCachePath,
  executableFor,
  electronBinary,
  vendoredZip,
};
