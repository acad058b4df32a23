import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Profile, type ChatCompletionRequestInput, type ProfileInput } from '../../src-main/contract/index.js';
import type { Core } from '../../src-main/core/core.js';
import type { GenerateRequest } from '../../src-main/core/llm/index.js';
import { RemoteProvider } from '../../src-main/core/llm/providers/remote.js';
import { startClinicServer, type ClinicServer } from '../../src-main/hosts/web/clinic/server.js';
import { fixtureModels, openTestCore } from '../helpers/env.js';

const KEY = randomBytes(24).toString('hex');
const QUESTION = '头痛三天，伴有发热，应该怎么办？';
const GREEDY = { temperature: 0, topK: 40, topP: 0.9, seed: 7, maxTokens: 32, repeatPenalty: 1.1 };

/** A remote profile, as an administrator saves one, pointing at `baseUrl`. */
function remote(baseUrl: string, backend: { model?: string; apiKey?: string; timeoutMs?: number } = {}, profile: Partial<ProfileInput> = {}): RemoteProvider {
  const parsed = Profile.parse({ id: 'via-clinic', name: '诊所工作站', backend: { kind: 'remote', baseUrl, model: 'base', apiKey: KEY, ...backend }, sampling: GREEDY, contextSize: 2048, ...profile });
  if (parsed.backend.kind !== 'remote') throw new Error('a remote profile');
  return new RemoteProvider(parsed, parsed.backend);
}

