import { XinglinError, type HardwareReport } from '../../contract/index.js';
import { parse } from './args.js';
import { openCore } from './context.js';
import { formatSize } from './models.js';

export const doctorUsage = 'xinglin doctor [--json]              本机硬件、可用的推理后端，以及应用将选择的设备、线程、GPU 层数与内存映射方式和原因';

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

/** `xinglin doctor`: what the model process finds on this workstation and what it will choose, and why. */
export async function doctor(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {});
  if (positionals.length > 0) throw new XinglinError('INVALID_INPUT', `doctor 不接受参数，收到“${positionals.join(' ')}”`);
  const core = await openCore(values, 'cli');
  try {
    const report = await core.api.models.hardware();
    console.log(values.json ? JSON.stringify(report) : formatHardware(report));
    return 0;
  } finally {
    await core.close();
  }
}
