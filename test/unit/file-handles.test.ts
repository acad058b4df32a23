import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileHandle, XinglinError } from '../../src-main/contract/index.js';
import { FileHandles } from '../../src-main/core/file-handles.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-handles-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  vi.useRealTimers();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.from(part);
}

function failure(run: () => unknown): XinglinError {
  try {
    run();
  } catch (error) {
    if (error instanceof XinglinError) return error;
    throw error;
  }
  throw new Error('expected a XinglinError');
}

describe('FileHandles: a file the host chose', () => {
  it('gives an opaque handle, never the path, that opens the file again and again', () => {
    const dir = tempDir();
    const file = path.join(dir, 'drugs.jsonl');
    fs.writeFileSync(file, '{}\n');
    const handles = new FileHandles(path.join(dir, 'uploads'));
    const chosen = handles.register(file);
    expect(chosen).toEqual({ file: expect.any(String), name: 'drugs.jsonl', sizeBytes: 3 });
    expect(FileHandle.safeParse(chosen.file).success).toBe(true);
    expect(chosen.file).not.toContain('drugs');
    for (let i = 0; i < 2; i++) {
      const opened = handles.open(chosen.file);
      expect(opened).toMatchObject({ path: file, name: 'drugs.jsonl' });
      opened.close();
    }
    expect(fs.existsSync(file)).toBe(true);
    handles.close();
    expect(fs.existsSync(file)).toBe(true); // the user's file is never the core's to remove
  });

  it('refuses a missing file and a folder, naming the path (the host chose it)', () => {
    const dir = tempDir();
    const handles = new FileHandles(path.join(dir, 'uploads'));
    expect(failure(() => handles.register(path.join(dir, 'none.csv')))).toMatchObject({ code: 'NOT_FOUND', message: `找不到文件：${path.join(dir, 'none.csv')}` });
    expect(failure(() => handles.register(dir))).toMatchObject({ code: 'INVALID_INPUT', message: `不是一个文件：${dir}` });
  });

  it('answers NOT_FOUND for a handle it never gave, and for one past its time', () => {
    vi.useFakeTimers();
    const dir = tempDir();
    const file = path.join(dir, 'a.csv');
    fs.writeFileSync(file, 'x');
    const handles = new FileHandles(path.join(dir, 'uploads'), 60_000);
    expect(failure(() => handles.open('A'.repeat(32)))).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('请重新选择文件') });
    const { file: handle } = handles.register(file);
    vi.advanceTimersByTime(59_000);
    handles.open(handle).close(); // a use starts its time again
    vi.advanceTimersByTime(59_000);
    expect(handles.open(handle).path).toBe(file);
    const idle = handles.register(file).file;
    vi.advanceTimersByTime(60_001);
    expect(failure(() => handles.open(idle)).code).toBe('NOT_FOUND');
  });

  it('shows only the last part of a name, without control characters', () => {
    const dir = tempDir();
    const file = path.join(dir, 'a.jsonl');
    fs.writeFileSync(file, 'x');
    const handles = new FileHandles(path.join(dir, 'uploads'));
    expect(handles.register(file, '../../etc/passwd').name).toBe('passwd');
    expect(handles.register(file, 'C:\\Users\\药剂科\\药品\u202e\u0007.csv').name).toBe('药品.csv');
    expect(handles.register(file, '\u0000/').name).toBe('未命名文件');
  });
});

describe('FileHandles: an upload', () => {
  it('is streamed to a 0600 file of the core, used once, then removed', async () => {
    const dir = tempDir();
    const uploads = path.join(dir, 'uploads');
    const handles = new FileHandles(uploads);
    const chosen = await handles.receive('医院药品.jsonl', chunks('{"a":', '1}\n'), 1024);
    expect(chosen).toMatchObject({ name: '医院药品.jsonl', sizeBytes: 8 });
    const opened = handles.open(chosen.file);
    expect(path.dirname(opened.path)).toBe(uploads);
    expect(fs.readFileSync(opened.path, 'utf8')).toBe('{"a":1}\n');
    expect(fs.statSync(opened.path).mode & 0o777).toBe(0o600);
    expect(fs.statSync(uploads).mode & 0o777).toBe(0o700);
    expect(failure(() => handles.open(chosen.file)).code).toBe('NOT_FOUND');
    opened.close();
    expect(fs.readdirSync(uploads)).toEqual([]);
  });

  it('stops past the limit with FILE_TOO_LARGE and leaves no file; an announced size over it writes nothing', async () => {
    const uploads = path.join(tempDir(), 'uploads');
    const handles = new FileHandles(uploads);
    await expect(handles.receive('big.csv', chunks('x'.repeat(600), 'x'.repeat(600)), 1000)).rejects.toMatchObject({ code: 'FILE_TOO_LARGE', message: expect.stringContaining('1 KB'), details: { max: 1000 } });
    expect(fs.readdirSync(uploads)).toEqual([]);
    let pulled = false;
    const never = (async function* () {
      pulled = true;
      yield Buffer.from('x');
    })();
    await expect(handles.receive('big.csv', never, 1000, 5000)).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
    expect(pulled).toBe(false);
  });

  it('leaves no file when the sender breaks off', async () => {
    const uploads = path.join(tempDir(), 'uploads');
    const handles = new FileHandles(uploads);
    const broken = (async function* () {
      yield Buffer.from('half a file');
      throw new Error('aborted');
    })();
    await expect(handles.receive('a.jsonl', broken, 1000)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('上传中断') });
    expect(fs.readdirSync(uploads)).toEqual([]);
  });

  it('is removed when its handle expires unused, or when the core closes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const uploads = path.join(tempDir(), 'uploads');
    const handles = new FileHandles(uploads, 1000);
    await handles.receive('a.jsonl', chunks('x'), 10);
    vi.advanceTimersByTime(1001);
    expect(fs.readdirSync(uploads)).toEqual([]);
    const kept = await handles.receive('b.jsonl', chunks('x'), 10);
    const reading = handles.open(kept.file);
    await handles.receive('c.jsonl', chunks('x'), 10);
    handles.close();
    // The one being read stays until its work ends.
    expect(fs.readdirSync(uploads)).toEqual([path.basename(reading.path)]);
    reading.close();
    expect(fs.readdirSync(uploads)).toEqual([]);
  });

  it('removes uploads a crash left a day ago, and keeps recent ones (another core on the folder may be using them)', () => {
    const uploads = path.join(tempDir(), 'uploads');
    fs.mkdirSync(uploads);
    const old = path.join(uploads, 'old.upload');
    const recent = path.join(uploads, 'recent.upload');
    fs.writeFileSync(old, 'x');
    fs.writeFileSync(recent, 'x');
    const dayAgo = (Date.now() - 25 * 3600_000) / 1000;
    fs.utimesSync(old, dayAgo, dayAgo);
    new FileHandles(uploads).close();
    expect(fs.readdirSync(uploads)).toEqual(['recent.upload']);
  });
});
