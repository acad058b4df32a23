#!/usr/bin/env node
// Installs Electron from files IT staff brought (on a USB stick) to machines that cannot download:
//   npm run vendor:electron -- --from <folder> [--pin]     (or: node build/vendor-electron.mjs <folder>)
// The folder holds any of the zips pinned in electron.vendor.json and, for packaging, the headers
// tarball. Everything is checked against the manifest before anything is written; one mismatch
// and nothing is installed. Verified files go where their users look: this machine's zip unpacked
// for `npm start` (node_modules/electron/dist + path.txt), every zip into the vendor cache
// (electron-builder's `electronDist`) and Electron's download cache, the headers into
// ~/.electron-gyp/<version> (node-gyp's layout, also given to it as npm_config_nodedir).
// --pin: the headers' sha256 is published only in SHASUMS256.txt beside them; bring that file
// too and the tarball is checked against it and its sum written into the manifest.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import vendor from './electron-vendor.cjs';

const { ELECTRON_PACKAGE_DIR, MANIFEST_PATH, VENDOR_CACHE, readManifest, manifestProblems, platformKey, sha256File, shasumFor, headersDir, electronCachePath, executableFor } = vendor;

function fail(code, zh, en) {
  console.error(`${zh}\n${en}`);
  process.exit(code);
}

function parseCommandLine() {
  try {
    return parseArgs({ allowPositionals: true, options: { from: { type: 'string' }, pin: { type: 'boolean', default: false } } });
  } catch (error) {
    return fail(2, `参数错误：${error.message}`, `Bad arguments: ${error.message}`);
  }
}

/** Copies through a temporary name, so an interrupted copy never leaves a truncated file in place. */
function copyInto(file, target) {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  fs.copyFileSync(file, partial);
  fs.renameSync(partial, target);
}

/** Fills a fresh sibling folder, then swaps it for `target`: a failure leaves the old one intact. */
async function replaceFolder(target, fill) {
  const fresh = `${target}.partial-${process.pid}`;
  fs.rmSync(fresh, { recursive: true, force: true });
  fs.mkdirSync(fresh, { recursive: true });
  try {
    await fill(fresh);
  } catch (error) {
    fs.rmSync(fresh, { recursive: true, force: true });
    throw error;
  }
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(fresh, target);
}

const { values, positionals } = parseCommandLine();
const dir = values.from ?? positionals[0] ?? process.env.ELECTRON_VENDOR_DIR;
if (!dir) fail(2, '用法：npm run vendor:electron -- --from <存放 Electron 压缩包的文件夹> [--pin]（或设置 ELECTRON_VENDOR_DIR）', 'Usage: npm run vendor:electron -- --from <folder with the Electron zips> [--pin] (or set ELECTRON_VENDOR_DIR)');
if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) fail(2, `文件夹不存在：${dir}`, `Not a folder: ${dir}`);

let manifest;
try {
  manifest = readManifest();
} catch (error) {
  fail(1, `无法读取 ${MANIFEST_PATH}：${error.message}`, `Cannot read ${MANIFEST_PATH}: ${error.message}`);
}
const problems = manifestProblems(manifest);
if (problems.length) fail(1, `electron.vendor.json 有误，未安装任何文件：\n  ${problems.join('\n  ')}`, 'The manifest is wrong; nothing was installed.');
const electronPackage = path.join(ELECTRON_PACKAGE_DIR, 'package.json');
const installed = fs.existsSync(electronPackage) ? JSON.parse(fs.readFileSync(electronPackage, 'utf8')).version : '(none / 未安装)';
if (installed !== manifest.version) {
  fail(1, `${MANIFEST_PATH} 固定的是 Electron ${manifest.version}，但 ${ELECTRON_PACKAGE_DIR} 中的 electron 包是 ${installed}。`, `${MANIFEST_PATH} pins Electron ${manifest.version} but ${ELECTRON_PACKAGE_DIR} has electron ${installed}.`);
}

// 1. Verify everything first.
const verified = [];
const refused = [];
for (const [key, artifact] of Object.entries(manifest.artifacts)) {
  const file = path.join(dir, artifact.file);
  if (!fs.existsSync(file)) continue;
  const actual = await sha256File(file);
  (actual === artifact.sha256 ? verified : refused).push({ key, file, artifact, expected: artifact.sha256, actual, source: 'electron.vendor.json' });
}
const headersFile = path.join(dir, manifest.headers.file);
const headers = fs.existsSync(headersFile) ? { key: 'headers', file: headersFile, expected: manifest.headers.sha256, actual: await sha256File(headersFile), source: 'electron.vendor.json' } : null;
let pinned = null;
if (values.pin) {
  const shasumsFile = path.join(dir, 'SHASUMS256.txt');
  if (!headers || !fs.existsSync(shasumsFile)) {
    fail(1, `--pin 需要同一文件夹中的 ${manifest.headers.file} 和 SHASUMS256.txt（来自 ${manifest.headers.checksumsUrl}）。`, `--pin needs ${manifest.headers.file} and SHASUMS256.txt (from ${manifest.headers.checksumsUrl}) in ${dir}.`);
  }
  const published = shasumFor(fs.readFileSync(shasumsFile, 'utf8'), manifest.headers.file);
  if (!published) fail(1, `${shasumsFile} 中没有 ${manifest.headers.file} 的 sha256。`, `${shasumsFile} lists no sha256 for ${manifest.headers.file}.`);
  if (headers.expected && headers.expected !== published) {
    refused.push({ ...headers, actual: published, file: shasumsFile });
  } else if (headers.actual !== published) {
    refused.push({ ...headers, expected: published, source: 'SHASUMS256.txt' });
  } else if (!headers.expected) {
    pinned = published;
    headers.expected = published;
  }
} else if (headers?.expected && headers.actual !== headers.expected) {
  refused.push(headers);
}

