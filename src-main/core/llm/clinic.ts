/**
 * The clinic server's core side: the workstation's loaded model offered to the clinic's other
 * machines in OpenAI's chat-completions format (the host in hosts/web/clinic serves it over HTTP).
 * A model name is a profile id, so a request picks its adapter set, template and sampling by name,
 * on the base model loaded here; answers wait their turn in the model queue like the doctor's own.
 *
 * Only local profiles are served: a remote one would turn this workstation into a relay that
 * forwards patient text to a third machine under this workstation's key, and two Xinglins pointing
 * at each other would loop. A clinic that wants that server points its clients at it directly.
 */
import type { GbnfJsonSchema } from 'node-llama-cpp';
import { ChatCompletionRequest, XinglinError, type ClinicModel, type FinishReason, type Profile, type Sampling } from '../../contract/index.js';
import { invalidInput, malformedText } from '../validation.js';
import type { ChatTurn } from './context-fit.js';
import type { LlmService } from './service.js';

/** One answer, as the server reports it. */
export interface ClinicCompletion {
  text: string;
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
  /** The client went away (or cancelled) before the answer ended. */
  stopped: boolean;
}

const OWNER = 'xinglin';

/** The request's own sampling fields over the profile's. */
function samplingOf(base: Sampling, request: ChatCompletionRequest): Sampling {
  const chosen: Partial<Sampling> = {
    temperature: request.temperature ?? undefined,
    topP: request.top_p ?? undefined,
    maxTokens: request.max_completion_tokens ?? request.max_tokens ?? undefined,
    seed: request.seed ?? undefined,
    presencePenalty: request.presence_penalty ?? undefined,
    frequencyPenalty: request.frequency_penalty ?? undefined,
    topK: request.top_k ?? undefined,
    minP: request.min_p ?? undefined,
    repeatPenalty: request.repeat_penalty ?? request.repetition_penalty ?? undefined,
  };
  return { ...base, ...Object.fromEntries(Object.entries(chosen).filter(([, value]) => value !== undefined)) };
}

/**
 * OpenAI's messages as the runtime's conversation: every system (or developer) message joined into
 * the instructions, the last message the question, the turns before it the history.
 */
function conversation(messages: ChatCompletionRequest['messages']): { system: string; history: ChatTurn[]; prompt: string } {
  const system = messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.content).join('\n\n');
  const turns = messages.flatMap((m): ChatTurn[] => (m.role === 'user' || m.role === 'assistant' ? [{ role: m.role, text: m.content }] : []));
  const question = turns.pop();
  if (question?.role !== 'user') throw new XinglinError('INVALID_INPUT', '请求参数无效：messages 的最后一条对话消息必须是 user（要回答的问题）', { field: 'messages' });
  return { system, history: turns, prompt: question.text };
}

/**
 * Streamed text with the request's stop texts cut off: the answer ends before the first one, and
 * text that might be the start of one is held back until the next piece shows it is not.
 */
class StopCut {
  text = '';
  #held = '';
  #cut = false;

  constructor(
    private readonly stops: readonly string[],
    private readonly emit: (text: string) => void,
  ) {}

  get cut(): boolean {
    return this.#cut;
  }

  /** False once a stop text came: the caller stops generating. */
  push(piece: string): boolean {
    if (this.#cut) return false;
    const pending = this.#held + piece;
    const at = Math.min(...this.stops.map((stop) => pending.indexOf(stop)).filter((i) => i >= 0));
    if (Number.isFinite(at)) {
      this.#out(pending.slice(0, at));
      this.#held = '';
      this.#cut = true;
      return false;
    }
    const keep = Math.max(0, ...this.stops.map((stop) => overlap(pending, stop)));
    this.#out(pending.slice(0, pending.length - keep));
    this.#held = pending.slice(pending.length - keep);
    return true;
  }

  /** The answer ended: what was held back was not a stop text after all. */
  end(): void {
    if (!this.#cut) this.#out(this.#held);
    this.#held = '';
  }

  #out(text: string): void {
    if (!text) return;
    this.text += text;
    this.emit(text);
  }
}

/** The longest end of `text` that is a beginning of `stop` (shorter than all of it). */
function overlap(text: string, stop: string): number {
  for (let length = Math.min(text.length, stop.length - 1); length > 0; length -= 1) {
    if (text.endsWith(stop.slice(0, length))) return length;
  }
  return 0;
}

export class ClinicService {
  constructor(private readonly llm: LlmService) {}

