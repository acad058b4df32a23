// @vitest-environment node
/**
 * A remote profile under one grant: its `maxParallel` requests go to the server at once (a server
 * such as vLLM batches them), whatever lane each names; it cannot score options.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Profile } from '../../src-main/contract/index.js';
import type { Provider } from '../../src-main/core/llm/index.js';
import { RemoteProvider } from '../../src-main/core/llm/providers/remote.js';

const GREEDY = { temperature: 0, topK: 40, topP: 0.9, seed: 7, maxTokens: 8 };
/** What a remote provider sends at once. */
const PARALLEL = 4;

/**
 * A server that answers no request until `expected` are open at once, then answers each with the
 * question it was asked: requests sent one after another would never be answered.
 */
function gatheringServer(expected: number) {
  const waiting: Array<{ res: http.ServerResponse; question: string }> = [];
  let mostOpen = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const messages = (JSON.parse(body) as { messages: Array<{ content: string }> }).messages;
      waiting.push({ res, question: messages.at(-1)!.content });
      mostOpen = Math.max(mostOpen, waiting.length);
      if (waiting.length < expected) return;
      for (const { res: open, question } of waiting.splice(0)) {
        open.writeHead(200, { 'Content-Type': 'text/event-stream' });
        open.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: `答：${question}` }, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
      }
    });
  });
  return { server, mostOpen: () => mostOpen };
}

describe('remote provider under one grant', () => {
  let gathering: ReturnType<typeof gatheringServer>;
  let provider: Provider;

  beforeAll(async () => {
    gathering = gatheringServer(PARALLEL);
    await new Promise<void>((resolve) => gathering.server.listen(0, '127.0.0.1', resolve));
    const { port } = gathering.server.address() as AddressInfo;
    const profile = Profile.parse({ id: 'r', name: '远程', backend: { kind: 'remote', baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm' }, sampling: GREEDY, contextSize: 2048 });
    if (profile.backend.kind !== 'remote') throw new Error('a remote profile');
    provider = new RemoteProvider(profile, profile.backend);
  });

  afterAll(async () => {
    gathering.server.closeAllConnections();
    await new Promise<void>((resolve) => gathering.server.close(() => resolve()));
  });

  it('sends maxParallel requests at once, each answered with its own question, lanes ignored', async () => {
    expect(provider.maxParallel).toBe(PARALLEL);
    const questions = ['头痛怎么办？', '发热怎么办？', '咳嗽怎么办？', '腹泻怎么办？'];
    const answers = await Promise.all(questions.map((prompt, lane) => provider.generate({ history: [], prompt, sampling: GREEDY, lane })));
    expect(gathering.mostOpen()).toBe(PARALLEL);
    expect(answers.map((a) => a.text)).toEqual(questions.map((q) => `答：${q}`));
    expect(answers.every((a) => !a.stopped)).toBe(true);
  });

  it('cannot score options', () => {
    expect(provider.scoreOptions).toBeUndefined();
  });
});
