import { XinglinError, type DataStatus, type HardwareReport } from '../../contract/index.js';
import { parse } from './args.js';
import { openCore } from './context.js';
import { formatSize } from './models.js';

export const doctorUsage = 'xinglin doctor [--json]              本机硬件、可用的推理后端，应用将选择的设备、线程、GPU 层数与内存映射方式和原因，以及数据文件夹的加密与备份';

const BACKEND_NAMES: Record<HardwareReport['backends'][number]['name'], string> = { cpu: 'CPU', cuda: 'CUDA', vulkan: 'Vulkan', metal: 'Metal' };

export function formatHardware(report: HardwareReport): string {
  const { cpu, gpu, choice } = report;
  const lines = [
    '本机硬件',
    `  平台      ${report.platform}`,
    `  处理器    ${cpu.model}（物理核心 ${cpu.physicalCores} 个，逻辑核心 ${cpu.logicalCores} 个）`,
    `  内存      共 ${formatSize(report.ramTotalBytes)}，可用 ${formatSize(report.ramFreeBytes)}`,
    '推理后端',
    ...report.backends.map((b) => `  ${BACKEND_NAMES[b.name].padEnd(8)}${b.usable ? '可用  ' : '不可用'}  ${b.note}`),
    gpu
      ? `GPU（${BACKEND_NAMES[gpu.backend as keyof typeof BACKEND_NAMES] ?? gpu.backend}）  ${gpu.devices.join('、') || '未知设备'}；显存共 ${formatSize(gpu.vramTotalBytes)}，可用 ${formatSize(gpu.vramFreeBytes)}`
      : 'GPU       无可用 GPU，使用 CPU',
    '应用的选择',
    `  计算设备  ${choice.gpu === 'cpu' ? 'CPU' : `GPU（${BACKEND_NAMES[choice.gpu as keyof typeof BACKEND_NAMES] ?? choice.gpu}）`}`,
    `  线程数    ${choice.threads}：${choice.threadsReason}`,
    `  GPU 层数  ${choice.gpuLayers}`,
    `  加载方式  ${choice.mmap}`,
  ];
  return lines.join('\n');
}

const KEY_SOURCES: Record<NonNullable<DataStatus['encryption']['keySource']>, string> = { keychain: '系统钥匙串', file: '密钥文件（XINGLIN_DB_KEY_FILE）', environment: '环境变量 XINGLIN_DB_KEY' };

/** The data folder as IT checks it: where it is, whether it is encrypted (and with which key source), where backups go. */
export function formatData(status: DataStatus): string {
  const { encryption } = status;
  const newest = status.backups[0];
  return [
    '数据',
    `  数据文件夹  ${status.dataDir}`,
    `  加密        ${encryption.enabled ? `已加密（SQLCipher 4），密钥来自${encryption.keySource ? KEY_SOURCES[encryption.keySource] : '未知来源'}` : '未加密'}`,
    `  备份文件夹  ${status.backupFolder}：${status.backups.length} 份${newest ? `，最新 ${newest.createdAt}` : ''}`,
  ].join('\n');
}

/** `xinglin doctor`: what the model process finds on this workstation and what it will choose, and why. */
export async function doctor(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {});
  if (positionals.length > 0) throw new XinglinError('INVALID_INPUT', `doctor 不接受参数，收到“${positionals.join(' ')}”`);
  const core = await openCore(values, 'cli');
  try {
    const report = await core.api.models.hardware();
    const data = await core.api.data.status();
    console.log(values.json ? JSON.stringify({ ...report, data }) : `${formatHardware(report)}\n${formatData(data)}`);
    return 0;
  } finally {
    await core.close();
  }
}