/** A tiny HTTP server that misbehaves as `handle` says. */
async function rawServer(handle: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An SSE answer whose body is `body` (the 200 and the event-stream type are right; the content is not). */
function sse(body: string): http.RequestListener {
  return (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.end(body);
  };
}

const chunk = (content: string, finish: string | null = null) => `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;

const question = (extra: Partial<GenerateRequest> = {}): GenerateRequest => ({ history: [], prompt: QUESTION, sampling: GREEDY, ...extra });

/**
 * The remote provider against this app's own clinic endpoint over real HTTP (a real core with the
 * fixture model loaded), and against small servers that fail the ways real ones do.
 */
describe('remote provider: any OpenAI-compatible server, tested against the clinic endpoint', () => {
  const { modelsDir } = fixtureModels();
  let core: Core;
  let server: ClinicServer;

  /** The local provider's answer, through the core in process (the clinic service runs `llm.provider('base')`). */
  const local = (request: ChatCompletionRequestInput) => core.clinic.complete(core.clinic.parse(request));

  beforeAll(async () => {
    core = await openTestCore({ modelsDir });
    await core.api.models.list();
    await core.api.profiles.save({ profile: { id: 'base', name: '基础', backend: { kind: 'local', model: 'tiny-llama.gguf', adapters: [] }, sampling: GREEDY } });
    await core.api.profiles.use({ id: 'base' });
    server = await startClinicServer(core, { host: '127.0.0.1', port: 0, apiKey: KEY });
  });
  afterAll(async () => {
    await server?.close();
    await core?.close();
  });

  it('streams the same greedy text as the local provider, with its token count', async () => {
    const pieces: string[] = [];
    const answer = await remote(server.url).generate(question({ onText: (text) => pieces.push(text) }));
    const reference = await local({ model: 'base', messages: [{ role: 'user', content: QUESTION }] });
    expect(answer.text.length).toBeGreaterThan(0);
    expect(answer.text).toBe(reference.text);
    expect(pieces.join('')).toBe(answer.text);
    expect(answer).toMatchObject({ stopped: false, template: 'server', droppedTurns: 0 });
    expect(answer.stopReason).toBe(reference.finishReason === 'length' ? 'maxTokens' : 'eogToken');
    // The server sent usage: the counts are the model's, not the number of chunks.
    expect(answer.timings.generatedTokens).toBe(reference.completionTokens);
    expect(answer.timings.promptTokens).toBe(reference.promptTokens);
  });

  it('sends the profile’s own sampling, which the server applies over its profile’s', async () => {
    const own = { ...GREEDY, temperature: 1.2, seed: 99, topK: 0, maxTokens: 12, repeatPenalty: 1.6, presencePenalty: 0.5, minP: 0.05 };
    const answer = await remote(server.url, {}, { sampling: own }).generate(question({ sampling: own }));
    const reference = await local({ model: 'base', messages: [{ role: 'user', content: QUESTION }], temperature: 1.2, seed: 99, top_k: 0, max_tokens: 12, repeat_penalty: 1.6, presence_penalty: 0.5, min_p: 0.05 });
    expect(answer.text).toBe(reference.text);
    expect(answer.timings.generatedTokens).toBeLessThanOrEqual(12);
    // The penalties changed this answer, so their arriving at the server is what made the texts equal.
    const unpenalized = await local({ model: 'base', messages: [{ role: 'user', content: QUESTION }], temperature: 1.2, seed: 99, top_k: 0, max_tokens: 12 });
    expect(unpenalized.text).not.toBe(reference.text);
  });

  it('sends the system text, the history and the sources as OpenAI messages the server renders as the local runtime would', async () => {
    const history = [{ role: 'user' as const, text: '我头痛。' }, { role: 'assistant' as const, text: '头痛多久了？' }];
    const answer = await remote(server.url, {}, { systemPrompt: '你是门诊医生的助手。' }).generate(question({ history, system: '只根据资料回答。', sources: '[1] 头痛：多与休息不足有关。' }));
    const reference = await local({
      model: 'base',
      messages: [
        { role: 'system', content: '你是门诊医生的助手。\n\n只根据资料回答。' },
        { role: 'user', content: '我头痛。' },
        { role: 'assistant', content: '头痛多久了？' },
        { role: 'user', content: `[1] 头痛：多与休息不足有关。\n\n${QUESTION}` },
      ],
    });
    expect(answer.text).toBe(reference.text);
  });

  it('a stop mid-stream ends the server’s generation: the partial answer is kept and the queue moves on', async () => {
    const full = await local({ model: 'base', messages: [{ role: 'user', content: QUESTION }], max_tokens: 400 });
    const stop = new AbortController();
    const answer = await remote(server.url).generate(question({ sampling: { ...GREEDY, maxTokens: 400 }, signal: stop.signal, onText: () => stop.abort() }));
    expect(answer).toMatchObject({ stopped: true, stopReason: 'abort' });
    expect(answer.text.length).toBeGreaterThan(0);
    expect(full.text.startsWith(answer.text)).toBe(true);
    expect(answer.text.length).toBeLessThan(full.text.length);

    // The server saw the connection close and stopped generating: its queue request ended cancelled.
    const log = path.join(core.config.dataDir, 'logs', 'xinglin.log');
    await expect.poll(() => fs.readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { event: string; kind?: string; cancelled?: boolean }).filter((e) => e.event === 'model.request.ended' && e.kind === 'clinic').at(-1)?.cancelled, { timeout: 10_000 }).toBe(true);
    await expect.poll(async () => (await core.api.models.queue()).running, { timeout: 10_000 }).toBeNull();
    expect((await remote(server.url).generate(question())).stopped).toBe(false);
  });

  it('fits the conversation to the profile’s context by a conservative estimate: a question too long is refused before sending', async () => {
    const provider = remote(server.url, {}, { contextSize: 256 });
    await expect(provider.assertPromptFits('痛'.repeat(300))).rejects.toMatchObject({ code: 'PROMPT_TOO_LONG' });
    await expect(provider.generate(question({ prompt: '痛'.repeat(300) }))).rejects.toMatchObject({ code: 'PROMPT_TOO_LONG' });
    const fits = provider.systemBudget(QUESTION, 32);
    expect(await fits('短')).toBe(true);
    expect(await fits('资料'.repeat(200))).toBe(false);
    // Old turns are dropped to fit, as the local runtime does.
    const history = Array.from({ length: 20 }, (_, i) => ({ role: i % 2 === 0 ? ('user' as const) : ('assistant' as const), text: '既往'.repeat(20) }));
    expect((await provider.generate(question({ history }))).droppedTurns).toBeGreaterThan(0);
  });

  it('names the server but never the API key in provenance and errors', async () => {
    const provider = remote(`${server.url}/`);
    expect(provider.provenance()).toEqual({ adapters: [], profile: { id: 'via-clinic', name: '诊所工作站' }, backend: { kind: 'remote', baseUrl: server.url, model: 'base' } });
    const error = await remote(server.url, { apiKey: `${KEY}0` }).generate(question()).catch((e: unknown) => e);
    expect(JSON.stringify(provenanceAndError(provider, error))).not.toContain(KEY);
  });

  it('a wrong key and an unknown model come back as REMOTE_FAILED with the server’s status and words', async () => {
    await expect(remote(server.url, { apiKey: 'wrong-key-wrong-key' }).generate(question())).rejects.toMatchObject({
      code: 'REMOTE_FAILED',
      message: expect.stringMatching(new RegExp(`^远程模型服务器 ${server.url} 拒绝访问（HTTP 401，API 密钥错误或缺失）：API 密钥错误。`)),
    });
    await expect(remote(server.url, { model: 'qizhen-13b' }).generate(question())).rejects.toMatchObject({
      code: 'REMOTE_FAILED',
      message: expect.stringMatching(/没有模型“qizhen-13b”.*（HTTP 404）：没有名为“qizhen-13b”的模型。可用的模型：base/),
    });
  });

  describe('servers that fail: each a clear Chinese error naming the server, and the local model keeps answering', () => {
    let reference: string;
    beforeAll(async () => {
      reference = (await local({ model: 'base', messages: [{ role: 'user', content: QUESTION }] })).text;
    });

    async function expectFailure(url: string, code: 'REMOTE_UNAVAILABLE' | 'REMOTE_FAILED', message: RegExp, backend: { timeoutMs?: number } = {}): Promise<void> {
      const error = await remote(url, backend).generate(question()).catch((e: unknown) => e);
      expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
      expect((error as Error).message).toContain(url);
      // The doctor's own model is untouched by a remote failure.
      expect((await local({ model: 'base', messages: [{ role: 'user', content: QUESTION }] })).text).toBe(reference);
    }

    it('a closed port: REMOTE_UNAVAILABLE, connection refused', async () => {
      const closed = await rawServer(() => {});
      await closed.close();
      await expectFailure(closed.url, 'REMOTE_UNAVAILABLE', /无法连接远程模型服务器 .*：连接被拒绝/);
    });

    it('a server that accepts and never answers, or stalls mid-answer: REMOTE_UNAVAILABLE after the timeout', async () => {
      const silent = await rawServer(() => {});
      await expectFailure(silent.url, 'REMOTE_UNAVAILABLE', /在 1\.5 秒内没有响应/, { timeoutMs: 1500 });
      await silent.close();
      const stalls = await rawServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write(chunk('头痛'));
      });
      await expectFailure(stalls.url, 'REMOTE_UNAVAILABLE', /在 1\.5 秒内没有响应/, { timeoutMs: 1500 });
      await stalls.close();
    });

    it('a 500 with an error JSON: REMOTE_FAILED with the status and the server’s message', async () => {
      const broken = await rawServer((_req, res) => {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'CUDA error: out of memory', type: 'server_error' } }));
      });
      await expectFailure(broken.url, 'REMOTE_FAILED', /内部出错（HTTP 500）：CUDA error: out of memory$/);
      await broken.close();
    });

    it('malformed SSE: data that is not JSON, JSON of another shape, text that is not SSE, a stream cut short, an error event', async () => {
      const cases: Array<[string, RegExp]> = [
        ['data: {"choices": [\n\n', /数据流中的数据不是 JSON（“\{"choices": \[”）/],
        ['data: {"text": "头痛"}\n\n', /数据块不是 OpenAI 格式/],
        ['<html>502 Bad Gateway</html>\n', /数据流不是 SSE 格式/],
        [chunk('头痛'), /回答尚未结束，数据流就中断了/],
        [`${chunk('头')}data: {"error": {"message": "context overflow"}}\n\n`, /生成中途出错：context overflow/],
      ];
      for (const [body, message] of cases) {
        const bad = await rawServer(sse(body));
        await expectFailure(bad.url, 'REMOTE_FAILED', message);
        await bad.close();
      }
    });

    it('reads a well-formed stream from another server, whatever extra fields it adds', async () => {
      const ollama = await rawServer(sse(`${chunk('头痛')}: comment\n\n${chunk('，多休息。', 'stop')}data: [DONE]\n\n`));
      const answer = await remote(ollama.url).generate(question());
      expect(answer).toMatchObject({ text: '头痛，多休息。', stopped: false, stopReason: 'eogToken' });
      expect(answer.timings.generatedTokens).toBe(2);
      await ollama.close();
      // A server that ignores `stream: true` and answers the whole completion as JSON.
      const whole = await rawServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: '多休息。' }, finish_reason: 'length' }], usage: { prompt_tokens: 9, completion_tokens: 4 } }));
      });
      const pieces: string[] = [];
      expect(await remote(whole.url).generate(question({ onText: (text) => pieces.push(text) }))).toMatchObject({ text: '多休息。', stopReason: 'maxTokens', timings: { promptTokens: 9, generatedTokens: 4 } });
      expect(pieces).toEqual(['多休息。']);
      await whole.close();
    });
  });
});

function provenanceAndError(provider: RemoteProvider, error: unknown) {
  return { provenance: provider.provenance(), message: (error as Error).message, details: (error as { details?: unknown }).details };
}
