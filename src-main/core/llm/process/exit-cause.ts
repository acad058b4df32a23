import type { RuntimeExit } from './spawn.js';

/** The line where llama.cpp (or ggml) names why it aborted, if it wrote one. */
function assertionLine(stderr: string): string | null {
  const line = stderr.split('\n').find((l) => /GGML_ASSERT|GGML_ABORT|llama.*(error|failed)|terminate called/i.test(l));
  return line ? line.trim().slice(0, 200) : null;
}

/** Why the model process ended, in the words a doctor or an IT administrator can act on. */
export function exitCause(exit: RuntimeExit, stderr: string, hungForMs: number | null): string {
  if (hungForMs !== null) return `${Math.round(hungForMs / 1000)} 秒没有任何进展，已被终止`;
  const assertion = assertionLine(stderr);
  if (exit.signal === 'SIGABRT' || exit.code === 134) return `llama.cpp 中止${assertion ? `（${assertion}）` : ''}，模型文件可能损坏或不受支持`;
  if (exit.signal === 'SIGKILL' || exit.code === 137) return '被系统强制终止（SIGKILL），常见原因是内存不足';
  if (exit.signal === 'SIGSEGV' || exit.code === 139) return '内存访问错误（SIGSEGV）';
  if (exit.signal) return `收到信号 ${exit.signal}`;
  return `退出码 ${exit.code ?? '未知'}${assertion ? `（${assertion}）` : ''}`;
}
