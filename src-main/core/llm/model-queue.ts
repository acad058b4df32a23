/**
 * The one loaded model is shared. Everyone who wants it — a chat answer, kb.ask, drafting and
 * evaluation — asks the queue: requests run one at a time in the order they came (a grant's
 * holder may answer several questions at once on its lanes, Provider.maxParallel), their
 * positions are visible (`models.queue`), and each can be cancelled while it waits or runs.
 * Loading or unloading a model takes the queue exclusively: the running request is stopped, the
 * waiting ones wait for the new model.
 */
import { randomUUID } from 'node:crypto';
import { XinglinError, type ModelQueue as QueueSnapshot, type ModelRequest, type ModelRequestKind } from '../../contract/index.js';
import type { Logger } from '../log.js';

/** More waiting than this is refused at once (before the caller saves anything). */
export const MAX_WAITING = 16;

interface Entry {
  request: ModelRequest;
  abort: AbortController;
  enqueuedAt: number;
  /** Settles when its task has ended and the queue moved on; set when it starts. */
  finished: Promise<void>;
  start(): void;
  /** Rejects a request cancelled before it was granted. */
  drop(): void;
}

export class ModelQueue {
  #running: Entry | null = null;
  #waiting: Entry[] = [];
  /** Loads and unloads holding the model (the runtime orders them among themselves): nothing starts meanwhile. */
  #holds = 0;

  constructor(
    private readonly onChange: (snapshot: QueueSnapshot) => void,
    private readonly log: Logger,
  ) {}

  snapshot(): QueueSnapshot {
    return { running: this.#running ? { ...this.#running.request } : null, waiting: this.#waiting.map((e) => ({ ...e.request })) };
  }

  /** Throws BUSY when the queue is full, so the caller can refuse before saving anything. */
  assertRoom(): void {
    if (this.#waiting.length >= MAX_WAITING) throw new XinglinError('BUSY', `已有 ${this.#waiting.length} 个请求在等待模型，请稍后再问`, { waiting: this.#waiting.length });
  }

  /**
   * Runs `task` when the model is granted. The task's signal aborts when the request is cancelled
   * (or a load takes the model); a request cancelled while waiting rejects with CANCELLED and its
   * task never runs.
   */
  run<T>(kind: ModelRequestKind, sessionId: string | null, task: (signal: AbortSignal) => Promise<T>, options: { signal?: AbortSignal; id?: string } = {}): Promise<T> {
    this.assertRoom();
    const abort = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, abort.signal]) : abort.signal;
    const request: ModelRequest = { id: options.id ?? randomUUID(), kind, sessionId };
    return new Promise<T>((resolve, reject) => {
      const dropWaiting = (): void => this.#dropWaiting(entry);
      const entry: Entry = {
        request,
        abort,
        enqueuedAt: performance.now(),
        finished: Promise.resolve(),
        start: () => {
          // Node 20 keeps a combined signal (AbortSignal.any) that has an abort listener alive until
          // it aborts, and with it this entry and its task's closure: a leak per request. Granted,
          // the entry no longer waits, so the listener goes.
          signal.removeEventListener('abort', dropWaiting);
          const startedAt = performance.now();
          this.#running = entry;
          this.#changed();
          entry.finished = task(signal)
            .then(resolve, reject)
            .finally(() => {
              this.log.info({ event: 'model.request.ended', kind, waitedMs: Math.round(startedAt - entry.enqueuedAt), ranMs: Math.round(performance.now() - startedAt), cancelled: signal.aborted });
              if (this.#running === entry) this.#running = null;
              this.#changed();
              this.#next();
            });
        },
        drop: () => reject(new XinglinError('CANCELLED', '请求在等待模型时已取消')),
      };
      if (signal.aborted) return entry.drop();
      signal.addEventListener('abort', dropWaiting, { once: true });
      this.#waiting.push(entry);
      this.#changed();
      this.#next();
    });
  }

  /** Cancels a request, waiting or running; false when there is none with that id. */
  cancel(id: string): boolean {
    const entry = this.#running?.request.id === id ? this.#running : this.#waiting.find((e) => e.request.id === id);
    if (!entry) return false;
    entry.abort.abort();
    return true;
  }

  /** The session's request, waiting or running. */
  ofSession(sessionId: string): ModelRequest | null {
    const entry = [this.#running, ...this.#waiting].find((e) => e?.request.sessionId === sessionId);
    return entry ? { ...entry.request } : null;
  }

  /**
   * Runs `task` (a load or unload) with the model to itself: the running request is stopped and
   * waited for; waiting requests keep their places and run after it, on whatever model it left.
   */
  async exclusive<T>(task: () => Promise<T>): Promise<T> {
    this.#holds += 1;
    try {
      const running = this.#running;
      if (running) {
        running.abort.abort();
        await running.finished;
      }
      return await task();
    } finally {
      this.#holds -= 1;
      this.#next();
    }
  }

  #dropWaiting(entry: Entry): void {
    const index = this.#waiting.indexOf(entry);
    if (index < 0) return; // running: its task sees the signal
    this.#waiting.splice(index, 1);
    entry.drop();
    this.#changed();
  }

  #next(): void {
    if (this.#running || this.#holds > 0) return;
    this.#waiting.shift()?.start();
  }

  #changed(): void {
    this.onChange(this.snapshot());
  }
}
