import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FromRuntime } from '../../src-main/core/llm/process/protocol.js';
import { utilityRuntime } from '../../src-main/hosts/electron/runtime-process.js';
import { standin } from './electron-standin.js';

// No Electron binary can run here: the stand-in records what the host asks of utilityProcess.
vi.mock('electron', () => import('./electron-standin.js'));

afterEach(() => {
  standin.reset();
  vi.restoreAllMocks();
});

describe('the model process under Electron (utilityProcess)', () => {
  it('forks the entry as a named service with stderr piped, and speaks the protocol through postMessage', () => {
    const started = utilityRuntime('/app/dist/main/runtime-main.js')();
    const child = standin.utilityProcesses[0]!;
    expect(child.modulePath).toBe('/app/dist/main/runtime-main.js');
    expect(child.options).toMatchObject({ serviceName: 'Xinglin model', stdio: ['ignore', 'ignore', 'pipe'] });
    expect(started.pid).toBe(child.pid);

    started.send({ id: 1, op: 'unload', params: {} });
    expect(child.posted).toEqual([{ id: 1, op: 'unload', params: {} }]);
    const heard: FromRuntime[] = [];
    started.onMessage((message) => heard.push(message));
    child.emit('message', { id: 1, type: 'result', value: null });
    expect(heard).toEqual([{ id: 1, type: 'result', value: null }]);
  });

  it('reports the exit code (Electron gives no signal) and keeps the stderr tail that names an abort', async () => {
    const started = utilityRuntime('/entry.js')();
    const child = standin.utilityProcesses[0]!;
    const exits: unknown[] = [];
    started.onExit((exit) => exits.push(exit));
    child.stderr.write('llama.cpp:1234: GGML_ASSERT(n_head > 0) failed\n');
    await new Promise((resolve) => setImmediate(resolve));
    child.emit('exit', 134);
    expect(exits).toEqual([{ code: 134, signal: null }]);
    expect(started.stderrTail()).toContain('GGML_ASSERT(n_head > 0) failed');
  });

  it('kills with SIGKILL (a hung process may ignore SIGTERM), falling back to child.kill()', () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const started = utilityRuntime('/entry.js')();
    const child = standin.utilityProcesses[0]!;
    started.kill();
    expect(kill).toHaveBeenCalledWith(child.pid, 'SIGKILL');
    expect(child.killed).toBe(false);

    kill.mockImplementation(() => {
      throw new Error('ESRCH');
    });
    started.kill();
    expect(child.killed).toBe(true);
  });
});
