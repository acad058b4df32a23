/**
 * Starting the model process. The core forks a Node child process; the Electron host passes its
 * own spawner (a utilityProcess) with the same shape, so nothing here imports Electron.
 */
import { fork } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { FromRuntime, ToRuntime } from './protocol.js';

export interface RuntimeExit {
  code: number | null;
  /** The signal that ended it, when the platform says (a utilityProcess reports only a code). */
  signal: string | null;
}

export interface RuntimeProcess {
  readonly pid: number | undefined;
  send(message: ToRuntime): void;
  onMessage(listener: (message: FromRuntime) => void): void;
  onExit(listener: (exit: RuntimeExit) => void): void;
  /** The last lines the process wrote to stderr: where llama.cpp names a failed assertion. */
  stderrTail(): string;
  /** Ends it at once (SIGKILL): used for a hang and at close. */
  kill(): void;
}

export type SpawnRuntime = () => RuntimeProcess;

const TAIL_BYTES = 4096;

/** Keeps the last few KB a stream wrote, for naming the cause of a crash. */
export function keepTail(stream: NodeJS.ReadableStream | Readable | null | undefined): () => string {
  let tail = '';
  stream?.setEncoding('utf8').on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-TAIL_BYTES);
  });
  return () => tail;
}

/**
 * The model process as a Node child: `entry` is the built `runtime-main.js`, or the TypeScript
 * source with `execArgv: ['--import', 'tsx']` when running from source.
 */
export function forkRuntime(entry: string, execArgv: readonly string[] = []): SpawnRuntime {
  return () => {
    const child = fork(entry, [], { execArgv: [...execArgv], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const tail = keepTail(child.stderr);
    return {
      pid: child.pid,
      send: (message) => {
        if (child.connected) child.send(message);
      },
      onMessage: (listener) => child.on('message', (message) => listener(message as FromRuntime)),
      onExit: (listener) => child.once('exit', (code, signal) => listener({ code, signal })),
      stderrTail: tail,
      kill: () => child.kill('SIGKILL'),
    };
  };
}
