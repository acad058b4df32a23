import type { LlamaModel, Token } from 'node-llama-cpp';

/** What node-llama-cpp itself keeps as context for detokenizing a new token (leading spaces, split characters). */
const TRAIL_TOKENS = 3;
/** One chunk per display frame is all a reader can see. */
const DEFAULT_INTERVAL_MS = 16;

/**
 * Generated tokens → text chunks, at most one per interval (the first at once). Detokenizing each
 * token as it comes costs a few percent of generation speed on a fast model; a frame's worth of
 * tokens at a time costs a fraction of that, and the renderer paints once per frame anyway.
 */
export class TokenTextStream {
  #pending: Token[] = [];
  #trail: Token[] = [];
  #lastFlush = Number.NEGATIVE_INFINITY;
  /** All text emitted so far. */
  text = '';

  constructor(
    private readonly model: LlamaModel,
    private readonly emit: (chunk: string) => void,
    private readonly intervalMs: number = DEFAULT_INTERVAL_MS,
  ) {}

  push(tokens: readonly Token[]): void {
    this.#pending.push(...tokens);
    if (performance.now() - this.#lastFlush >= this.intervalMs) this.flush();
  }

  flush(): void {
    if (this.#pending.length === 0) return;
    const chunk = this.model.detokenize(this.#pending, false, this.#trail);
    // A character split across tokens: wait for its last byte.
    if (chunk.endsWith('\uFFFD')) return;
    this.#trail = [...this.#trail, ...this.#pending].slice(-TRAIL_TOKENS);
    this.#pending = [];
    this.#lastFlush = performance.now();
    this.#send(chunk);
  }

  /** Ends the stream on the final answer, sending whatever of it has not gone out yet. */
  finish(finalText: string): void {
    this.flush();
    if (finalText.startsWith(this.text)) this.#send(finalText.slice(this.text.length));
  }

  #send(chunk: string): void {
    if (!chunk) return;
    this.text += chunk;
    this.emit(chunk);
  }
}
