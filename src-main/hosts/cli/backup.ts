import fs from 'node:fs';
import { XinglinError } from '../../contract/index.js';
import { resolveDirs } from '../../core/config.js';
import { backupDataFolder, createKeyFile, decryptDataFolder, encryptDataFolder, keyFromEnvironment, readKeyFile, restoreDataFolder } from '../../core/core.js';
import { appVersion } from '../common/app-root.js';
import { parse } from './args.js';

export const backupUsage = 'xinglin backup <文件>                备份对话、病历、知识库与评测数据库（杏林运行时也可备份；加密的数据备份后仍是加密的）';
export const restoreUsage = 'xinglin restore <文件>               从备份恢复（须先关闭杏林；原数据库移入数据文件夹的 before-restore-<时间>/）';
export const encryptUsage = 'xinglin encrypt --backup <文件> [--key-file <文件>]  先备份，再原地加密数据库（SQLCipher）；--key-file 不存在时生成新密钥（权限 600）';
export const decryptUsage = 'xinglin decrypt --backup <文件>      先备份，再原地解密数据库（密钥来自 XINGLIN_DB_KEY_FILE 或 XINGLIN_DB_KEY）';

function fileArgument(command: string, positionals: string[]): string {
  const [file, ...rest] = positionals;
  if (!file || rest.length > 0) throw new XinglinError('INVALID_INPUT', `用法：xinglin ${command} <文件>`);
  return file;
}

export async function backup(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {});
  const file = fileArgument('backup', positionals);
  const { dataDir } = resolveDirs({ dataDir: values['data-dir'] });
  const result = await backupDataFolder({ dataDir, file, appVersion: appVersion(), key: keyFromEnvironment()?.key });
  if (values.json) console.log(JSON.stringify(result));
  else console.log(`已备份 ${Object.keys(result.manifest.databases).join('、')} 到 ${result.file}（${result.bytes} 字节${result.manifest.encryption ? '，已加密' : ''}）`);
  return 0;
}

export async function restore(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {});
  const file = fileArgument('restore', positionals);
  const { dataDir } = resolveDirs({ dataDir: values['data-dir'] });
  const result = await restoreDataFolder({ dataDir, file, key: keyFromEnvironment()?.key });
  if (values.json) console.log(JSON.stringify(result));
  else {
    console.log(`已从 ${file} 恢复 ${Object.keys(result.manifest.databases).join('、')}（备份于 ${result.manifest.createdAt}，杏林 ${result.manifest.appVersion}）`);
    if (result.previous) console.log(`原来的数据库保存在：${result.previous}`);
  }
  return 0;
}

function backupFlag(command: string, value: string | undefined): string {
  if (!value) throw new XinglinError('INVALID_INPUT', `xinglin ${command} 需要 --backup <文件>：更改加密前先把现有数据备份到那里（请妥善保管，或确认无误后销毁）。`);
  return value;
}

export async function encrypt(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { backup: { type: 'string' }, 'key-file': { type: 'string' } });
  if (positionals.length > 0) throw new XinglinError('INVALID_INPUT', `用法：${encryptUsage}`);
  const backupFile = backupFlag('encrypt', values.backup);
  const keyFile = values['key-file'];
  const supplied = keyFromEnvironment();
  if (supplied && keyFile) throw new XinglinError('INVALID_INPUT', '密钥已由 XINGLIN_DB_KEY_FILE / XINGLIN_DB_KEY 给出，不能再用 --key-file。');
  if (!supplied && !keyFile) throw new XinglinError('INVALID_INPUT', '需要数据库密钥：用 --key-file <文件> 生成（或使用已有的）密钥文件，或设置 XINGLIN_DB_KEY_FILE。');
  const { dataDir } = resolveDirs({ dataDir: values['data-dir'] });
  const created = keyFile !== undefined && !fs.existsSync(keyFile);
  const key = supplied?.key ?? (created ? createKeyFile(keyFile!) : readKeyFile(keyFile!));
  const result = await encryptDataFolder({ dataDir, key, backupFile, appVersion: appVersion() });
  if (values.json) console.log(JSON.stringify({ ...result, keyFile: keyFile ?? null, keyCreated: created }));
  else {
    if (result.backup) console.log(`加密前的备份（未加密，请妥善保管或确认后销毁）：${result.backup.file}`);
    console.log(`已加密 ${result.databases.length} 个数据库：${dataDir}`);
    if (keyFile) console.log(`${created ? '新密钥已写入' : '使用的密钥文件'}：${keyFile}。以后运行 xinglin 或浏览器模式时请设置 XINGLIN_DB_KEY_FILE=${keyFile}；丢失密钥就无法读取数据，请另存一份。`);
  }
  return 0;
}

export async function decrypt(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { backup: { type: 'string' } });
  if (positionals.length > 0) throw new XinglinError('INVALID_INPUT', `用法：${decryptUsage}`);
  const backupFile = backupFlag('decrypt', values.backup);
  const supplied = keyFromEnvironment();
  if (!supplied) throw new XinglinError('ENCRYPTION_KEY_MISSING', '解密需要数据库密钥：请设置 XINGLIN_DB_KEY_FILE（密钥文件）或 XINGLIN_DB_KEY。');
  const { dataDir } = resolveDirs({ dataDir: values['data-dir'] });
  const result = await decryptDataFolder({ dataDir, key: supplied.key, backupFile, appVersion: appVersion() });
  if (values.json) console.log(JSON.stringify(result));
  else console.log(`已解密 ${result.databases.length} 个数据库：${dataDir}（解密前的备份仍是加密的：${result.backup?.file ?? '无'}）`);
  return 0;
}
