import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_QUESTION_CHARS } from '../../src-main/contract/index.js';
import { dataSnapshot } from '../helpers/data-snapshot.js';
import { fixtureModels, openTestCore } from '../helpers/env.js';
import { openWebCore, type WebCore } from '../helpers/web-client.js';

/**
 * Hostile text over the real web host: questions, titles and queries past their limits, and bodies
 * that are not UTF-8. Each is refused with a typed 4xx error, and nothing is saved.
 * One line per case: add one for every new text-taking capability.
 */

interface Case {
  name: string;
  method: string;
  input: (sessionId: string) => unknown;
  status: number;
  code: string;
  /** What the Chinese message must say: the field and the cause. */
  message: RegExp;
}

const overLong: Case[] = [
  { name: 'a question one character over the limit', method: 'chat.send', input: (sessionId) => ({ sessionId, text: '痛'.repeat(MAX_QUESTION_CHARS + 1) }), status: 400, code: 'INVALID_INPUT', message: /text 过长/ },
  { name: 'a question of 300 000 characters', method: 'chat.send', input: (sessionId) => ({ sessionId, text: 'x'.repeat(300_000) }), status: 400, code: 'INVALID_INPUT', message: /text 过长/ },
  { name: 'a question of whitespace only', method: 'chat.send', input: (sessionId) => ({ sessionId, text: ' \n\t\u3000 ' }), status: 400, code: 'INVALID_INPUT', message: /text 不能为空/ },
  { name: 'a knowledge question over the limit', method: 'kb.ask', input: () => ({ question: '禁忌'.repeat(MAX_QUESTION_CHARS) }), status: 400, code: 'INVALID_INPUT', message: /question 过长/ },
  { name: 'a session title over 200 characters', method: 'sessions.create', input: () => ({ title: '门'.repeat(201) }), status: 400, code: 'INVALID_INPUT', message: /title 过长/ },
  { name: 'a rename over 200 characters', method: 'sessions.rename', input: (id) => ({ id, title: '门'.repeat(201) }), status: 400, code: 'INVALID_INPUT', message: /title 过长/ },
  { name: 'a history search over 200 characters', method: 'sessions.search', input: () => ({ query: '痛'.repeat(201) }), status: 400, code: 'INVALID_INPUT', message: /query 过长/ },
  { name: 'a knowledge search over 200 characters', method: 'kb.search', input: () => ({ query: '痛'.repeat(201) }), status: 400, code: 'INVALID_INPUT', message: /query 过长/ },
  { name: 'a source label over 100 characters', method: 'kb.source', input: () => ({ label: '源'.repeat(101) }), status: 400, code: 'INVALID_INPUT', message: /label 过长/ },
  { name: 'a session id over 64 characters', method: 'sessions.messages', input: () => ({ id: 'i'.repeat(65) }), status: 400, code: 'INVALID_INPUT', message: /id 过长/ },
];

const utf8 = (text: string) => Buffer.from(text, 'utf8');

/** Bodies whose bytes are not UTF-8: each would be saved as something the client never sent. */
const notUtf8: Array<{ name: string; body: (sessionId: string) => Buffer }> = [
  { name: 'a 0xFF byte in a title', body: () => Buffer.concat([utf8('{"title":"门诊'), Buffer.from([0xff]), utf8('"}')]) },
  { name: 'a character cut after its first byte', body: () => Buffer.concat([utf8('{"title":"门'), utf8('诊').subarray(0, 2), utf8('"}')]) },
  { name: 'an overlong encoding of "/"', body: () => Buffer.concat([utf8('{"title":"..'), Buffer.from([0xc0, 0xaf]), utf8('etc"}')]) },
  { name: 'an encoded UTF-16 surrogate', body: () => Buffer.concat([utf8('{"title":"a'), Buffer.from([0xed, 0xa0, 0x80]), utf8('"}')]) },
  { name: 'a GBK-encoded question (门诊)', body: (sessionId) => Buffer.concat([utf8(`{"sessionId":"${sessionId}","text":"`), Buffer.from([0xc3, 0xc5, 0xd5, 0xef]), utf8('"}')]) },
  { name: 'a UTF-16LE body with its byte-order mark', body: () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"title":"门诊"}', 'utf16le')]) },
];