  /** A request body as the contract reads it; INVALID_INPUT in Chinese naming the fields otherwise. */
  parse(body: unknown): ChatCompletionRequest {
    const parsed = ChatCompletionRequest.safeParse(body);
    if (!parsed.success) throw invalidInput('chat.completions', parsed.error);
    const malformed = malformedText('chat.completions', parsed.data);
    if (malformed) throw malformed;
    return parsed.data;
  }

  /** The profiles on the base model loaded now, as OpenAI model objects (none while no model is loaded). */
  models(): ClinicModel[] {
    const file = this.#loadedFile();
    return file === null ? [] : this.#servable(file).map((profile) => this.#object(profile.id, file));
  }

  /** The model object of one profile; NOT_FOUND (naming the ones there are) when it is not served. */
  model(id: string): ClinicModel {
    const { profile, file } = this.#served(id);
    return this.#object(profile.id, file);
  }

  /**
   * One answer through the model queue (kind `clinic`), streamed through `onText`. The signal is
   * the client's: when it goes away, waiting ends or generation stops, and the queue moves on.
   */
  async complete(request: ChatCompletionRequest, hooks: { signal?: AbortSignal; onText?: (text: string) => void } = {}): Promise<ClinicCompletion> {
    const { system, history, prompt } = conversation(request.messages);
    this.#served(request.model);
    const stop = request.stop ?? [];
    const cut = new StopCut(typeof stop === 'string' ? [stop] : stop, (text) => hooks.onText?.(text));
    const schema = request.response_format?.type === 'json_schema' ? request.response_format.json_schema.schema : undefined;
    return this.llm.queue.run(
      'clinic',
      null,
      async (signal) => {
        // Checked again once granted: a load may have replaced the base while the request waited.
        const provider = await this.llm.provider(this.#served(request.model).profile.id);
        provider.assertReady();
        const stopped = new AbortController();
        const result = await provider.generate({
          history,
          prompt,
          ...(system ? { system } : {}),
          sampling: samplingOf(provider.sampling, request),
          // The runtime compiles the schema into a grammar, and refuses one it cannot (GENERATION_FAILED).
          ...(schema ? { jsonSchema: schema as GbnfJsonSchema } : {}),
          signal: AbortSignal.any([signal, stopped.signal]),
          onText: (text) => {
            if (!cut.push(text)) stopped.abort();
          },
        });
        cut.end();
        const finishReason: FinishReason = !cut.cut && result.stopReason === 'maxTokens' ? 'length' : 'stop';
        return { text: cut.text, finishReason, promptTokens: result.timings.promptTokens, completionTokens: result.timings.generatedTokens, stopped: result.stopped && !cut.cut };
      },
      hooks.signal ? { signal: hooks.signal } : {},
    );
  }

  /** `created` is when the base model came into the registry (0: put in the folder by hand). */
  #object(id: string, file: string): ClinicModel {
    const created = Math.floor((this.llm.registry.entry(file, 'model')?.importedAt ?? 0) / 1000);
    return { id, object: 'model', created, owned_by: OWNER };
  }

  #loadedFile(): string | null {
    const status = this.llm.runtime.status();
    return status.state === 'ready' ? (status.model?.file ?? null) : null;
  }

  #servable(file: string): Profile[] {
    return this.llm.profiles.state().profiles.filter((p) => p.backend.kind === 'local' && p.backend.model === file);
  }

  /** The served profile a model name means (and the loaded base it runs on), or why there is none. */
  #served(id: string): { profile: Profile; file: string } {
    const status = this.llm.runtime.status();
    if (status.state === 'loading') throw new XinglinError('BUSY', '模型正在加载，请稍后再问', { model: id });
    const file = this.#loadedFile();
    if (file === null) throw new XinglinError('NO_MODEL', '这台工作站尚未加载模型，暂时无法回答：请在工作站的“模型”页加载模型', { model: id });
    const servable = this.#servable(file);
    const profile = servable.find((p) => p.id === id);
    if (profile) return { profile, file };
    const available = servable.map((p) => p.id).join('、') || '无';
    const named = this.llm.profiles.state().profiles.find((p) => p.id === id);
    const why = !named ? `没有名为“${id}”的模型` : named.backend.kind === 'remote' ? `配置“${id}”使用远程服务器，诊所服务器只提供本机模型` : `配置“${id}”的基础模型 ${named.backend.model} 当前未加载（已加载 ${file}）`;
    throw new XinglinError('NOT_FOUND', `${why}。可用的模型：${available}`, { model: id, available });
  }
}
