/**
 * A profile whose model runs on an OpenAI-compatible server (vLLM with multi-LoRA, llama.cpp's
 * server, Ollama, another Xinglin's clinic server): the conversation goes as `messages` to
 * `POST {baseUrl}/chat/completions` with `stream: true`, and the answer streams back as
 * server-sent events. The server applies its own chat template; its context is the profile's
 * `contextSize`, which the prompt is fitted to by a conservative estimate (token-estimate.ts).
 */
import { XinglinError, ServerCompletion, type Profile, type Sampling } from '../../../contract/index.js';
import { fitToContext, replyReserve, type ChatTurn } from '../context-fit.js';
import type { GenerateRequest, GenerateResult } from '../runtime/generate.js';
import { ChatStreamReader, quote, serverErrorMessage } from './openai-stream.js';
import type { Provider, ProviderProvenance } from './provider.js';
import { estimateChatTokens, estimateTokens } from './token-estimate.js';

export type RemoteBackend = Extract<Profile['backend'], { kind: 'remote' }>;

/** The last user turn: the question's sources (knowledge-base entries), then the question, as the local runtime writes it. */
const SOURCES_SEPARATOR = '\n\n';
function userText(prompt: string, sources: string | undefined): string {
  return sources ? `${sources}${SOURCES_SEPARATOR}${prompt}` : prompt;
}

/** How much of an error body is read, and how much of the server's message an error quotes. */
const MAX_ERROR_BODY = 64 * 1024;
const MAX_SERVER_MESSAGE = 300;

/** The server applied its own template: the answer's provenance says so instead of naming one. */
const SERVER_TEMPLATE = 'server';

/** OpenAI's finish reasons in node-llama-cpp's words, which the rest of the app reads. */
const STOP_REASONS: Record<string, string> = { stop: 'eogToken', length: 'maxTokens' };

/**
 * The request's sampling in OpenAI's fields, every one the profile sets: a field left out takes
 * the server's default, which differs between servers (llama.cpp's server: top_k 40, min_p 0.05).
 * `top_k`, `min_p` and `repeat_penalty` (vLLM: `repetition_penalty`) are extensions that
 * llama.cpp's server, vLLM and Xinglin's clinic server read, and Ollama ignores.
 */
export function samplingFields(sampling: Sampling, maxTokens: number): Record<string, number> {
  const { minP, repeatPenalty, presencePenalty, frequencyPenalty } = sampling;
  return {
    temperature: sampling.temperature,
    top_p: sampling.topP,
    top_k: sampling.topK,
    max_tokens: maxTokens,
    seed: sampling.seed,
    ...(minP !== undefined ? { min_p: minP } : {}),
    ...(repeatPenalty !== undefined ? { repeat_penalty: repeatPenalty, repetition_penalty: repeatPenalty } : {}),
    ...(presencePenalty !== undefined ? { presence_penalty: presencePenalty } : {}),
    ...(frequencyPenalty !== undefined ? { frequency_penalty: frequencyPenalty } : {}),
  };
}

/** The errno-style code of a network failure (fetch wraps it in `cause`, happy eyeballs in an AggregateError). */
function networkCode(error: unknown): string | null {
  for (let cause: unknown = error, depth = 0; cause instanceof Error && depth < 4; depth += 1) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
    cause = cause instanceof AggregateError ? cause.errors[0] : cause.cause;
  }
  return null;
}

function connectionCause(code: string | null): string {
  switch (code) {
    case 'ECONNREFUSED':
      return '连接被拒绝（服务器未启动，或地址、端口有误）';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return '无法解析主机名（地址有误，或名称服务器不可用）';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return '连接被服务器中断';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `网络不通（${code}）`;
    case null:
      return '连接失败';
    default:
      return /CERT|TLS|SSL/.test(code) ? `HTTPS 证书无法验证（${code}）` : `连接失败（${code}）`;
  }
}

export class RemoteProvider implements Provider {
  readonly sampling: Sampling;
  /**
   * Requests sent at once under one grant: servers such as vLLM and llama.cpp's batch them.
   * Lanes mean nothing to a server; `GenerateRequest.lane` is ignored.
   */
  readonly maxParallel = 4;
  /** The server's address as errors and provenance name it: never credentials, never the key. */
  readonly #where: string;
  readonly #endpoint: URL;