/** Text that is valid JSON but not valid Unicode: stored, it would come back as other characters. */
const loneSurrogates: Array<{ name: string; json: string }> = [
  { name: 'a lone high surrogate in a title', json: '{"title":"门\\ud800诊"}' },
  { name: 'a lone low surrogate at the end of a title', json: '{"title":"门诊\\udc00"}' },
  { name: 'a reversed surrogate pair', json: '{"title":"\\udc00\\ud800"}' },
];

describe('corpus: over-long and non-UTF-8 text over the web host', () => {
  let web: WebCore;
  let sessionId: string;

  beforeAll(async () => {
    web = await openWebCore();
    sessionId = (await web.core.api.sessions.create({ title: '语料' })).id;
  });
  afterAll(() => web?.close());

  it.each(overLong)('$name → $status $code, nothing saved', async ({ method, input, status, code, message }) => {
    const before = await dataSnapshot(web.core);
    const res = await web.invoke(method, input(sessionId));
    expect(res.status).toBe(status);
    expect(res.reply).toMatchObject({ ok: false, error: { code, message } });
    // The refusal names the limit; it does not echo the text back.
    expect(res.raw.length).toBeLessThan(2000);
    expect(await dataSnapshot(web.core)).toEqual(before);
  });

  it.each(notUtf8)('$name → 400 INVALID_INPUT naming UTF-8, nothing saved', async ({ body }) => {
    const before = await dataSnapshot(web.core);
    for (const method of ['sessions.create', 'chat.send']) {
      const res = await web.invokeRaw(method, body(sessionId));
      expect(res.status).toBe(400);
      expect(res.reply).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/UTF-8/) } });
    }
    expect(await dataSnapshot(web.core)).toEqual(before);
  });

  it.each(loneSurrogates)('$name → 400 INVALID_INPUT, nothing saved', async ({ json }) => {
    const before = await dataSnapshot(web.core);
    const res = await web.invokeRaw('sessions.create', json);
    expect(res.status).toBe(400);
    expect(res.reply).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/title.*Unicode/) } });
    expect(await dataSnapshot(web.core)).toEqual(before);
  });
});

describe('corpus: a question too long for the loaded model', () => {
  let web: WebCore;
  let sessionId: string;

  beforeAll(async () => {
    // The fixture model's context is 2048 tokens: a question within the contract's limit overflows it.
    web = await openWebCore(await openTestCore({ modelsDir: fixtureModels().modelsDir }));
    await web.core.api.models.load({ model: 'tiny-llama.gguf' });
    sessionId = (await web.core.api.sessions.create({ title: '长问题' })).id;
  });
  afterAll(() => web?.close());

  const question = '患者主诉反复关节肿痛伴晨僵，'.repeat(1000).slice(0, MAX_QUESTION_CHARS);

  it.each([
    { name: 'a chat question', method: 'chat.send', input: () => ({ sessionId, text: question }) },
    { name: 'a knowledge question answered by the model', method: 'kb.ask', input: () => ({ question, mode: 'llm' }) },
  ])('$name → 413 PROMPT_TOO_LONG naming the context size, nothing saved', async ({ method, input }) => {
    const before = await dataSnapshot(web.core);
    const res = await web.invoke(method, input());
    expect(res.status).toBe(413);
    expect(res.reply).toMatchObject({ ok: false, error: { code: 'PROMPT_TOO_LONG', message: expect.stringMatching(/2048/) } });
    expect(await dataSnapshot(web.core)).toEqual(before);
    // The model is still there for a question that fits.
    expect((await web.invoke('models.status', {})).reply).toMatchObject({ ok: true, value: { state: 'ready' } });
  });
});
