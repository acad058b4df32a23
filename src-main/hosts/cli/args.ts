import { parseArgs, type ParseArgsConfig } from 'node:util';
import { XinglinError } from '../../contract/index.js';

/** Flags every command honours. */
export const globalOptions = {
  'data-dir': { type: 'string' },
  'models-dir': { type: 'string' },
  threads: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...globalOptions, ...options }, allowPositionals: true, strict: true });
  } catch (cause) {
    throw new XinglinError('INVALID_INPUT', `命令行参数有误：${(cause as Error).message}`);
  }
}

export function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new XinglinError('INVALID_INPUT', `${flag} 需要一个非负整数，收到“${value}”。`);
  return n;
}

export function number(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new XinglinError('INVALID_INPUT', `${flag} 需要一个数字，收到“${value}”。`);
  return n;
}

/** `--lora file.gguf:0.5` → { file, scale }; the scale defaults to 1. */
export function parseLora(spec: string): { file: string; scale: number } {
  const match = /^(.*?)(?::(-?\d+(?:\.\d+)?))?$/.exec(spec);
  const file = match?.[1] ?? '';
  if (!file) throw new XinglinError('INVALID_INPUT', `--lora 需要“文件[:比例]”，收到“${spec}”。`);
  return { file, scale: match?.[2] === undefined ? 1 : Number(match[2]) };
}