  constructor(
    readonly profile: Profile,
    private readonly backend: RemoteBackend,
  ) {
    this.sampling = profile.sampling;
    const base = new URL(backend.baseUrl);
    this.#where = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
    this.#endpoint = new URL(base);
    this.#endpoint.pathname = `${base.pathname.replace(/\/+$/, '')}/chat/completions`;
  }

  /** The server is asked when an answer is: nothing to check before. */
  assertReady(): void {}

  async assertPromptFits(prompt: string, options: { system?: string; sources?: string; maxTokens?: number } = {}): Promise<void> {
    this.#fit([], userText(prompt, options.sources), this.#system(options.system), options.maxTokens ?? this.sampling.maxTokens);
  }

  /** Whether each candidate sources text, before the question in the last user turn, leaves the answer room. */
  systemBudget(prompt: string, maxTokens: number, system?: string): (sources: string) => Promise<boolean> {
    const { contextSize } = this.profile;
    const base = estimateChatTokens([this.#system(system), prompt]);
    const budget = contextSize - replyReserve(contextSize, maxTokens);
    return async (sources) => base + estimateTokens(`${sources}${SOURCES_SEPARATOR}`) <= budget;
  }

  provenance(): ProviderProvenance {
    return { adapters: [], profile: { id: this.profile.id, name: this.profile.name }, backend: { kind: 'remote', baseUrl: this.#where, model: this.backend.model } };
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const started = performance.now();
    const system = this.#system(request.system);
    const user = userText(request.prompt, request.sources);
    const plan = this.#fit(request.history, user, system, request.sampling.maxTokens);
    let text = '';
    const reader = new ChatStreamReader((chunk) => {
      text += chunk;
      request.onText?.(chunk);
    }, (cause) => this.#failed(cause));
    const finish = (stopReason: string): GenerateResult => {
      const { usage, firstTextAt, lastTextAt } = reader;
      const generatedTokens = usage?.completion_tokens ?? reader.textChunks;
      const decodeMs = firstTextAt === null || lastTextAt === null ? 0 : lastTextAt - firstTextAt;
      const tokensPerSecond = generatedTokens > 1 && decodeMs > 0 ? ((generatedTokens - 1) * 1000) / decodeMs : 0;
      return {
        text,
        stopped: stopReason === 'abort',
        stopReason,
        timings: { promptTokens: usage?.prompt_tokens ?? plan.promptTokens, generatedTokens, tokensPerSecond, durationMs: performance.now() - started },
        template: SERVER_TEMPLATE,
        droppedTurns: plan.droppedTurns,
      };
    };
    if (request.signal?.aborted) return finish('abort');

    const messages = [
      ...(system ? [{ role: 'system', content: system }] : []),
      ...plan.history.map((turn) => ({ role: turn.role, content: turn.text })),
      { role: 'user', content: user },
    ];
    const body = {
      model: this.backend.model,
      messages,
      stream: true,
      stream_options: { include_usage: true },
      ...samplingFields(request.sampling, plan.maxReplyTokens),
      ...(request.jsonSchema ? { response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: request.jsonSchema, strict: true } } } : {}),
    };

    // One controller ends the HTTP exchange: the caller's stop, the idle timeout, or leaving early.
    const exchange = new AbortController();
    const onAbort = () => exchange.abort();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    let idle: NodeJS.Timeout | undefined;
    const alive = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        timedOut = true;
        exchange.abort();
      }, this.backend.timeoutMs);
    };
    alive();
    request.onStarted?.(plan.promptTokens);
    try {
      const response = await fetch(this.#endpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'text/event-stream',
          ...(this.backend.apiKey ? { Authorization: `Bearer ${this.backend.apiKey}` } : {}),
        },
        body: JSON.stringify(body),
        redirect: 'manual',
        signal: exchange.signal,
      });
      alive();
      if (response.status < 200 || response.status > 299) throw await this.#httpFailure(response, alive);
      if (/^application\/json/i.test(response.headers.get('content-type') ?? '')) {
        // A server that ignored `stream: true` answers the whole completion at once.
        reader.whole(this.#whole(await response.text()));
      } else {
        const decoder = new TextDecoder();
        for await (const bytes of response.body ?? []) {
          alive();
          reader.feed(decoder.decode(bytes, { stream: true }));
        }
        reader.feed(decoder.decode());
        reader.end();
      }
      return finish(STOP_REASONS[reader.finishReason ?? 'stop'] ?? reader.finishReason ?? 'eogToken');
    } catch (error) {
      if (request.signal?.aborted) return finish('abort');
      if (timedOut) {
        throw new XinglinError('REMOTE_UNAVAILABLE', `远程模型服务器 ${this.#where} 在 ${this.backend.timeoutMs / 1000} 秒内没有响应：服务器过忙或已停止响应（可在配置中调整超时）`, { url: this.#where, timeoutMs: this.backend.timeoutMs });
      }
      if (error instanceof XinglinError) throw error;
      const code = networkCode(error);
      throw new XinglinError('REMOTE_UNAVAILABLE', `无法连接远程模型服务器 ${this.#where}：${connectionCause(code)}`, { url: this.#where, ...(code ? { errno: code } : {}) });
    } finally {
      clearTimeout(idle);
      request.signal?.removeEventListener('abort', onAbort);
      exchange.abort();
    }
  }

  /** The profile's system prompt, then the caller's instructions. */
  #system(extra: string | undefined): string {
    return [this.profile.systemPrompt.trim(), extra ?? ''].filter((part) => part.length > 0).join('\n\n');
  }

  /** The turns that fit the profile's context by the estimate; PROMPT_TOO_LONG when the question alone cannot. */
  #fit(history: readonly ChatTurn[], prompt: string, system: string, maxTokens: number) {
    const lead = system ? [system] : [];
    return fitToContext({
      history,
      contextSize: this.profile.contextSize,
      maxTokens,
      countTokens: (turns) => estimateChatTokens([...lead, ...turns.map((turn) => turn.text), prompt]),
    });
  }

  #failed(cause: string): XinglinError {
    return new XinglinError('REMOTE_FAILED', `远程模型服务器 ${this.#where} 的回答无法读取：${cause}`, { url: this.#where });
  }

  #whole(text: string): ServerCompletion {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw this.#failed(`答复不是 JSON（“${quote(text)}”）`);
    }
    const parsed = ServerCompletion.safeParse(json);
    if (parsed.success) return parsed.data;
    const message = serverErrorMessage(json);
    throw message === null ? this.#failed(`答复不是 OpenAI 格式（“${quote(text)}”）`) : new XinglinError('REMOTE_FAILED', `远程模型服务器 ${this.#where} 出错：${quote(message, MAX_SERVER_MESSAGE)}`, { url: this.#where });
  }

