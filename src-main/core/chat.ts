import { randomUUID } from 'node:crypto';
import { DEFAULT_SESSION_TITLE, XinglinError, type KbAskResult, type KnowledgeProvenance, type Message, type MethodOutput, type MethodParams, type Provenance, type Sampling } from '../contract/index.js';
import { defaultSampling } from './config.js';
import type { EventBus } from './event-bus.js';
import type { KnowledgeService } from './knowledge/index.js';
import type { LlmHost } from './llm/index.js';
import type { Store } from './store/index.js';

const TITLE_CHARS = 24;

function titleFrom(question: string): string {
  const line = question.replace(/\s+/g, ' ').trim();
  return line.length > TITLE_CHARS ? `${line.slice(0, TITLE_CHARS)}…` : line;
}

interface Generation {
  sessionId: string;
  messageId: string;
  controller: AbortController;
  done: Promise<void>;
}

function knowledgeProvenance(result: KbAskResult): KnowledgeProvenance {
  const { citations, unsupported, choices, unknown, cited, support, uncited, truncated } = result;
  return { entryIds: [...result.entities, ...choices].map((e) => e.id), citations, unsupported, choices, unknown, cited, support, uncited, truncated };
}

interface Answer {
  text: string;
  stopped: boolean;
  provenance: Provenance;
}

/**
 * How one question travels: save the user turn, retrieve knowledge-base entries, stream the answer
 * as `chat.token` events — from the model grounded in those entries, or, with no model loaded,
 * composed from the entries themselves — then save it (complete, stopped or error) with its
 * citations and provenance, and send `chat.done` / `chat.error`. One answer at a time: the model
 * has one sequence.
 */
export class ChatService {
  #current: Generation | null = null;

  constructor(
    private readonly store: Store,
    private readonly llm: LlmHost,
    private readonly knowledge: KnowledgeService,
    private readonly bus: EventBus,
    private readonly appVersion: string,
    private readonly sampling: Partial<Sampling> = {},
  ) {}

  send(params: MethodParams<'chat.send'>): MethodOutput<'chat.send'> {
    const session = this.store.getSession(params.sessionId);
    this.#requireIdle();
    this.llm.assertPromptFits(params.text);
    const userMessage = this.store.transaction(() => {
      // An untitled session takes its name from its first question, as the doctor would name it.
      if (session.messageCount === 0 && session.title === DEFAULT_SESSION_TITLE) this.store.renameSession(session.id, titleFrom(params.text));
      return this.store.addMessage({ sessionId: session.id, role: 'user', text: params.text, status: 'complete', provenance: null, error: null });
    });
    const assistantMessageId = this.#start(params.sessionId, params.sampling);
    return { userMessage, assistantMessageId };
  }

  /** Answers the last question again, replacing the previous answer. */
  regenerate(params: MethodParams<'chat.regenerate'>): MethodOutput<'chat.regenerate'> {
    this.store.getSession(params.sessionId);
    this.#requireIdle();
    const messages = this.store.listMessages(params.sessionId);
    const lastUser = messages.findLastIndex((m) => m.role === 'user');
    if (lastUser < 0) throw new XinglinError('NOT_FOUND', '这个会话里还没有可以重新回答的问题。');
    this.store.transaction(() => {
      for (const later of messages.slice(lastUser + 1)) this.store.deleteMessage(later.id);
    });
    return { assistantMessageId: this.#start(params.sessionId, params.sampling) };
  }

  stop(params: MethodParams<'chat.stop'>): MethodOutput<'chat.stop'> {
    const current = this.#current;
    if (!current || current.sessionId !== params.sessionId) return { stopped: false };
    current.controller.abort();
    return { stopped: true };
  }

  /** Stops what is streaming (in one session, or anywhere) and waits until its answer is saved. */
  async halt(sessionId?: string): Promise<void> {
    const current = this.#current;
    if (!current || (sessionId && current.sessionId !== sessionId)) return;
    current.controller.abort();
    await current.done;
  }

  #requireIdle(): void {
    if (this.#current) throw new XinglinError('BUSY', '上一个回答还在生成中，请等待完成或先停止。');
    if (this.llm.status().state === 'loading') throw new XinglinError('BUSY', '模型正在加载，请稍候再问。');
  }

  #start(sessionId: string, overrides: Partial<Sampling> | undefined): string {
    const messageId = randomUUID();
    const sampling: Sampling = { ...defaultSampling, ...this.sampling, ...overrides };
    const history = this.store.listMessages(sessionId).filter((m) => m.status !== 'error');
    const question = history.pop();
    if (!question || question.role !== 'user') throw new XinglinError('NOT_FOUND', '这个会话里没有待回答的问题。');
    const generation: Generation = { sessionId, messageId, controller: new AbortController(), done: Promise.resolve() };
    this.#current = generation;
    generation.done = this.#run(generation, history, question.text, sampling);
    return messageId;
  }

