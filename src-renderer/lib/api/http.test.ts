import { describe, expect, it, vi } from 'vitest';
import type { EventSourceLike } from './http.js';
import { createHttpTransport, isReply } from './http.js';

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

class FakeEventSource implements EventSourceLike {
  readonly listeners = new Map<string, Set<(event: MessageEvent) => void>>();
  closed = false;
  constructor(readonly url: string) {}
  addEventListener(type: string, listener: (event: MessageEvent) => void): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(listener);
  }
  removeEventListener(type: string, listener: (event: MessageEvent) => void): void {
    this.listeners.get(type)?.delete(listener);
  }
  close(): void {
    this.closed = true;
  }
  emit(type: string, data: string): void {
    for (const listener of this.listeners.get(type) ?? []) listener(new MessageEvent(type, { data }));
  }
}

describe('HTTP transport', () => {
  it('posts JSON with the bearer token and returns the Reply', async () => {
    const fetch = vi.fn(async (..._args: Parameters<typeof globalThis.fetch>) => jsonResponse(200, { ok: true, value: [1] }));
    const transport = createHttpTransport({ token: 'secret', fetch });
    const reply = await transport.invoke('sessions.list', {});
    expect(reply).toEqual({ ok: true, value: [1] });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('/api/invoke/sessions.list');
    expect(init?.method).toBe('POST');
    expect((init?.headers as Record<string, string>)['Authorization']).toBe('Bearer secret');
    expect(JSON.parse(String(init?.body))).toEqual({});
  });

  it('parses an error Reply whatever the status', async () => {
    const error = { code: 'PROMPT_TOO_LONG', message: '问题过长', details: { max: 10 } };
    const transport = createHttpTransport({ token: 't', fetch: async () => jsonResponse(413, { ok: false, error }) });
    expect(await transport.invoke('chat.send', { sessionId: 's', text: 'x' })).toEqual({ ok: false, error });
  });

  it('turns a network failure into an INTERNAL Reply with a Chinese message', async () => {
    const transport = createHttpTransport({
      token: 't',
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const reply = await transport.invoke('app.info', {});
    expect(reply.ok).toBe(false);
    if (!reply.ok) {
      expect(reply.error.code).toBe('INTERNAL');
      expect(reply.error.message).toMatch(/无法连接/);
    }
  });

  it('turns a body that is not a Reply into an error', async () => {
    const plain = createHttpTransport({ token: 't', fetch: async () => new Response('oops', { status: 502 }) });
    const reply = await plain.invoke('app.info', {});
    expect(reply.ok === false && reply.error.code).toBe('INTERNAL');
    const denied = createHttpTransport({ token: 't', fetch: async () => new Response('no', { status: 401 }) });
    const unauthorized = await denied.invoke('app.info', {});
    expect(unauthorized.ok === false && unauthorized.error.code).toBe('UNAUTHORIZED');
    expect(isReply({ ok: false, error: { code: 'NOPE', message: 'x' } })).toBe(false);
  });

  it('shares one EventSource for named events and closes it when the last listener leaves', () => {
    const sources: FakeEventSource[] = [];
    const transport = createHttpTransport({
      token: 'a b',
      createEventSource: (url) => {
        const source = new FakeEventSource(url);
        sources.push(source);
        return source;
      },
    });
    const tokens: unknown[] = [];
    const done: unknown[] = [];
    const offToken = transport.subscribe('chat.token', (p) => tokens.push(p));
    const offDone = transport.subscribe('chat.done', (p) => done.push(p));
    expect(sources).toHaveLength(1);
    expect(sources[0]!.url).toBe('/api/events?token=a%20b');
    sources[0]!.emit('chat.token', JSON.stringify({ sessionId: 's', messageId: 'm', text: '你' }));
    sources[0]!.emit('chat.token', 'not json');
    expect(tokens).toEqual([{ sessionId: 's', messageId: 'm', text: '你' }]);
    expect(done).toEqual([]);
    offToken();
    expect(sources[0]!.closed).toBe(false);
    offDone();
    expect(sources[0]!.closed).toBe(true);
  });
});
