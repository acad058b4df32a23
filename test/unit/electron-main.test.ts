/**
 * main.ts wired together under the electron STAND-IN (no Electron binary can run here): the
 * order of the pre-ready calls, the data folder, a real core behind the IPC handler, the
 * protocol, the window, and closing the core on quit. What only a real Electron can show is
 * in test/e2e/electron.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_CHOOSE_FILE, IPC_DROP_MODEL_FILES, IPC_INVOKE, type ChosenFile, type Reply } from '../../src-main/contract/index.js';
import { generateFixtures } from '../fixtures/gguf/tiny-llama.js';

vi.mock('electron', () => import('./electron-standin.js'));

const { standin } = await import('./electron-standin.js');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-electron-main-'));
const modelsDir = path.join(dataDir, 'my-models');
const argv = process.argv;

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  standin.reset();
  process.argv = [argv[0]!, '/app', '--data-dir', dataDir, `--models-dir=${modelsDir}`];
  await import('../../src-main/hosts/electron/main.js');
  await until(() => standin.windows.length === 1, 'the main window');
});
afterAll(() => {
  process.argv = argv;
});

describe('electron main', () => {
  it('does the pre-ready work first: the scheme, the data folder, the sandbox, the lock', () => {
    const at = (entry: string) => standin.log.indexOf(entry);
    expect(at('protocol.registerSchemesAsPrivileged')).toBeGreaterThanOrEqual(0);
    expect(at('protocol.registerSchemesAsPrivileged')).toBeLessThan(at('app.whenReady'));
    expect(at('app.setPath userData')).toBeLessThan(at('app.requestSingleInstanceLock'));
    expect(at('app.enableSandbox')).toBeLessThan(at('app.whenReady'));
    expect(at('session.setPermissionRequestHandler')).toBeGreaterThan(at('app.whenReady'));
    expect(at('session.protocol.handle app')).toBeGreaterThan(at('app.whenReady'));
  });

  it('points userData at the data folder, as resolveDirs does for every host', () => {
    expect(standin.paths.userData).toBe(path.resolve(dataDir));
    expect(standin.paths.sessionData).toBe(path.join(path.resolve(dataDir), 'chromium'));
  });

  it('opens one sandboxed window with the preload beside the main bundle, hardened', () => {
    const [window] = standin.windows;
    const prefs = window!.options.webPreferences as Record<string, unknown>;
    expect(prefs.sandbox).toBe(true);
    expect(path.basename(prefs.preload as string)).toBe('preload.cjs');
    expect(window!.loadedUrl).toBe('app://xinglin/index.html');
    expect(window!.webContents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('answers the window over IPC from a real core, and refuses anyone else', async () => {
    const handler = standin.ipcHandlers.get(IPC_INVOKE)!;
    const contents = standin.windows[0]!.webContents;
    const trusted = { sender: { id: contents.id, mainFrame: contents.mainFrame }, senderFrame: contents.mainFrame };
    const info = (await handler(trusted, 'app.info', {})) as Reply;
    expect(info).toMatchObject({ ok: true, value: { host: 'electron', dataDir: path.resolve(dataDir), modelsDir: path.resolve(modelsDir) } });
    const invalid = (await handler(trusted, 'sessions.rename', { id: 'x' })) as Reply;
    expect(!invalid.ok && invalid.error.code).toBe('INVALID_INPUT');
    const stranger = { sender: { id: 999, mainFrame: contents.mainFrame }, senderFrame: contents.mainFrame };
    const refused = (await handler(stranger, 'sessions.list', {})) as Reply;
    expect(!refused.ok && refused.error.code).toBe('UNAUTHORIZED');
  });

  it('imports a file the user chose in the native dialog: the window holds only its handle', async () => {
    const contents = standin.windows[0]!.webContents;
    const trusted = { sender: { id: contents.id, mainFrame: contents.mainFrame }, senderFrame: contents.mainFrame };
    const file = path.join(dataDir, 'chosen.jsonl');
    fs.writeFileSync(file, `${JSON.stringify({ type: 'drug', name: '选择测试药', indications: ['测试'] })}\n`);
    standin.openDialog = async () => ({ canceled: false, filePaths: [file] });
    const chosen = (await standin.ipcHandlers.get(IPC_CHOOSE_FILE)!(trusted, 'kb.import')) as Reply;
    expect(chosen).toMatchObject({ ok: true, value: { name: 'chosen.jsonl' } });
    const handle = (chosen as { value: { file: string } }).value.file;
    const invoke = standin.ipcHandlers.get(IPC_INVOKE)!;
    expect(await invoke(trusted, 'kb.import', { file: handle, dryRun: true })).toMatchObject({ ok: true, value: { dryRun: true, total: 1, source: '医院导入：chosen.jsonl' } });
    // A path is not a handle: the window cannot name a file itself.
    expect(await invoke(trusted, 'kb.import', { file })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await invoke(trusted, 'kb.import', { path: file })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('imports a model file dropped on the window: the window holds only its handle, and what is no model is refused', async () => {
    const contents = standin.windows[0]!.webContents;
    const trusted = { sender: { id: contents.id, mainFrame: contents.mainFrame }, senderFrame: contents.mainFrame };
    const usb = generateFixtures(path.join(dataDir, 'usb'));
    const dropped = (await standin.ipcHandlers.get(IPC_DROP_MODEL_FILES)!(trusted, [usb.model, usb.notAModel])) as Reply<Array<Reply<ChosenFile>>>;
    expect(dropped).toMatchObject({ ok: true, value: [{ ok: true, value: { name: 'tiny-llama.gguf' } }, { ok: false, error: { code: 'MODEL_NOT_GGUF', message: expect.stringContaining('not-a-model.gguf') } }] });
    const handle = (dropped as { value: Array<{ value: ChosenFile }> }).value[0]!.value.file;
    const invoke = standin.ipcHandlers.get(IPC_INVOKE)!;
    expect(await invoke(trusted, 'models.import', { files: [handle] })).toMatchObject({ ok: true, value: { imported: [{ file: 'tiny-llama.gguf', kind: 'model' }], refused: [] } });
    expect(fs.existsSync(path.join(modelsDir, 'tiny-llama.gguf'))).toBe(true);
  });

  it('serves the renderer on app:// with the CSP on every answer', async () => {
    const handle = standin.protocolHandlers.get('app')!;
    const answer = await handle({ url: 'app://xinglin/..%2f..%2fpackage.json', method: 'GET' });
    expect(answer.status).toBe(403);
    expect(answer.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('closes the core before quitting', async () => {
    standin.windows[0]!.close();
    standin.quitted = false;
    (await import('./electron-standin.js')).app.quit();
    expect(standin.quitted).toBe(false);
    await until(() => standin.quitted, 'the quit after core.close()');
    expect(standin.errorBoxes).toEqual([]);
  });
});