  async #run(generation: Generation, history: Message[], question: string, sampling: Sampling): Promise<void> {
    const { sessionId, messageId } = generation;
    // Let the caller have the message id before any event about it goes out.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      const answer = this.llm.status().state === 'ready' ? await this.#fromModel(generation, history, question, sampling) : this.#fromKnowledge(generation, this.knowledge.ask(question));
      const message = this.store.addMessage({ id: messageId, sessionId, role: 'assistant', text: answer.text, status: answer.stopped ? 'stopped' : 'complete', provenance: answer.provenance, error: null });
      this.#finish(generation);
      this.bus.emit('chat.done', { sessionId, message });
    } catch (cause) {
      const error = cause instanceof XinglinError ? cause : new XinglinError('GENERATION_FAILED', `生成回答时出错：${String((cause as Error)?.message ?? cause)}`);
      const wire = { code: error.code, message: error.message };
      // The session may have been deleted meanwhile; the event still tells the renderer.
      if (this.store.hasSession(sessionId)) this.store.addMessage({ id: messageId, sessionId, role: 'assistant', text: '', status: 'error', provenance: null, error: wire });
      this.#finish(generation);
      this.bus.emit('chat.error', { sessionId, messageId, error: wire });
    }
  }

  /** Grounded LLM mode: the model answers from the numbered entries; names it adds on its own are flagged. */
  async #fromModel(generation: Generation, history: Message[], question: string, sampling: Sampling): Promise<Answer> {
    const { sessionId, messageId, controller } = generation;
    const { result, reply } = await this.knowledge.groundedAnswer(
      question,
      ({ system, prompt }) =>
        this.llm.generate({
          history: history.map((m) => ({ role: m.role, text: m.text })),
          system,
          prompt,
          sampling,
          signal: controller.signal,
          onText: (text) => this.bus.emit('chat.token', { sessionId, messageId, text }),
        }),
      (system) => this.llm.promptFits(question, { system, maxTokens: sampling.maxTokens }),
    );
    // A question naming genuinely different entries is answered by asking the doctor to choose.
    if (!reply) return this.#fromKnowledge(generation, result);
    return {
      text: reply.text,
      stopped: reply.stopped,
      provenance: { mode: 'llm', appVersion: this.appVersion, ...this.llm.provenance(), sampling, timings: reply.timings, template: reply.template, knowledge: knowledgeProvenance(result) },
    };
  }

  /** Knowledge mode (no model loaded): composed from the entries, every statement cited, nothing invented. */
  #fromKnowledge(generation: Generation, result: KbAskResult): Answer {
    const { sessionId, messageId } = generation;
    this.bus.emit('chat.token', { sessionId, messageId, text: result.answer });
    return { text: result.answer, stopped: false, provenance: { mode: 'knowledge', appVersion: this.appVersion, adapters: [], knowledge: knowledgeProvenance(result) } };
  }

  /** Idle again before the final event goes out, so a listener may ask the next question at once. */
  #finish(generation: Generation): void {
    if (this.#current === generation) this.#current = null;
  }
}
