import { beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_CHOOSE_FILE, IPC_CHOOSE_FILES, IPC_DROP_MODEL_FILES, IPC_EVENT, IPC_INVOKE, IPC_OPEN_MODELS_FOLDER, isWireError, methodNames, type ElectronBridge } from '../../src-main/contract/index.js';

// The preload requires `electron`; no Electron binary can run here, so the named stand-in
// plays contextBridge and ipcRenderer.
vi.mock('electron', () => import('./electron-standin.js'));

const { standin } = await import('./electron-standin.js');

standin.reset();
await import('../../src-main/hosts/electron/preload.js');
const exposedKeys = Object.keys(standin.exposed);
const api = standin.exposed.xinglin as ElectronBridge;

beforeEach(() => {
  standin.invokeCalls = [];
  standin.invoke = async () => undefined;
});

describe('preload', () => {
  it('exposes exactly one global, window.xinglin', () => {
    expect(exposedKeys).toEqual(['xinglin']);
  });

  it('offers exactly the contract’s methods, plus on(), chooseFile(), chooseFiles(), dropModelFiles(), savePdf() and openModelsFolder()', () => {
    const offered = Object.entries(api as unknown as Record<string, unknown>).flatMap(([ns, group]) =>
      typeof group === 'function' ? [ns] : Object.keys(group as object).map((member) => `${ns}.${member}`),
    );
    const extras = ['on', 'chooseFile', 'chooseFiles', 'dropModelFiles', 'savePdf', 'openModelsFolder'];
    expect(offered.filter((n) => !extras.includes(n)).sort()).toEqual([...methodNames].sort());
    expect(typeof api.on).toBe('function');
    expect(typeof api.chooseFile).toBe('function');
    expect(typeof api.savePdf).toBe('function');
    expect(typeof api.chooseFiles).toBe('function');
    expect(typeof api.openModelsFolder).toBe('function');
    expect(typeof api.dropModelFiles).toBe('function');
    // Nothing of Electron leaks: no ipcRenderer, no invoke, no send.
    expect(JSON.stringify(Object.keys(api))).not.toMatch(/ipc|invoke|send|electron/i);
  });

  it('calls through ipcRenderer.invoke(IPC_INVOKE, method, input) and returns the value', async () => {
    standin.invoke = async () => ({ ok: true, value: { id: 's1', title: '胸痛' } });
    await expect(api.sessions.create({ title: '胸痛' })).resolves.toEqual({ id: 's1', title: '胸痛' });
    expect(standin.invokeCalls).toEqual([[IPC_INVOKE, 'sessions.create', { title: '胸痛' }]]);
    await api.app.info();
    expect(standin.invokeCalls[1]).toEqual([IPC_INVOKE, 'app.info', {}]);
  });

  it('rejects with the wire error as plain data, since contextBridge would strip an Error’s code', async () => {
    standin.invoke = async () => ({ ok: false, error: { code: 'NOT_FOUND', message: '找不到会话', details: { sessionId: 'x' } } });
    const error = await api.sessions.messages({ id: 'x' }).catch((e: unknown) => e);
    expect(error).toEqual({ name: 'XinglinError', code: 'NOT_FOUND', message: '找不到会话', details: { sessionId: 'x' } });
    expect(error).not.toBeInstanceOf(Error);
    expect(isWireError(error)).toBe(true);
    expect(structuredClone(error)).toEqual(error);
  });

  it('asks the main process for a file over its own channel and gets the handle, or null when cancelled', async () => {
    const chosen = { file: 'h'.repeat(32), name: 'drugs.jsonl', sizeBytes: 10 };
    standin.invoke = async () => ({ ok: true, value: chosen });
    await expect(api.chooseFile('kb.import')).resolves.toEqual(chosen);
    expect(standin.invokeCalls).toEqual([[IPC_CHOOSE_FILE, 'kb.import']]);
    standin.invoke = async () => ({ ok: true, value: null });
    await expect(api.chooseFile('kb.import')).resolves.toBeNull();
    standin.invoke = async () => ({ ok: false, error: { code: 'NOT_FOUND', message: '找不到文件：/x' } });
    await expect(api.chooseFile('kb.import')).rejects.toEqual({ name: 'XinglinError', code: 'NOT_FOUND', message: '找不到文件：/x' });
  });

  it('asks for several files over their own channel, and opens the models folder over another', async () => {
    const chosen = [{ file: 'h'.repeat(32), name: 'base.gguf', sizeBytes: 10 }, { file: 'i'.repeat(32), name: 'lora.gguf', sizeBytes: 5 }];
    standin.invoke = async () => ({ ok: true, value: chosen });
    await expect(api.chooseFiles('models.import')).resolves.toEqual(chosen);
    standin.invoke = async () => ({ ok: true, value: true });
    await expect(api.openModelsFolder()).resolves.toBe(true);
    expect(standin.invokeCalls).toEqual([[IPC_CHOOSE_FILES, 'models.import'], [IPC_OPEN_MODELS_FOLDER]]);
    standin.invoke = async () => ({ ok: false, error: { code: 'FOLDER_UNUSABLE', message: '无法打开模型文件夹 /m：x' } });
    await expect(api.openModelsFolder()).rejects.toEqual({ name: 'XinglinError', code: 'FOLDER_UNUSABLE', message: '无法打开模型文件夹 /m：x' });
  });

  it('sends the paths of dropped files (never to the page) over their own channel, and passes each file’s answer on', async () => {
    const dropped = new File(['GGUF'], 'tiny-llama.gguf');
    standin.filePaths.set(dropped, '/home/doctor/U盘/tiny-llama.gguf');
    const made = new File(['GGUF'], 'made-by-the-page.gguf'); // not on disk: no path
    const answers = [
      { ok: true, value: { file: 'h'.repeat(32), name: 'tiny-llama.gguf', sizeBytes: 4 } },
      { ok: false, error: { code: 'INVALID_INPUT', message: '拖入的文件不在本机磁盘上，未导入：请用“导入文件…”选择它' } },
    ];
    standin.invoke = async () => ({ ok: true, value: answers });
    await expect(api.dropModelFiles([dropped, made])).resolves.toEqual(answers);
    expect(standin.invokeCalls).toEqual([[IPC_DROP_MODEL_FILES, ['/home/doctor/U盘/tiny-llama.gguf', '']]]);
    // What is no File at all goes as no path, for the main process to refuse.
    standin.invoke = async () => ({ ok: false, error: { code: 'UNAUTHORIZED', message: '拒绝访问：请求不是来自杏林的主窗口。' } });
    await expect(api.dropModelFiles([{ name: 'x.gguf' } as File])).rejects.toMatchObject({ name: 'XinglinError', code: 'UNAUTHORIZED' });
    expect(standin.invokeCalls[1]).toEqual([IPC_DROP_MODEL_FILES, ['']]);
  });

  it('turns a broken IPC channel into an INTERNAL error', async () => {
    standin.invoke = async () => {
      throw new Error('No handler registered');
    };
    const error = await api.models.status().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'XinglinError', code: 'INTERNAL' });
  });

  it('delivers events by name with the payload only, never the IpcRendererEvent', () => {
    const tokens = vi.fn();
    const progress = vi.fn();
    const off = api.on('chat.token', tokens);
    api.on('job.progress', progress);
    const payload = { sessionId: 's1', messageId: 'm1', text: '心' };
    standin.sendToRenderer(IPC_EVENT, 'chat.token', payload);
    expect(tokens).toHaveBeenCalledTimes(1);
    expect(tokens.mock.calls[0]).toEqual([payload]);
    expect(progress).not.toHaveBeenCalled();

    standin.sendToRenderer(IPC_EVENT, 'no.such.event', payload);
    off();
    standin.sendToRenderer(IPC_EVENT, 'chat.token', payload);
    expect(tokens).toHaveBeenCalledTimes(1);
  });

  it('keeps one ipcRenderer listener however many subscriptions, and refuses unknown events', () => {
    for (let i = 0; i < 20; i++) api.on('chat.done', () => {});
    expect(standin.rendererBus.listenerCount(IPC_EVENT)).toBe(1);
    expect(() => api.on('bogus' as 'chat.done', () => {})).toThrow(TypeError);
  });
});

