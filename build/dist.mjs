#!/usr/bin/env node
// `npm run dist [-- <electron-builder arguments>]`, e.g. `npm run dist -- --linux dir`.
// Packaging must work offline, so before building anything this checks that what electron-builder
// would otherwise download is vendored: the Electron zip of every target and the headers
// better-sqlite3-multiple-ciphers is rebuilt against. What is missing is said in one paragraph (Chinese, then
// English) and the script exits 1, without a stack trace. Then: build, electron-builder.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vendor from './electron-vendor.cjs';

const { ROOT, MANIFEST_PATH, VENDOR_CACHE, readManifest, manifestProblems, platformKey, sha256File, headersDir, headersInstalled } = vendor;
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);

const PLATFORM_FLAGS = { '--linux': 'linux', '-l': 'linux', '--win': 'win32', '--windows': 'win32', '-w': 'win32', '--mac': 'darwin', '--macos': 'darwin', '-m': 'darwin' };
const CONFIG_KEYS = { linux: 'linux', win32: 'win', darwin: 'mac' };
const ARCHES = ['x64', 'arm64', 'ia32', 'armv7l'];

/**
 * The platform-arch pairs electron-builder will package, as it decides them: the platforms named on
 * the command line (else this one); the arches named (--x64 …), else the host's when targets follow
 * the platform flag (`--linux dir`), else those the config lists for the platform.
 */
function packagedTargets(cliArgs, config, host = { platform: process.platform, arch: process.arch }) {
  const named = ARCHES.filter((arch) => cliArgs.includes(`--${arch}`));
  const platforms = [];
  cliArgs.forEach((arg, index) => {
    const platform = PLATFORM_FLAGS[arg];
    if (!platform || platforms.some((p) => p.platform === platform)) return;
    const next = cliArgs[index + 1];
    platforms.push({ platform, withTargets: next !== undefined && !next.startsWith('-') });
  });
  if (!platforms.length) platforms.push({ platform: host.platform, withTargets: false });
  return platforms.flatMap(({ platform, withTargets }) => {
    const configured = [...new Set((config[CONFIG_KEYS[platform]]?.target ?? []).flatMap((t) => t.arch ?? []))];
    const arches = named.length ? named : withTargets || !configured.length ? [host.arch] : configured;
    return arches.map((arch) => platformKey(platform, arch));
  });
}

/** Files that must be vendored (or re-vendored) before packaging, each with why. */
async function missingForPackaging(manifest, keys) {
  const missing = [];
  for (const key of keys) {
    const artifact = manifest.artifacts[key];
    if (!artifact) {
      missing.push({ file: `electron-v${manifest.version}-${key}.zip`, zh: '清单中没有此平台', en: 'not pinned in electron.vendor.json' });
      continue;
    }
    const zip = path.join(VENDOR_CACHE, artifact.file);
    if (!fs.existsSync(zip)) missing.push({ file: artifact.file, zh: '未导入', en: 'not vendored' });
    else if ((await sha256File(zip)) !== artifact.sha256) missing.push({ file: artifact.file, zh: '校验不符', en: 'checksum mismatch' });
  }
  if (!headersInstalled(manifest.version)) missing.push({ file: manifest.headers.file, zh: '未导入', en: 'not vendored' });
  return missing;
}

function explainAndExit(manifest, missing) {
  const zh = missing.map((m) => `${m.file}（${m.zh}）`).join('、');
  const en = missing.map((m) => `${m.file} (${m.en})`).join(', ');
  console.error(
    `无法离线打包：缺少 ${zh}。打包不会联网下载 Electron，请在能上网的电脑上从 ${manifest.release} 和 ${path.posix.dirname(manifest.headers.url)}/ 取得这些文件（头文件连同 SHASUMS256.txt），拷到一个文件夹，运行 npm run vendor:electron -- --from <该文件夹>（首次导入头文件时加 --pin），它会校验 sha256 并放到打包所需的位置，然后再运行 npm run dist。\n\n` +
      `Cannot package offline: missing ${en}. Packaging never downloads Electron: on a machine with internet access get these files from ${manifest.release} and ${path.posix.dirname(manifest.headers.url)}/ (the headers together with SHASUMS256.txt), copy them into a folder and run npm run vendor:electron -- --from <folder> (add --pin the first time the headers are brought); it checks their sha256 and puts them where packaging looks. Then run npm run dist again.`,
  );
  process.exit(1);
}

function run(command, commandArgs, env = process.env) {
  const result = spawnSync(command, commandArgs, { cwd: ROOT, stdio: 'inherit', env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const manifest = readManifest();
const problems = manifestProblems(manifest, MANIFEST_PATH);
if (problems.length) {
  console.error(`electron.vendor.json 有误，无法打包 / the manifest is wrong, cannot package:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
const config = require('./electron-builder.config.cjs');
const missing = await missingForPackaging(manifest, packagedTargets(args, config));
if (missing.length) explainAndExit(manifest, missing);

run(process.execPath, [path.join(ROOT, 'build', 'build.mjs')]);
// node-gyp reads npm_config_nodedir: better-sqlite3-multiple-ciphers is compiled against the vendored headers. Not on
// Windows, where node-gyp would then look for node.lib in a layout the headers tarball lacks; there
// it finds the same folder as its devdir (~/.electron-gyp/<version>), as README's Packaging says.
const env = process.platform === 'win32' ? process.env : { ...process.env, npm_config_nodedir: headersDir(manifest.version) };
run(process.execPath, [require.resolve('electron-builder/cli.js'), '--config', path.join(ROOT, 'build', 'electron-builder.config.cjs'), '--publish', 'never', ...args], env);
