import { XinglinError } from '../../contract/index.js';
import { resolveDirs } from '../../core/config.js';
import { backupDataFolder, restoreDataFolder } from '../../core/core.js';
import { appVersion } from '../common/app-root.js';
import { parse } from './args.js';

export const backupUsage = 'xinglin backup <文件>                备份对话、病历、知识库与评测数据库（杏林运行时也可备份）';
export const restoreUsage = 'xinglin restore <文件>               从备份恢复（须先关闭杏林；原数据库移入数据文件夹的 before-restore-<时间>/）';

function fileArgument(command: string, positionals: string[]): string {
  const [file, ...rest] = positionals;
  if (!file || rest.length > 0) throw new XinglinError('INVALID_INPUT', `用法：xinglin ${command} <文件>`);
  return file;
}

export async function backup(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {});
  const file = fileArgument('backup', positionals);
  const { dataDir } = resolveDirs({ dataDir: values['data-dir'] });
  const result = await backupDataFolder({ dataDir, file, appVersion: appVersion() });
  if (values.json) console.log(JSON.stringify(result));
  else console.log(`已备份 ${Object.keys(result.manifest.databases).join('、')} 到 ${result.file}（${result.bytes} 字节）`);
  return 0;
}

export async function restore(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {});
  const file = fileArgument('restore', positionals);
  const { dataDir } = resolveDirs({ dataDir: values['data-dir'] });
  const result = await restoreDataFolder({ dataDir, file });
  if (values.json) console.log(JSON.stringify(result));
  else {
    console.log(`已从 ${file} 恢复 ${Object.keys(result.manifest.databases).join('、')}（备份于 ${result.manifest.createdAt}，杏林 ${result.manifest.appVersion}）`);
    if (result.previous) console.log(`原来的数据库保存在：${result.previous}`);
  }
  return 0;
}
