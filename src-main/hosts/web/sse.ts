import type http from 'node:http';
import type { Core } from '../../core/core.js';

const HEARTBEAT_MS = 15_000;

/** Streams every core event to one browser as a named server-sent event. */
export function openEventStream(core: Core, req: http.IncomingMessage, res: http.ServerResponse, headers: Record<string, string>): void {
  res.writeHead(200, { ...headers, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
  // Tokens are tiny and must reach the browser at once, not after Nagle's delay.
  res.socket?.setNoDelay(true);
  res.write(': connected\n\n');
  const unsubscribe = core.subscribe((event, payload) => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
  });
  const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  req.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}
