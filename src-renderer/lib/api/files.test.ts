import { describe, expect, it, vi } from 'vitest';
import { dialogPicker, uploadPicker, type UploadRequest } from './files.js';

/** An XMLHttpRequest played by the test: it records what was sent and answers when told. */
class FakeRequest implements UploadRequest {
  readonly upload: { onprogress: ((event: ProgressEvent) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  status = 0;
  responseText = '';
  opened: [string, string] | null = null;
  headers: Record<string, string> = {};
  body: Blob | null = null;
  aborted = false;
  open(method: string, url: string): void {
    this.opened = [method, url];
  }
  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }
  send(body: Blob): void {
    this.body = body;
  }
  abort(): void {
    this.aborted = true;
    this.onabort?.();
  }
  answer(status: number, body: string): void {
    this.status = status;
    this.responseText = body;
    this.onload?.();
  }
}

function picker() {
  const requests: FakeRequest[] = [];
  const files = uploadPicker({
    token: 'tok en',
    createRequest: () => {
      const request = new FakeRequest();
      requests.push(request);
      return request;
    },
  });
  if (files.kind !== 'upload') throw new Error('expected the upload picker');
  return { upload: files.upload, requests };
}

const chosen = { file: 'h'.repeat(32), name: '本院 药品.jsonl', sizeBytes: 5 };

describe('uploadPicker (browser mode)', () => {
  it('posts the file itself with the token and its encoded name, reports progress, and answers the handle', async () => {
    const { upload, requests } = picker();
    const progress: Array<[number, number]> = [];
    const file = new File(['hello'], '本院 药品.jsonl');
    const answer = upload(file, { onProgress: (sent, total) => progress.push([sent, total]), signal: new AbortController().signal });
    const [request] = requests;
    expect(request!.opened).toEqual(['POST', '/api/upload']);
    expect(request!.headers).toEqual({ Authorization: 'Bearer tok en', 'Content-Type': 'application/octet-stream', 'X-File-Name': encodeURIComponent('本院 药品.jsonl') });
    expect(request!.body).toBe(file);
    request!.upload.onprogress!({ loaded: 2, total: 5, lengthComputable: true } as ProgressEvent);
    request!.upload.onprogress!({ loaded: 3, total: 0, lengthComputable: false } as ProgressEvent);
    request!.answer(200, JSON.stringify({ ok: true, value: chosen }));
    await expect(answer).resolves.toEqual(chosen);
    expect(progress).toEqual([[2, 5], [3, 5]]);
  });

  it('rejects with the host’s typed error, and UNAUTHORIZED for a refusal without a reply', async () => {
    const { upload, requests } = picker();
    const signal = new AbortController().signal;
    const tooLarge = upload(new File(['x'], 'a.csv'), { onProgress: () => {}, signal });
    requests[0]!.answer(413, JSON.stringify({ ok: false, error: { code: 'FILE_TOO_LARGE', message: '文件超过上传上限 512 MB', details: { max: 1 } } }));
    await expect(tooLarge).rejects.toMatchObject({ code: 'FILE_TOO_LARGE', message: '文件超过上传上限 512 MB' });
    const refused = upload(new File(['x'], 'a.csv'), { onProgress: () => {}, signal });
    requests[1]!.answer(401, 'no');
    await expect(refused).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const broken = upload(new File(['x'], 'a.csv'), { onProgress: () => {}, signal });
    requests[2]!.onerror!();
    await expect(broken).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('无法连接') });
  });

  it('stops the upload when its signal aborts, rejecting with CANCELLED', async () => {
    const { upload, requests } = picker();
    const controller = new AbortController();
    const running = upload(new File(['x'], 'a.jsonl'), { onProgress: () => {}, signal: controller.signal });
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(requests[0]!.aborted).toBe(true);
    await expect(upload(new File(['x'], 'b.jsonl'), { onProgress: () => {}, signal: controller.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(requests[1]!.body).toBeNull();
  });
});

describe('dialogPicker (Electron)', () => {
  it('asks the preload’s open dialog for the purpose, and the main process for dropped model files, and passes their answers on', async () => {
    const chooseFile = vi.fn(async () => chosen);
    const chooseFiles = vi.fn(async () => [chosen, { ...chosen, name: 'tiny-lora.gguf' }]);
    const dropModelFiles = vi.fn(async () => [{ ok: true as const, value: chosen }]);
    const files = dialogPicker({ chooseFile, chooseFiles, dropModelFiles });
    expect(files.kind).toBe('dialog');
    await expect(files.choose('kb.import')).resolves.toEqual(chosen);
    expect(chooseFile).toHaveBeenCalledWith('kb.import');
    await expect(files.chooseMany('models.import')).resolves.toHaveLength(2);
    expect(chooseFiles).toHaveBeenCalledWith('models.import');
    const dropped = [new File(['GGUF'], 'tiny-llama.gguf')];
    await expect(files.dropModelFiles(dropped)).resolves.toEqual([{ ok: true, value: chosen }]);
    expect(dropModelFiles).toHaveBeenCalledWith(dropped);
  });
});
