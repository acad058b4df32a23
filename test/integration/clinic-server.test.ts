import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import OpenAI, { AuthenticationError, BadRequestError, ConflictError, NotFoundError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatCompletion, ChatCompletionChunk, ClinicModelList, type ProfileInput } from '../../src-main/contract/index.js';
import type { Core } from '../../src-main/core/core.js';
import { appRoot } from '../../src-main/hosts/common/app-root.js';
import { startClinicServer, type ClinicServer } from '../../src-main/hosts/web/clinic/server.js';
import { fixtureModels, openTestCore, tempDir } from '../helpers/env.js';

const KEY = randomBytes(24).toString('hex');
const QUESTION = '头痛三天，伴有发热，应该怎么办？';
/** Greedy: the same question gives the same tokens, so answers can be compared exactly. */
const GREEDY = { temperature: 0, topK: 40, topP: 0.9, seed: 7, maxTokens: 24 };

function localProfile(id: string, adapters: Array<{ file: string; scale: number }>): ProfileInput {
  return { id, name: id, backend: { kind: 'local', model: 'tiny-llama.gguf', adapters }, sampling: GREEDY };
}

/**
 * The clinic server as a client nobody here wrote sees it: the official `openai` package, over real
 * HTTP, against a real core with the generated fixture model loaded.
 */
