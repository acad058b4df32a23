import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSnapshot } from '../helpers/data-snapshot.js';
import { openWebCore, type WebCore } from '../helpers/web-client.js';

/**
 * Enormous and deeply nested JSON bodies over the real web host (the body limit is 1 MB): each is
 * a 400 INVALID_INPUT whose message names the cause, the server keeps answering, nothing is saved,
 * and the reply stays small whatever was sent. One line per case.
 */

const MB = 1024 * 1024;
/** Nesting that fills most of the 1 MB limit: deep enough for any recursive parser to overflow its stack. */
const DEPTH = 200_000;

const bodies: Array<{ name: string; method: string; body: () => string; message: RegExp }> = [
  { name: 'a title of 2 MB', method: 'sessions.create', body: () => JSON.stringify({ title: 'x'.repeat(2 * MB) }), message: /过大/ },
  { name: 'a question of 20 MB', method: 'chat.send', body: () => JSON.stringify({ sessionId: 's', text: '痛'.repeat(7 * MB) }), message: /过大/ },
  { name: '1 MB of opening brackets', method: 'sessions.create', body: () => '['.repeat(MB - 1), message: /JSON/ },
  { name: 'arrays nested 200 000 deep', method: 'sessions.create', body: () => `{"title":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}`, message: /title 类型错误/ },
  { name: 'objects nested 150 000 deep as an extra key', method: 'sessions.list', body: () => `${'{"a":'.repeat(150_000)}1${'}'.repeat(150_000)}`, message: /未知字段/ },
  { name: 'objects nested 60 000 deep in a known field', method: 'kb.import', body: () => `{"mapping":${'{"columns":'.repeat(60_000)}{}${'}'.repeat(60_000)}}`, message: /mapping|file/ },
  { name: 'nested arrays as adapters', method: 'models.load', body: () => `{"model":"m.gguf","adapters":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}`, message: /adapters/ },
  { name: '50 000 unknown keys', method: 'sessions.create', body: () => JSON.stringify(Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]))), message: /未知字段/ },
  { name: '50 000 adapters', method: 'models.load', body: () => JSON.stringify({ model: 'm.gguf', adapters: Array.from({ length: 50_000 }, () => ({ file: 'a.gguf' })) }), message: /adapters/ },
  { name: 'a number of 300 000 digits', method: 'kb.search', body: () => `{"query":"痛风","limit":${'9'.repeat(300_000)}}`, message: /limit/ },
  { name: 'a key repeated 60 000 times', method: 'sessions.create', body: () => `{${'"title":"a",'.repeat(60_000)}"title":${'1'}}`, message: /title 类型错误/ },
  { name: 'a __proto__ key', method: 'sessions.create', body: () => '{"__proto__":{"title":"注入"},"constructor":{"prototype":{"x":1}}}', message: /未知字段/ },
  { name: 'a JSON string of 800 KB of escapes', method: 'sessions.create', body: () => `{"title":"${'\\u0000'.repeat(130_000)}"}`, message: /title 过长/ },
  { name: 'an unterminated string', method: 'sessions.create', body: () => `{"title":"${'a'.repeat(500_000)}`, message: /JSON/ },
];

describe('corpus: enormous and deeply nested JSON bodies', () => {
  let web: WebCore;

  beforeAll(async () => {
    web = await openWebCore();
    await web.core.api.sessions.create({ title: '已有会话' });
  });
  afterAll(() => web?.close());

  it.each(bodies)('$name → 400 INVALID_INPUT, the server still answers, nothing saved', async ({ method, body, message }) => {
    const before = await dataSnapshot(web.core);
    const res = await web.invokeRaw(method, body());
    expect(res.status).toBe(400);
    expect(res.reply).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(message) } });
    // The refusal names the cause; it does not echo what was sent.
    expect(res.raw.length).toBeLessThan(4000);
    expect((await web.invoke('app.info', {})).status).toBe(200);
    expect(await dataSnapshot(web.core)).toEqual(before);
  });
});
