import type http from 'node:http';
import type { ChatCompletion, ChatCompletionChunk, XinglinError } from '../../../contract/index.js';
import type { ClinicCompletion } from '../../../core/core.js';
import { openAiError } from './errors.js';

/**
 * Silence longer than this while the request waits for the model (or reads a long prompt) is
 * broken by an SSE comment, so a client's idle timeout counts a busy server as alive.
 */
const KEEPALIVE_MS = 1000;

/** Names one answer in every object of it. */
export interface AnswerIds {
  id: string;
  created: number;
  model: string;
}

export function usageOf(result: ClinicCompletion) {
  return { prompt_tokens: result.promptTokens, completion_tokens: result.completionTokens, total_tokens: result.promptTokens + result.completionTokens };
}

export function completionOf(ids: AnswerIds, result: ClinicCompletion): ChatCompletion {
  return {
    ...ids,
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: result.text }, finish_reason: result.finishReason, logprobs: null }],
    usage: usageOf(result),
  };
}

/**
 * A streamed answer as OpenAI streams it: `data: {chunk}` events, the finish reason in the last
 * chunk with text, usage in one more when asked for, then `data: [DONE]`. The 200 and the headers
 * go out with the first text, or once the keep-alive is due: an error before then (a full queue,
 * a prompt too long) still gets its own HTTP status; one after arrives as an `error` event.
 */
export class SseAnswer {
  #opened = false;
  #timer: NodeJS.Timeout;

  constructor(
    private readonly res: http.ServerResponse,
    private readonly ids: AnswerIds,
    private readonly includeUsage: boolean,
  ) {
    this.#timer = setTimeout(() => this.#keepAlive(), KEEPALIVE_MS);
  }

  get opened(): boolean {
    return this.#opened;
  }

  text(content: string): void {
    this.#chunk({ content }, null);
  }

  finish(result: ClinicCompletion): void {
    this.#chunk({}, result.finishReason);
    if (this.includeUsage) this.#send({ ...this.ids, object: 'chat.completion.chunk', choices: [], usage: usageOf(result) });
    this.res.end('data: [DONE]\n\n');
    this.close();
  }

  /** After the headers: the error as OpenAI's error object in the stream, which SDKs raise. */
  fail(error: XinglinError): void {
    this.res.end(`data: ${JSON.stringify(openAiError(error).body)}\n\n`);
    this.close();
  }

  close(): void {
    clearTimeout(this.#timer);
  }

  #open(): void {
    if (this.#opened) return;
    this.#opened = true;
    this.res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Content-Type-Options': 'nosniff' });
    // Chunks are small and must go at once, not after Nagle's delay.
    this.res.socket?.setNoDelay(true);
    this.#send({ ...this.ids, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, logprobs: null }] });
  }

  #chunk(delta: { content?: string }, finishReason: ChatCompletionChunk['choices'][number]['finish_reason']): void {
    this.#open();
    this.#send({ ...this.ids, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }] });
    this.#timer.refresh();
  }

  #send(chunk: ChatCompletionChunk): void {
    this.#write(`data: ${JSON.stringify(chunk)}\n\n`);
  }

  #keepAlive(): void {
    this.#open();
    this.#write(': keep-alive\n\n');
    this.#timer.refresh();
  }

  /** Nothing once the client is gone: its answer is being stopped, and the last pieces have nowhere to go. */
  #write(text: string): void {
    if (!this.res.destroyed && !this.res.writableEnded) this.res.write(text);
  }
}
