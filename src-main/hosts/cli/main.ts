#!/usr/bin/env node
import { XinglinError, type ErrorCode } from '../../contract/index.js';
import { ask, askUsage } from './ask.js';
import { backup, backupUsage, decrypt, decryptUsage, encrypt, encryptUsage, restore, restoreUsage } from './backup.js';
import { chat, chatUsage } from './chat.js';
import { dataset, datasetUsage } from './dataset.js';
import { doctor, doctorUsage } from './doctor.js';
import { evaluate, evalUsage } from './eval.js';
import { kb, kbImportHelp, kbUsage } from './kb.js';
import { models, modelsUsage } from './models.js';
import { draft, draftUsage, extract, extractUsage, records, recordsUsage } from './records.js';
import { serve, serveUsage } from './serve.js';
import { sessions, sessionsUsage } from './sessions.js';

const commands: Record<string, (args: string[]) => Promise<number>> = { serve, chat, sessions, kb, models, ask, extract, draft, records, eval: evaluate, dataset, doctor, backup, restore, encrypt, decrypt };

const usage = `杏林 Xinglin — 离线临床助手

用法：
  ${serveUsage}
  ${chatUsage}
  ${sessionsUsage}
  ${kbUsage}
  ${modelsUsage}
  ${askUsage}
  ${extractUsage}
  ${draftUsage}
  ${recordsUsage}
  ${evalUsage}
  ${datasetUsage}
  ${doctorUsage}
  ${backupUsage}
  ${restoreUsage}
  ${encryptUsage}
  ${decryptUsage}

每个命令都接受：
  --data-dir <目录>     数据库与知识库所在目录（或环境变量 XINGLIN_DATA_DIR）
  --models-dir <目录>   GGUF 模型目录，适配器在其 lora/ 子目录（或 XINGLIN_MODELS_DIR）
  --threads <N>         推理线程数（默认：物理核心数减 1，至少 1；xinglin doctor 说明原因）

数据已加密时，每个命令都从 XINGLIN_DB_KEY_FILE（权限 600 的密钥文件）或 XINGLIN_DB_KEY 读取数据库密钥。`;

/** 2: what the user gave cannot be used (a flag, a folder, a port) — fix the command line; 1: the work failed. */
function exitCodeOf(code: ErrorCode): number {
  return code === 'INVALID_INPUT' || code === 'FOLDER_UNUSABLE' ? 2 : 1;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`未知的命令：${name}\n\n${usage}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    console.log(name === 'kb' && args[0] === 'import' ? kbImportHelp : usage);
    return 0;
  }
  try {
    return await command(args);
  } catch (cause) {
    if (cause instanceof XinglinError) {
      console.error(`错误 [${cause.code}]：${cause.message}`);
      return exitCodeOf(cause.code);
    }
    throw cause;
  }
}

process.exitCode = await main(process.argv.slice(2));
