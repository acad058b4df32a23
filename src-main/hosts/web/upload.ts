import type http from 'node:http';
import { MAX_UPLOAD_BYTES, XinglinError, type ChosenFile, type Reply } from '../../contract/index.js';
import type { HostFiles } from '../../core/core.js';

/**
 * Browser mode's way to hand the core a file (a page cannot name a path): POST the file's bytes
 * here as `application/octet-stream`, its name URI-encoded in `X-File-Name`. The core streams it to
 * a file of its own and answers its handle, which `kb.import` takes. The caller checks the token,
 * the Host and the Origin first, as for `/api/invoke/`.
 */
export const UPLOAD_PATH = '/api/upload';

function invalid(message: string): XinglinError {
  return new XinglinError('INVALID_INPUT', message);
}

function fileName(req: http.IncomingMessage): string {
  const header = req.headers['x-file-name'];
  if (typeof header !== 'string' || !header) throw invalid('缺少文件名（X-File-Name 请求头）。');
  try {
    return decodeURIComponent(header);
  } catch {
    throw invalid('文件名（X-File-Name）的 %-编码无效。');
  }
}

export async function receiveUpload(files: Pick<HostFiles, 'receive'>, req: http.IncomingMessage, maxBytes = MAX_UPLOAD_BYTES): Promise<Reply<ChosenFile>> {
  try {
    if (req.method !== 'POST') throw invalid('只接受 POST 请求。');
    const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/octet-stream') throw invalid('上传的文件须以 Content-Type: application/octet-stream 发送。');
    // Not destroyed when the core stops reading (too large): the rest is drained below, so the client gets the answer.
    const body = req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
    return { ok: true, value: await files.receive(fileName(req), body, maxBytes, Number(req.headers['content-length'] ?? 0)) };
  } catch (cause) {
    req.resume();
    if (cause instanceof XinglinError) return { ok: false, error: cause.toWire() };
    throw cause;
  }
}