  /** A refusal, with the server's status and its own words (from its error JSON, else its text). */
  async #httpFailure(response: Response, alive: () => void): Promise<XinglinError> {
    const { status } = response;
    const decoder = new TextDecoder();
    let body = '';
    for await (const bytes of response.body ?? []) {
      alive();
      body += decoder.decode(bytes, { stream: true });
      if (body.length > MAX_ERROR_BODY) break;
    }
    let said = body.trim();
    try {
      said = serverErrorMessage(JSON.parse(said)) ?? said;
    } catch {
      // Not JSON: the text itself (an HTML error page, a proxy's message).
    }
    const words = said ? `：${quote(said, MAX_SERVER_MESSAGE)}` : '';
    const where = this.#where;
    const details = { url: where, status, model: this.backend.model };
    if (status === 401 || status === 403) return new XinglinError('REMOTE_FAILED', `远程模型服务器 ${where} 拒绝访问（HTTP ${status}，API 密钥错误或缺失）${words}`, details);
    if (status === 404) return new XinglinError('REMOTE_FAILED', `远程模型服务器 ${where} 没有模型“${this.backend.model}”或不提供此接口（HTTP 404）${words}`, details);
    if (status === 429) return new XinglinError('REMOTE_FAILED', `远程模型服务器 ${where} 正忙（HTTP 429），请稍后再问${words}`, details);
    if (status >= 300 && status < 400) {
      const location = response.headers.get('location') ?? '';
      return new XinglinError('REMOTE_FAILED', `远程模型服务器 ${where} 要求转到其他地址（HTTP ${status}${location ? `：${quote(location)}` : ''}），请在配置中改用该地址`, details);
    }
    if (status >= 500) return new XinglinError('REMOTE_FAILED', `远程模型服务器 ${where} 内部出错（HTTP ${status}）${words}`, details);
    return new XinglinError('REMOTE_FAILED', `远程模型服务器 ${where} 拒绝了请求（HTTP ${status}）${words}`, details);
  }
}