describe('preload bundle', () => {
  it('runs where only `electron` can be required, as in a sandboxed renderer, and never evals', async () => {
    const esbuild = await import('esbuild');
    // The same shape as build/build.mjs produces for dist/main/preload.cjs.
    const bundle = await esbuild.build({
      entryPoints: ['src-main/hosts/electron/preload.ts'],
      bundle: true,
      format: 'cjs',
      platform: 'browser',
      target: 'chrome140',
      external: ['electron'],
      write: false,
      logLevel: 'silent',
    });
    const { runInNewContext } = await import('node:vm');
    const exposed: Record<string, unknown> = {};
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
      ipcRenderer: { invoke: async () => ({ ok: true, value: 'pong' }), on: () => undefined },
    };
    const required: string[] = [];
    const sandboxRequire = (id: string) => {
      required.push(id);
      if (id === 'electron') return electron;
      throw new Error(`module not found: ${id}`);
    };
    const module = { exports: {} };
    // The page's CSP forbids eval; zod's JIT probe (`new Function`) must be switched off.
    let evals = 0;
    const CountingFunction = new Proxy(Function, { construct: (target, args) => (evals++, new target(...(args as string[]))) });
    runInNewContext(bundle.outputFiles[0]!.text, { require: sandboxRequire, module, exports: module.exports, Function: CountingFunction });
    expect(required).toEqual(['electron']);
    expect(evals).toBe(0);
    expect(Object.keys(exposed)).toEqual(['xinglin']);
    await expect((exposed.xinglin as ElectronBridge).app.info()).resolves.toBe('pong');
  });
});
