import type { EventName, MethodName, Reply, Transport, WireError } from '$contract';
import { isWireError } from '$contract';

/**
 * Browser mode: the contract over loopback HTTP and server-sent events.
 *   invoke:    POST {base}/api/invoke/<method>, JSON body = input, `Authorization: Bearer <token>`;
 *              the body is always a Reply, whatever the status code.
 *   subscribe: one EventSource on {base}/api/events?token=<token> with named events.
 */

export interface EventSourceLike {
  addEventListener(type: string, listener: (event: MessageEvent) => void): void;
  removeEventListener(type: string, listener: (event: MessageEvent) => void): void;
  close(): void;
}

export interface HttpTransportOptions {
  token: string | null;
  /** Prefix for the API paths; '' means the page's own origin. */
  baseUrl?: string;
  fetch?: typeof fetch;
  createEventSource?: (url: string) => EventSourceLike;
}

export const NETWORK_MESSAGE = '无法连接到杏林服务，请确认程序仍在运行后重试。';
const BAD_REPLY_MESSAGE = '杏林服务返回了无法识别的响应';
const UNAUTHORIZED_MESSAGE = '访问凭据缺失或已失效，请从杏林启动时给出的链接重新打开页面。';

export function isReply(value: unknown): value is Reply {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  if (record['ok'] === true) return 'value' in record;
  if (record['ok'] === false) return isWireError(record['error']);
  return false;
}

function failure(error: WireError): Reply {
  return { ok: false, error };
}

/** The Reply an answer carries, or the one its status implies when its body is none (a refusal, a proxy's page). */
export function replyFrom(status: number, body: unknown, method: string): Reply {
  if (isReply(body)) return body;
  if (status === 401 || status === 403) {
    return failure({ code: 'UNAUTHORIZED', message: UNAUTHORIZED_MESSAGE, details: { status } });
  }
  return failure({
    code: 'INTERNAL',
    message: `${BAD_REPLY_MESSAGE}（HTTP ${status}）。`,
    details: { method, status },
  });
}

export function createHttpTransport(options: HttpTransportOptions): Transport {
  const base = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const createEventSource = options.createEventSource ?? ((url: string) => new EventSource(url));
  const token = options.token;

  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const handlers = new Map<EventName, (event: MessageEvent) => void>();
  let source: EventSourceLike | null = null;

  function ensureSource(): EventSourceLike {
    if (!source) {
      const query = token ? `?token=${encodeURIComponent(token)}` : '';
      source = createEventSource(`${base}/api/events${query}`);
    }
    return source;
  }

  function attach(event: EventName): void {
    if (handlers.has(event)) return;
    const handler = (message: MessageEvent) => {
      let payload: unknown;
      try {
        payload = JSON.parse(String(message.data));
      } catch {
        return; // a malformed frame is dropped, never thrown into the UI
      }
      for (const listener of [...(listeners.get(event) ?? [])]) {
        try {
          listener(payload);
        } catch (error) {
          console.error(`[xinglin] listener for ${event} failed`, error);
        }
      }
    };
    handlers.set(event, handler);
    ensureSource().addEventListener(event, handler);
  }

  function detach(event: EventName): void {
    const handler = handlers.get(event);
    if (handler && source) source.removeEventListener(event, handler);
    handlers.delete(event);
    if (handlers.size === 0 && source) {
      source.close();
      source = null;
    }
  }

  return {
    async invoke(method: MethodName, input: unknown): Promise<Reply> {
      const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
      if (token) headers['Authorization'] = `Bearer ${token}`;
      let response: Response;
      try {
        response = await doFetch(`${base}/api/invoke/${encodeURIComponent(method)}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(input ?? {}),
          cache: 'no-store',
          credentials: 'same-origin',
        });
      } catch (error) {
        return failure({ code: 'INTERNAL', message: NETWORK_MESSAGE, details: { method, reason: String(error) } });
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        body = undefined;
      }
      return replyFrom(response.status, body, method);
    },

    subscribe(event: EventName, listener: (payload: unknown) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      attach(event);
      return () => {
        const current = listeners.get(event);
        if (!current?.delete(listener)) return;
        if (current.size === 0) {
          listeners.delete(event);
          detach(event);
        }
      };
    },
  };
}
