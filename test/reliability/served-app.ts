/**
 * The built app as a user runs it — `xinglin serve` in its own process, with its model process
 * beside it — driven over HTTP and its event stream, so a test can kill either process at any
 * moment as a power cut, the out-of-memory killer or a crash would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { EventName } from '../../src-main/contract/index.js';
import { appRoot } from '../../src-main/hosts/common/app-root.js';

export const XINGLIN = path.join(appRoot(), 'bin', 'xinglin.js');

export interface ServedApp {
  process: ChildProcess;
  /** A contract call; rejects with the typed error's code and message. */
  call<T = unknown>(method: string, input?: unknown): Promise<T>;
  /** Calls `listener` for every event until the returned function is called. */
  on(listener: (name: EventName, payload: unknown) => void): () => void;
  /** The model process the app started (a child whose command line names runtime-main), if one runs. */
  modelProcessPid(): number | null;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function serveApp(dataDir: string, modelsDir: string): Promise<ServedApp> {
  const child = spawn(process.execPath, [XINGLIN, 'serve', '--data-dir', dataDir, '--models-dir', modelsDir, '--threads', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const url = await new Promise<URL>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+/.exec(out);
      if (match) resolve(new URL(match[0]));
    });
    child.once('exit', (code) => reject(new Error(`xinglin serve exited (${code}): ${stderr.slice(-500)}`)));
  });
  const token = url.hash.slice('#token='.length);
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };

  const listeners = new Set<(name: EventName, payload: unknown) => void>();
  const events = await fetch(`${url.origin}/api/events?token=${token}`);
  void (async () => {
    const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const match = /^event: (\S+)\ndata: (.*)$/s.exec(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (match) for (const listener of listeners) listener(match[1] as EventName, JSON.parse(match[2]!));
        }
      }
    } catch {
      // The app was killed: the stream ends with it.
    }
  })();

  return {
    process: child,
    async call<T>(method: string, input: unknown = {}) {
      const res = await fetch(`${url.origin}/api/invoke/${method}`, { method: 'POST', headers, body: JSON.stringify(input) });
      const reply = (await res.json()) as { ok: true; value: T } | { ok: false; error: { code: string; message: string } };
      if (!reply.ok) throw Object.assign(new Error(`${reply.error.code}: ${reply.error.message}`), { code: reply.error.code });
      return reply.value;
    },
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    modelProcessPid: () => childProcesses(child.pid!).find((pid) => commandLine(pid).includes('runtime-main')) ?? null,
    async kill(signal = 'SIGKILL') {
      child.kill(signal);
      await exited;
    },
  };
}

function childProcesses(parent: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        // Field 4 of /proc/<pid>/stat is the parent; the command name (field 2) may hold spaces.
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** Whether a process still exists (a zombie counts as gone). */
export function alive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
