import type { Message } from '../../contract/index.js';
import type { ChatStore } from './chat-store.js';

/** How often a growing answer's text is written: a crash loses at most this much of it. */
export const STREAM_SAVE_INTERVAL_MS = 1000;

/**
 * One answer as it is written: its row exists from the first text (`streaming`) — or from the
 * start, for a compare answer waiting its turn —, the text is saved at least once a second while
 * it grows, and it ends once, with its final status.
 */
export class StreamingAnswer {
  #text = '';
  #saved = '';
  #begun = false;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: ChatStore,
    readonly sessionId: string,
    readonly messageId: string,
    /** The profile asked for it (a compare session's column); null: the session's own. */
    readonly profileId: string | null = null,
  ) {}

  get text(): string {
    return this.#text;
  }

  /** Writes the empty `streaming` row now (a crash leaves it `interrupted`, never missing). */
  begin(): void {
    if (this.#begun) return;
    this.store.beginAnswer(this.messageId, this.sessionId, this.profileId);
    this.#begun = true;
  }

  append(chunk: string): void {
    this.begin();
    if (!this.#timer) {
      this.#timer = setInterval(() => this.#save(), STREAM_SAVE_INTERVAL_MS);
      this.#timer.unref();
    }
    this.#text += chunk;
  }

  /** Saves the final answer: the streaming row ends, or (nothing streamed) the row is written whole. */
  finish(fields: Pick<Message, 'text' | 'status' | 'provenance' | 'error'>): Message {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#begun) return this.store.finishAnswer(this.messageId, fields);
    return this.store.addMessage({ id: this.messageId, sessionId: this.sessionId, role: 'assistant', profileId: this.profileId, ...fields });
  }

  #save(): void {
    if (this.#text === this.#saved) return;
    try {
      this.store.saveStreamingText(this.messageId, this.#text);
      this.#saved = this.#text;
    } catch {
      // A busy or full disk: the answer keeps streaming, the next save or the final one retries.
    }
  }
}
