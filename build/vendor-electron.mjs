#!/usr/bin/env node
// Installs Electron from zips the IT staff copied in, on machines that cannot download it:
//   node build/vendor-electron.mjs <folder>      (or ELECTRON_VENDOR_DIR=<folder>)
// Every zip is checked against electron.vendor.json before anything is written; one mismatch
// and nothing is installed. The zip for this machine is unpacked where the `electron` package
// looks (node_modules/electron/dist + path.txt); all verified zips are kept for packaging.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vendor from './electron-vendor.cjs';

const { ELECTRON_PACKAGE_DIR, VENDOR_CACHE, readManifest, platformKey, sha256File, executableFor } = vendor;

function fail(code, zh, en) {
  console.error(`${zh}\n${en}`);
  process.exit(code);
}

const dir = process.argv[2] ?? process.env.ELECTRON_VENDOR_DIR;
if (!dir) fail(2, '用法：node build/vendor-electron.mjs <存放 Electron 压缩包的文件夹>（或设置 ELECTRON_VENDOR_DIR）', 'Usage: node build/vendor-electron.mjs <folder with the Electron zips> (or set ELECTRON_VENDOR_DIR)');
if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) fail(2, `文件夹不存在：${dir}`, `Not a folder: ${dir}`);

const manifest = readManifest();
const installed = JSON.parse(fs.readFileSync(path.join(ELECTRON_PACKAGE_DIR, 'package.json'), 'utf8')).version;
if (installed !== manifest.version) {
  fail(1, `electron.vendor.json 固定的是 Electron ${manifest.version}，但 node_modules 中的 electron 包是 ${installed}。`, `electron.vendor.json pins Electron ${manifest.version} but node_modules has electron ${installed}.`);
}

// 1. Verify everything first.
const verified = [];
const refused = [];
for (const [key, artifact] of Object.entries(manifest.artifacts)) {
  const file = path.join(dir, artifact.file);
  if (!fs.existsSync(file)) continue;
  const actual = await sha256File(file);
  (actual === artifact.sha256 ? verified : refused).push({ key, file, expected: artifact.sha256, actual });
}
const headersFile = path.join(dir, manifest.headers.file);
const headers = fs.existsSync(headersFile) ? { file: headersFile, expected: manifest.headers.sha256, actual: await sha256File(headersFile) } : null;
if (headers?.expected && headers.actual !== headers.expected) refused.push({ key: 'headers', ...headers });

if (refused.length) {
  const lines = refused.map((r) => `  ${r.file}\n    expected / 应为 sha256 ${r.expected}\n    actual   / 实际 sha256 ${r.actual}`).join('\n');
  fail(
    1,
    `校验失败，未安装任何文件：以下文件的 sha256 与 electron.vendor.json 不符（文件可能损坏、被篡改或版本不对）。请从 ${manifest.release} 重新获取。`,
    `Checksum mismatch, nothing was installed: these files do not match electron.vendor.json (corrupt, tampered with, or another version). Get them again from ${manifest.release}.\n${lines}`,
  );
}
const known = new Set([...Object.values(manifest.artifacts).map((a) => a.file), manifest.headers.file]);
for (const name of fs.readdirSync(dir)) {
  if (/^electron-v.*\.zip$/.test(name) && !known.has(name)) console.warn(`忽略 / ignored (not pinned in electron.vendor.json): ${name}`);
}
if (!verified.length) {
  const expected = manifest.artifacts[platformKey()]?.file ?? `electron-v${manifest.version}-${platformKey()}.zip`;
  fail(1, `在 ${dir} 中没有找到 electron.vendor.json 列出的压缩包（本机需要 ${expected}）。`, `No zip listed in electron.vendor.json was found in ${dir} (this machine needs ${expected}).`);
}

// 2. Keep every verified zip for electron-builder (electronDist), so packaging needs no download.
fs.mkdirSync(VENDOR_CACHE, { recursive: true });
for (const { file } of verified) fs.copyFileSync(file, path.join(VENDOR_CACHE, path.basename(file)));
console.log(`已校验 / verified: ${verified.map((v) => v.key).join(', ')} → ${VENDOR_CACHE}`);

// 3. Unpack this machine's zip where the electron package expects it.
const own = verified.find((v) => v.key === platformKey());
if (own) {
  const require = createRequire(path.join(ELECTRON_PACKAGE_DIR, 'package.json'));
  const { extract } = await import(pathToFileURL(require.resolve('@electron-internal/extract-zip')).href);
  const dist = path.join(ELECTRON_PACKAGE_DIR, 'dist');
  fs.rmSync(dist, { recursive: true, force: true });
  await extract(own.file, { dir: dist });
  const executable = executableFor();
  if (!fs.existsSync(path.join(dist, executable))) fail(1, `解压后找不到 ${executable}。`, `${executable} is missing after unpacking ${own.file}.`);
  if (process.platform !== 'win32') fs.chmodSync(path.join(dist, executable), 0o755);
  fs.writeFileSync(path.join(ELECTRON_PACKAGE_DIR, 'path.txt'), executable);
  console.log(`Electron ${manifest.version} 已安装 / installed: ${path.join(dist, executable)}`);
} else {
  console.log(`本机（${platformKey()}）的压缩包不在其中；已保存的压缩包可用于打包。/ No zip for this machine (${platformKey()}); the verified zips are kept for packaging.`);
}

// 4. Node headers, for rebuilding better-sqlite3 against Electron when packaging (node-gyp's layout).
if (headers && !headers.expected) {
  console.warn(
    `未安装 ${manifest.headers.file}：electron.vendor.json 尚未固定它的 sha256。请与 ${manifest.headers.checksumsUrl} 核对后写入：${headers.actual}\n` +
      `Not installed ${manifest.headers.file}: electron.vendor.json pins no sha256 for it yet. Check this value against ${manifest.headers.checksumsUrl}, then pin it: ${headers.actual}`,
  );
} else if (headers) {
  const gypDir = path.join(os.homedir(), '.electron-gyp', manifest.version);
  fs.mkdirSync(gypDir, { recursive: true });
  const tar = spawnSync('tar', ['-xzf', headers.file, '-C', gypDir, '--strip-components=1'], { stdio: 'inherit' });
  if (tar.status !== 0) fail(1, `解压 ${headers.file} 失败。`, `Could not unpack ${headers.file}.`);
  const nodeGyp = createRequire(import.meta.url)('node-gyp/package.json');
  fs.writeFileSync(path.join(gypDir, 'installVersion'), `${nodeGyp.installVersion}\n`);
  console.log(`Electron 头文件已安装 / headers installed: ${gypDir}`);
}
