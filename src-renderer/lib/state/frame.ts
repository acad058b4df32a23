export type FrameScheduler = (callback: () => void) => void;

/** requestAnimationFrame where there is one (the window), a 16 ms timer elsewhere (Node tests). */
export const animationFrame: FrameScheduler = (callback) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => callback());
  else setTimeout(callback, 16);
};

/**
 * Coalesces many requests into one flush per frame: a stream of hundreds of tokens a second
 * costs one state update (and one Markdown render) per frame instead of one per token.
 */
export class FrameBatcher {
  #scheduled = false;
  readonly #flush: () => void;
  readonly #schedule: FrameScheduler;

  constructor(flush: () => void, schedule: FrameScheduler = animationFrame) {
    this.#flush = flush;
    this.#schedule = schedule;
  }

  get scheduled(): boolean {
    return this.#scheduled;
  }

  request(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#schedule(() => this.flushNow());
  }

  /** Runs the flush now (e.g. when the stream ends); a pending frame then finds nothing to do. */
  flushNow(): void {
    this.#scheduled = false;
    this.#flush();
  }
}