if (refused.length) {
  const lines = refused.map((r) => `  ${r.file}\n    expected / 应为 sha256 ${r.expected} (${r.source})\n    actual   / 实际 sha256 ${r.actual}`).join('\n');
  fail(
    1,
    `校验失败，未安装任何文件：以下文件的 sha256 与应有的值不符（文件可能损坏、不完整、被篡改或版本不对）。请从 ${manifest.release} 重新获取。`,
    `Checksum mismatch, nothing was installed: these files do not match (corrupt, truncated, tampered with, or another version). Get them again from ${manifest.release}.\n${lines}`,
  );
}
const known = new Set([...Object.values(manifest.artifacts).map((a) => a.file), manifest.headers.file]);
for (const name of fs.readdirSync(dir)) {
  if (/^(electron-v.*\.zip|node-v.*-headers\.tar\.gz)$/.test(name) && !known.has(name)) console.warn(`忽略 / ignored (not pinned in electron.vendor.json): ${name}`);
}
if (!verified.length && !headers) {
  const expected = manifest.artifacts[platformKey()]?.file ?? `electron-v${manifest.version}-${platformKey()}.zip`;
  fail(1, `在 ${dir} 中没有找到 electron.vendor.json 列出的文件（本机需要 ${expected}）。`, `No file listed in electron.vendor.json was found in ${dir} (this machine needs ${expected}).`);
}

// 2. Pin the headers' sum, so every later install is checked against it.
if (pinned) {
  const updated = { ...manifest, headers: { ...manifest.headers, sha256: pinned } };
  const partial = `${MANIFEST_PATH}.partial-${process.pid}`;
  fs.writeFileSync(partial, `${JSON.stringify(updated, null, 2)}\n`);
  fs.renameSync(partial, MANIFEST_PATH);
  console.log(`已固定 / pinned ${manifest.headers.file} sha256 ${pinned} → ${MANIFEST_PATH}`);
}

// 3. Keep every verified zip for electron-builder (electronDist) and in Electron's download cache.
for (const { file, artifact } of verified) {
  copyInto(file, path.join(VENDOR_CACHE, artifact.file));
  copyInto(file, electronCachePath(artifact.url));
}
if (verified.length) console.log(`已校验 / verified: ${verified.map((v) => v.key).join(', ')} → ${VENDOR_CACHE}`);

// 4. Unpack this machine's zip where the electron package expects it.
const own = verified.find((v) => v.key === platformKey());
if (own) {
  const require = createRequire(import.meta.url);
  const { extract } = await import(pathToFileURL(require.resolve('@electron-internal/extract-zip')).href);
  const executable = executableFor();
  const dist = path.join(ELECTRON_PACKAGE_DIR, 'dist');
  await replaceFolder(dist, async (fresh) => {
    await extract(own.file, { dir: fresh });
    if (!fs.existsSync(path.join(fresh, executable))) throw new Error(`${executable} missing / 缺少 ${executable}`);
    if (process.platform !== 'win32') fs.chmodSync(path.join(fresh, executable), 0o755);
  }).catch((error) => fail(1, `解压 ${own.file} 失败（${error.message}），node_modules/electron 未作改动。`, `Could not unpack ${own.file} (${error.message}); node_modules/electron was not changed.`));
  fs.writeFileSync(path.join(ELECTRON_PACKAGE_DIR, 'path.txt'), executable);
  console.log(`Electron ${manifest.version} 已安装 / installed: ${path.join(dist, executable)}`);
} else if (verified.length) {
  console.log(`本机（${platformKey()}）的压缩包不在其中；已保存的压缩包可用于打包。/ No zip for this machine (${platformKey()}); the verified zips are kept for packaging.`);
}

// 5. Node headers, for rebuilding better-sqlite3-multiple-ciphers against Electron when packaging.
if (headers && !headers.expected) {
  console.warn(
    `未安装 ${manifest.headers.file}：electron.vendor.json 尚未固定它的 sha256。请把 ${manifest.headers.checksumsUrl} 一并带来，运行 npm run vendor:electron -- --from ${dir} --pin。\n` +
      `Not installed ${manifest.headers.file}: electron.vendor.json pins no sha256 for it yet. Bring SHASUMS256.txt from ${manifest.headers.checksumsUrl} into the same folder and run npm run vendor:electron -- --from ${dir} --pin.`,
  );
} else if (headers) {
  const gypDir = headersDir(manifest.version);
  await replaceFolder(gypDir, (fresh) => {
    const tar = spawnSync('tar', ['-xzf', headers.file, '-C', fresh, '--strip-components=1'], { stdio: 'inherit' });
    if (tar.status !== 0) throw new Error(`tar exited with ${tar.status}`);
    const nodeGyp = createRequire(import.meta.url)('node-gyp/package.json');
    fs.writeFileSync(path.join(fresh, 'installVersion'), `${nodeGyp.installVersion}\n`);
  }).catch((error) => fail(1, `解压 ${headers.file} 失败（${error.message}），未作任何改动。`, `Could not unpack ${headers.file} (${error.message}); nothing was changed.`));
  console.log(`Electron 头文件已安装 / headers installed: ${gypDir}`);
}
