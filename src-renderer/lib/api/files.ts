import type { ChosenFile, ElectronBridge, FilePurpose, Reply } from '$contract';
import { XinglinError } from '$contract';
import { NETWORK_MESSAGE, replyFrom } from './http.js';

/**
 * How the UI hands the core a file: never by its path. In Electron the main process shows its
 * native open dialog (`choose` one file, `chooseMany` several: a model and its adapters), or checks
 * the model files dropped on the window (`dropModelFiles`: a handle or a refusal for each); in a
 * browser each file is uploaded to the host. Either way the UI gets the handles `kb.import` and
 * `models.import` take.
 */
export type FilePicker =
  | {
      readonly kind: 'dialog';
      choose(purpose: FilePurpose): Promise<ChosenFile | null>;
      chooseMany(purpose: FilePurpose): Promise<ChosenFile[]>;
      dropModelFiles(files: readonly File[]): Promise<Array<Reply<ChosenFile>>>;
    }
  | { readonly kind: 'upload'; upload(file: File, options: UploadOptions): Promise<ChosenFile> };

/** Electron's way: the main process's open dialog. */
export type DialogPicker = Extract<FilePicker, { kind: 'dialog' }>;

/** A browser's way: the file is sent to the host. */
export type UploadPicker = Extract<FilePicker, { kind: 'upload' }>;

export interface UploadOptions {
  /** Bytes sent so far, of the file's size. */
  onProgress(sent: number, total: number): void;
  /** Aborting it stops the upload: the promise rejects with CANCELLED. */
  signal: AbortSignal;
}

/** Electron: the preload's `chooseFile` / `chooseFiles` (the main process's open dialog) and `dropModelFiles`. */
export function dialogPicker(bridge: Pick<ElectronBridge, 'chooseFile' | 'chooseFiles' | 'dropModelFiles'>): DialogPicker {
  return { kind: 'dialog', choose: (purpose) => bridge.chooseFile(purpose), chooseMany: (purpose) => bridge.chooseFiles(purpose), dropModelFiles: (files) => bridge.dropModelFiles(files) };
}

/** The slice of XMLHttpRequest an upload uses (fetch cannot report upload progress). */
export interface UploadRequest {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  readonly upload: { onprogress: ((event: ProgressEvent) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  readonly status: number;
  readonly responseText: string;
  send(body: Blob): void;
  abort(): void;
}

/** Browser mode: POST {base}/api/upload with the file as the body and its name in X-File-Name. */
export function uploadPicker(options: { token: string; baseUrl?: string; createRequest?: () => UploadRequest }): FilePicker {
  const createRequest = options.createRequest ?? (() => new XMLHttpRequest());
  return {
    kind: 'upload',
    upload: (file, { onProgress, signal }) =>
      new Promise<ChosenFile>((resolve, reject) => {
        const request = createRequest();
        request.open('POST', `${options.baseUrl ?? ''}/api/upload`);
        request.setRequestHeader('Authorization', `Bearer ${options.token}`);
        request.setRequestHeader('Content-Type', 'application/octet-stream');
        request.setRequestHeader('X-File-Name', encodeURIComponent(file.name));
        request.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
        request.onload = () => {
          let body: unknown;
          try {
            body = JSON.parse(request.responseText);
          } catch {
            body = undefined;
          }
          const reply = replyFrom(request.status, body, 'upload');
          if (reply.ok) resolve(reply.value as ChosenFile);
          else reject(XinglinError.fromWire(reply.error));
        };
        const cancelled = () => reject(new XinglinError('CANCELLED', `已取消上传：${file.name}`));
        request.onerror = () => reject(new XinglinError('INTERNAL', NETWORK_MESSAGE));
        request.onabort = cancelled;
        if (signal.aborted) return cancelled();
        signal.addEventListener('abort', () => request.abort(), { once: true });
        request.send(file);
      }),
  };
}
