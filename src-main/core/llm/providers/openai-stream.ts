/**
 * Reading a streamed chat completion from an OpenAI-compatible server: server-sent events parsed
 * by eventsource-parser (the maintained parser the `openai` SDK's own stack is built on), each
 * `data:` a chunk of OpenAI's shape until `data: [DONE]`. Anything else — a line that is not an
 * event field, data that is not JSON, JSON of another shape, an error event — ends the answer
 * with the failure `fail` builds, naming what came.
 */
import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';
import { ServerChunk, ServerError, type ServerCompletion, type XinglinError } from '../../../contract/index.js';

/** One event this large is not a chunk of text (and would grow without bound). */
const MAX_EVENT_CHARS = 1024 * 1024;
/** How much of a bad event the error quotes. */
const QUOTE_CHARS = 120;

type ServerUsage = NonNullable<ServerChunk['usage']>;

export function quote(text: string, max = QUOTE_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** A server's own error text from its JSON body, or null when the body is not one of the error shapes. */
export function serverErrorMessage(json: unknown): string | null {
  const parsed = ServerError.safeParse(json);
  return parsed.success ? parsed.data : null;
}

export class ChatStreamReader {
  readonly #parser: EventSourceParser;
  #failure: XinglinError | null = null;
  /** `data: [DONE]` came. */
  #done = false;
  finishReason: string | null = null;
  usage: ServerUsage | null = null;
  /** Chunks that carried text, and when the first and last of them came (for the speed). */
  textChunks = 0;
  firstTextAt: number | null = null;
  lastTextAt: number | null = null;

  constructor(
    private readonly onText: (text: string) => void,
    /** The failure to end with, for what went wrong (a Chinese phrase). */
    private readonly fail: (cause: string) => XinglinError,
  ) {
    this.#parser = createParser({
      maxBufferSize: MAX_EVENT_CHARS,
      onEvent: (event) => this.#event(event),
      onError: (error) => {
        this.#failure ??= this.fail(error.type === 'max-buffer-size-exceeded' ? `数据流中有一条超过 ${MAX_EVENT_CHARS / 1024} KB 的事件` : `数据流不是 SSE 格式（“${quote(error.line ?? error.field ?? '')}”）`);
      },
    });
  }

  /** Text decoded from the body, in any pieces; throws the stream's failure. */
  feed(text: string): void {
    if (this.#done) return;
    this.#parser.feed(text);
    if (this.#failure) throw this.#failure;
  }

  /** A whole completion, from a server that ignored `stream: true`: its text as one piece. */
  whole(completion: ServerCompletion): void {
    const choice = completion.choices[0];
    if (completion.usage) this.usage = completion.usage;
    this.#text(choice?.message.content ?? '');
    this.finishReason = choice?.finish_reason ?? 'stop';
    this.#done = true;
  }

  /** The body ended: throws unless the answer did. */
  end(): void {
    if (!this.#done) this.#parser.reset({ consume: true });
    if (this.#failure) throw this.#failure;
    if (!this.#done && this.finishReason === null) throw this.fail('回答尚未结束，数据流就中断了');
  }

  #event(event: EventSourceMessage): void {
    if (this.#done || this.#failure) return;
    if (event.data === '[DONE]') {
      this.#done = true;
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(event.data);
    } catch {
      this.#failure = this.fail(`数据流中的数据不是 JSON（“${quote(event.data)}”）`);
      return;
    }
    const chunk = ServerChunk.safeParse(json);
    if (!chunk.success) {
      const message = serverErrorMessage(json);
      this.#failure = this.fail(message === null ? `数据块不是 OpenAI 格式（“${quote(event.data)}”）` : `生成中途出错：${quote(message, 300)}`);
      return;
    }
    const { choices, usage } = chunk.data;
    if (usage) this.usage = usage;
    const choice = choices[0];
    this.#text(choice?.delta?.content ?? '');
    if (choice?.finish_reason) this.finishReason = choice.finish_reason;
  }

  #text(text: string): void {
    if (!text) return;
    const now = performance.now();
    this.firstTextAt ??= now;
    this.lastTextAt = now;
    this.textChunks += 1;
    this.onText(text);
  }
}
