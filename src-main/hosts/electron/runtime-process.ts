/**
 * The model process under Electron: a utilityProcess (a Chromium service process with Node), as
 * VS Code runs its heavy services, so a llama.cpp abort never takes the window and database down.
 */
import { utilityProcess } from 'electron';
import { keepTail, type SpawnRuntime } from '../../core/core.js';

export function utilityRuntime(entry: string): SpawnRuntime {
  return () => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'Xinglin model', stdio: ['ignore', 'ignore', 'pipe'] });
    const pid = child.pid;
    const stderrTail = keepTail(child.stderr);
    return {
      pid,
      send: (message) => child.postMessage(message),
      onMessage: (listener) => child.on('message', listener),
      // Electron reports an exit code only; the cause is read from the code and stderr.
      onExit: (listener) => child.once('exit', (code) => listener({ code, signal: null })),
      stderrTail,
      // A hung process may not answer SIGTERM (what child.kill() sends).
      kill: () => {
        if (child.pid === undefined || !safeKill(child.pid)) child.kill();
      },
    };
  };
}

function safeKill(pid: number): boolean {
  try {
    return process.kill(pid, 'SIGKILL');
  } catch {
    return false;
  }
}