describe('clinic server: /v1/models and /v1/chat/completions to the official openai client', () => {
  const { modelsDir } = fixtureModels();
  let core: Core;
  let server: ClinicServer;
  let client: OpenAI;

  beforeAll(async () => {
    core = await openTestCore({ modelsDir });
    await core.api.models.list();
    await core.api.profiles.save({ profile: localProfile('base', []) });
    await core.api.profiles.save({ profile: localProfile('tuned', [{ file: 'tiny-lora.gguf', scale: 1 }]) });
    // A remote profile exists but is not offered: the clinic server serves this workstation's model only.
    await core.api.profiles.save({ profile: { id: 'elsewhere', name: '别处', backend: { kind: 'remote', baseUrl: 'http://10.0.0.9:8000/v1', model: 'qizhen' }, sampling: GREEDY } });
    await core.api.profiles.use({ id: 'base' });
    server = await startClinicServer(core, { host: '127.0.0.1', port: 0, apiKey: KEY });
    client = new OpenAI({ baseURL: server.url, apiKey: KEY, maxRetries: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await core?.close();
  });

  const ask = (model: string, extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}) =>
    client.chat.completions.create({ model, messages: [{ role: 'user', content: QUESTION }], ...extra });

  it('refuses to start without an API key, or with one too short to resist guessing', async () => {
    await expect(startClinicServer(core, { host: '127.0.0.1', port: 0, apiKey: '' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/必须设置 API 密钥/) });
    await expect(startClinicServer(core, { host: '127.0.0.1', port: 0, apiKey: 'short' })).rejects.toMatchObject({ message: expect.stringMatching(/至少 16 个字符/) });
  });

  it('lists the local profiles on the loaded base as models, and retrieves one', async () => {
    const page = await client.models.list();
    expect(page.data.map((m) => m.id).sort()).toEqual(['base', 'tuned']);
    expect(page.data[0]).toMatchObject({ object: 'model', owned_by: 'xinglin' });
    const raw = await fetch(`${server.url}/models`, { headers: { Authorization: `Bearer ${KEY}` } });
    expect(ClinicModelList.safeParse(await raw.json()).success).toBe(true);
    expect((await client.models.retrieve('tuned')).id).toBe('tuned');
    await expect(client.models.retrieve('elsewhere')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('answers a completion with usage, and streams the same text chunk by chunk', async () => {
    const whole = await ask('base');
    const content = whole.choices[0]?.message.content ?? '';
    expect(whole).toMatchObject({ object: 'chat.completion', model: 'base', choices: [{ index: 0, message: { role: 'assistant' } }] });
    expect(content.length).toBeGreaterThan(0);
    expect(['stop', 'length']).toContain(whole.choices[0]?.finish_reason);
    expect(whole.usage?.completion_tokens).toBeGreaterThan(0);
    expect(whole.usage?.total_tokens).toBe((whole.usage?.prompt_tokens ?? 0) + (whole.usage?.completion_tokens ?? 0));
    // What went over the wire is the contract's shape too.
    expect(ChatCompletion.safeParse(whole).success).toBe(true);

    const stream = await client.chat.completions.create({ model: 'base', messages: [{ role: 'user', content: QUESTION }], stream: true, stream_options: { include_usage: true } });
    const pieces: string[] = [];
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      expect(ChatCompletionChunk.safeParse(chunk).success).toBe(true);
      const choice = chunk.choices[0];
      if (choice?.delta.content) pieces.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(pieces.join('')).toBe(content);
    expect(finish).toBe(whole.choices[0]?.finish_reason);
    expect(usage?.completion_tokens).toBe(whole.usage?.completion_tokens);
  });

  it('picks the adapter set by model name: the adapted profile answers differently from the base (greedy)', async () => {
    const base = (await ask('base')).choices[0]?.message.content;
    const tuned = (await ask('tuned')).choices[0]?.message.content;
    expect(tuned).toBeTruthy();
    expect(tuned).not.toBe(base);
    // And the base is still itself afterwards: the variant was per request.
    expect((await ask('base')).choices[0]?.message.content).toBe(base);
  });

  it('applies the request sampling over the profile: max_tokens caps the answer, a stop text cuts it', async () => {
    const short = await ask('base', { max_tokens: 3 });
    expect(short.usage?.completion_tokens).toBeLessThanOrEqual(3);
    expect(short.choices[0]?.finish_reason).toBe('length');

    const full = (await ask('base')).choices[0]?.message.content ?? '';
    const middle = Math.floor(full.length / 2);
    const stop = full.slice(middle, middle + 4);
    const expected = full.slice(0, full.indexOf(stop));
    const cut = await ask('base', { stop: [stop, '不会出现的停止词'] });
    expect(cut.choices[0]?.message.content).toBe(expected);
    expect(cut.choices[0]?.finish_reason).toBe('stop');
    // Streamed, the text that might begin the stop text is held back, and never sent once it is one.
    const stream = await client.chat.completions.create({ model: 'base', messages: [{ role: 'user', content: QUESTION }], stop, stream: true });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed).toBe(expected);
  });

  it('refuses a wrong or missing key with 401 in OpenAI’s error shape', async () => {
    const wrong = new OpenAI({ baseURL: server.url, apiKey: `${KEY}x`, maxRetries: 0 });
    const error = await wrong.models.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHORIZED', type: 'authentication_error', message: expect.stringMatching(/API 密钥错误/) });
    const missing = await fetch(`${server.url}/models`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: 'UNAUTHORIZED', message: expect.stringMatching(/缺少 API 密钥/) } });
  });

  it('answers an unknown model with 404 naming the models there are', async () => {
    const error = await ask('qizhen-13b').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).message).toMatch(/没有名为“qizhen-13b”的模型。可用的模型：base、tuned/);
    const remote = await ask('elsewhere').catch((e: unknown) => e);
    expect((remote as NotFoundError).message).toMatch(/使用远程服务器/);
  });

  it('refuses an invalid body with 400 naming the field, in Chinese', async () => {
    const hot = await ask('base', { temperature: 5 }).catch((e: unknown) => e);
    expect(hot).toBeInstanceOf(BadRequestError);
    expect((hot as BadRequestError).message).toMatch(/temperature 超过上限 2/);
    const noQuestion = await client.chat.completions.create({ model: 'base', messages: [{ role: 'user', content: '你好' }, { role: 'assistant', content: '您好' }] }).catch((e: unknown) => e);
    expect((noQuestion as BadRequestError).message).toMatch(/最后一条对话消息必须是 user/);
    const empty = await client.chat.completions.create({ model: 'base', messages: [] }).catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(BadRequestError);
    const notJson = await fetch(`${server.url}/chat/completions`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' }, body: '{"model":' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'INVALID_INPUT', message: '请求体不是有效的 JSON。' } });
  });

  it('follows a JSON schema given as response_format', async () => {
    const schema = { type: 'object', properties: { urgent: { type: 'boolean' } }, required: ['urgent'], additionalProperties: false };
    const reply = await ask('base', { max_tokens: 64, response_format: { type: 'json_schema', json_schema: { name: 'triage', schema } } });
    expect(JSON.parse(reply.choices[0]?.message.content ?? '')).toEqual({ urgent: expect.any(Boolean) });
  });

  it('with no model loaded lists nothing and answers 409 NO_MODEL', async () => {
    await core.api.models.unload();
    expect((await client.models.list()).data).toEqual([]);
    const error = await ask('base').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'NO_MODEL', message: expect.stringMatching(/尚未加载模型/) });
  });
});

