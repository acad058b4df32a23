#!/usr/bin/env node
// `npm start` (after the build): the desktop app when an Electron binary is installed, otherwise
// browser mode with one paragraph saying why and how to install Electron offline.
// Arguments after `npm start --` (e.g. --data-dir, --models-dir) are passed through.
import { spawn } from 'node:child_process';
import path from 'node:path';
import vendor from './electron-vendor.cjs';

const { ROOT, readManifest, platformKey, electronBinary } = vendor;
const args = process.argv.slice(2);

function run(command, commandArgs, env = process.env) {
  const child = spawn(command, commandArgs, { cwd: ROOT, stdio: 'inherit', env });
  // Ctrl-C reaches the child through the terminal; relay the rest and mirror its exit.
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
}

const electron = electronBinary();
if (electron) {
  const env = { ...process.env };
  // Would turn Electron into plain Node and the app would not start.
  delete env.ELECTRON_RUN_AS_NODE;
  run(electron, [ROOT, ...args], env);
} else {
  const manifest = readManifest();
  const zip = manifest.artifacts[platformKey()]?.file ?? `electron-v${manifest.version}-${platformKey()}.zip`;
  console.log(
    [
      `未找到 Electron ${manifest.version} 可执行文件：npm 只安装了 electron 包本身，它的二进制文件需要联网下载，而本机无法下载。`,
      `若要使用桌面版，请把 electron.vendor.json 中列出的 ${zip}（来自 ${manifest.release}）拷贝到某个文件夹，再运行 npm run vendor:electron -- --from <该文件夹>，它会校验 sha256 后安装。`,
      `现在改为以浏览器模式启动（node bin/xinglin.js serve），请打开下面打印的地址。`,
      '',
      `No Electron ${manifest.version} binary found: npm installed only the electron package, whose binary must be downloaded, and this machine cannot download it.`,
      `For the desktop app, copy ${zip} listed in electron.vendor.json (from ${manifest.release}) into a folder and run npm run vendor:electron -- --from <folder>; it checks the sha256 and installs it.`,
      `Starting browser mode instead (node bin/xinglin.js serve): open the address printed below.`,
    ].join('\n'),
  );
  run(process.execPath, [path.join(ROOT, 'bin', 'xinglin.js'), 'serve', ...args]);
}
