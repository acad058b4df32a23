'use strict';
// Shared by vendor-electron.mjs, start.mjs and electron-builder.config.cjs (CommonJS so the
// builder config can require it): the pinned Electron manifest, checksums, and where the
// vendored binary lives. Nothing here ever downloads.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const MANIFEST_PATH = path.join(ROOT, 'electron.vendor.json');
const ELECTRON_PACKAGE_DIR = path.join(ROOT, 'node_modules', 'electron');
/** Verified zips are kept here for electron-builder (`electronDist`), one per platform. */
const VENDOR_CACHE = path.join(ROOT, 'node_modules', '.cache', 'xinglin-electron');

function readManifest(file = MANIFEST_PATH) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
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
    throw new Error(`缺少 ${artifact.file}：请先运行 node build/vendor-electron.mjs <存放该文件的文件夹>。\nMissing ${artifact.file}: copy it into a folder and run node build/vendor-electron.mjs <folder> first.`);
  }
  const actual = await sha256File(zip);
  if (actual !== artifact.sha256) throw new Error(`${zip}: sha256 ${actual} does not match electron.vendor.json (${artifact.sha256}).`);
  return zip;
}

module.exports = { ROOT, MANIFEST_PATH, ELECTRON_PACKAGE_DIR, VENDOR_CACHE, readManifest, platformKey, sha256File, executableFor, electronBinary, vendoredZip };