/** `xinglin serve` as an administrator starts it; `onStarted` talks to it once it printed where it listens, then it is stopped. */
function serve(args: string[], onStarted: (stdout: string) => Promise<unknown>, env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string; checked: unknown }>((resolve, reject) => {
    const root = tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(appRoot(), 'src-main/hosts/cli/main.ts'), 'serve', '--port', '0', '--data-dir', path.join(root, 'data'), '--models-dir', path.join(root, 'models'), ...args], {
      cwd: appRoot(),
      env: { ...process.env, XINGLIN_THREADS: '1', XINGLIN_CLINIC_KEY: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    let checked: Promise<unknown> | null = null;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (!checked && /clinic server: \S+/.test(stdout)) checked = onStarted(stdout).finally(() => child.kill('SIGTERM'));
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', async (code) => resolve({ code, stdout, stderr, checked: await checked }));
  });
}

describe('xinglin serve --clinic', () => {
  it('starts the clinic server beside the browser host on the address given, with the key from a file', async () => {
    const keyFile = path.join(tempDir(), 'clinic.key');
    fs.writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 });
    const run = await serve(['--clinic', '127.0.0.1:0', '--clinic-key-file', keyFile], async (stdout) => {
      const url = /Xinglin clinic server: (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(stdout)?.[1];
      const models = await new OpenAI({ baseURL: url, apiKey: KEY, maxRetries: 0 }).models.list();
      return models.data;
    });
    expect(run.stdout).toMatch(/Xinglin browser mode: http:\/\/127\.0\.0\.1:\d+\//);
    expect(run.checked).toEqual([]);
    expect(run.code).toBe(0);
  });

  it('refuses to start without a key, with a short one, or with an address it cannot read', async () => {
    const refused = async (args: string[], message: RegExp, env: Record<string, string> = {}) => {
      const run = await serve(args, async () => null, env);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).not.toMatch(/clinic server/);
    };
    await refused(['--clinic', '127.0.0.1:0'], /诊所服务器必须设置至少 16 个字符的 API 密钥/);
    await refused(['--clinic', '127.0.0.1:0'], /至少 16 个字符/, { XINGLIN_CLINIC_KEY: 'short' });
    await refused(['--clinic', '8080', '--clinic-key-file', '/nonexistent/key'], /--clinic 需要“地址:端口”/);
    await refused(['--clinic', '127.0.0.1:0', '--clinic-key-file', '/nonexistent/key'], /无法读取诊所服务器的密钥文件 \/nonexistent\/key（ENOENT）/);
    await refused(['--clinic', '203.0.113.7:0'], /无法监听地址 203\.0\.113\.7/, { XINGLIN_CLINIC_KEY: KEY });
  });
});
