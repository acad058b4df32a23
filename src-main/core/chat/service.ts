import { randomUUID } from 'node:crypto';
import { DEFAULT_SESSION_TITLE, XinglinError, type KbAskResult, type KnowledgeProvenance, type Message, type MethodOutput, type MethodParams, type Provenance, type Sampling } from '../../contract/index.js';
import { defaultSampling } from '../config.js';
import type { EventBus } from '../event-bus.js';
import type { KnowledgeService } from '../knowledge/index.js';
import type { LlmService } from '../llm/index.js';
import type { ChatStore } from './chat-store.js';
import { answerGrounded } from './grounded-answer.js';
import { StreamingAnswer } from './streaming-answer.js';

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
  answer: StreamingAnswer;
}

function knowledgeProvenance(result: KbAskResult): KnowledgeProvenance {
  const { citations, unsupported, choices, unknown, cited, support, uncited, truncated } = result;
  return { entryIds: [...result.entities, ...choices].map((e) => e.id), citations, unsupported, choices, unknown, cited, support, uncited, truncated };
}

interface Reply {
  text: string;
  stopped: boolean;
  provenance: Provenance;
}

/**
 * How one question travels: save the user turn, wait for the model queue, retrieve knowledge-base
 * entries, stream the answer as `chat.token` events — from the model grounded in those entries,
 * or, with no model loaded, composed from the entries themselves — then save it (complete,
 * stopped or error) with its citations and provenance, and send `chat.done` / `chat.error`.
 * The answer's row exists from its first token and its text is saved while it streams; if the
 * model process dies, the partial answer is kept as `interrupted`.
 * One answer per session at a time; sessions wait their turn for the model in the queue.
 */
export class ChatService {
  readonly #current = new Map<string, Generation>();

  constructor(
    private readonly store: ChatStore,
    private readonly llm: LlmService,
    private readonly knowledge: KnowledgeService,
    private readonly bus: EventBus,
    private readonly appVersion: string,
    private readonly sampling: Partial<Sampling> = {},
  ) {}

  async send(params: MethodParams<'chat.send'>): Promise<MethodOutput<'chat.send'>> {
    // Everything that can refuse the question does so before it is saved (the length first: the
    // model process counts it, and nothing may come between the checks below and the save).
    await this.llm.runtime.assertPromptFits(params.text);
    const session = this.store.getSession(params.sessionId);
    this.#requireIdle(session.id);
    this.llm.queue.assertRoom();
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
    this.#requireIdle(params.sessionId);
    this.llm.queue.assertRoom();
    const messages = this.store.listMessages(params.sessionId);
    const lastUser = messages.findLastIndex((m) => m.role === 'user');
    if (lastUser < 0) throw new XinglinError('NOT_FOUND', '这个会话里还没有可以重新回答的问题。');
    this.store.deleteMessages(messages.slice(lastUser + 1).map((later) => later.id));
    return { assistantMessageId: this.#start(params.sessionId, params.sampling) };
  }

  /** Stops the session's answer, whether it still waits for the model or is streaming. */
  stop(params: MethodParams<'chat.stop'>): MethodOutput<'chat.stop'> {
    const current = this.#current.get(params.sessionId);
    if (!current) return { stopped: false };
    current.controller.abort();
    return { stopped: true };
  }

  /** Stops what is answering (in one session, or everywhere) and waits until its answers are saved. */
  async halt(sessionId?: string): Promise<void> {
    const halted = [...this.#current.values()].filter((g) => !sessionId || g.sessionId === sessionId);
    for (const generation of halted) generation.controller.abort();
    await Promise.all(halted.map((g) => g.done));
  }

  #requireIdle(sessionId: string): void {
    if (this.#current.has(sessionId)) throw new XinglinError('BUSY', '这个会话的上一个回答还在生成中，请等待完成或先停止。');
  }

  #start(sessionId: string, overrides: Partial<Sampling> | undefined): string {
    const messageId = randomUUID();
    const sampling: Sampling = { ...defaultSampling, ...this.sampling, ...overrides };
    // Failed and cut-off answers are not context for the next one.
    const history = this.store.listMessages(sessionId).filter((m) => m.status !== 'error' && m.status !== 'interrupted');
    const question = history.pop();
    if (!question || question.role !== 'user') throw new XinglinError('NOT_FOUND', '这个会话里没有待回答的问题。');
    const generation: Generation = { sessionId, messageId, controller: new AbortController(), done: Promise.resolve(), answer: new StreamingAnswer(this.store, sessionId, messageId) };
    this.#current.set(sessionId, generation);
    generation.done = this.#run(generation, history, question.text, sampling);
    return messageId;
  }

  async #run(generation: Generation, history: Message[], question: string, sampling: Sampling): Promise<void> {
    const { sessionId, messageId, controller, answer } = generation;
    // Let the caller have the message id before any event about it goes out.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      // The answer is saved while the model is still granted, so a load that takes the model waits for it.
      await this.llm.queue.run(
        'chat',
        sessionId,
        async (signal) => {
          const reply = this.llm.runtime.status().state === 'ready' ? await this.#fromModel(generation, history, question, sampling, signal) : this.#fromKnowledge(generation, this.knowledge.ask(question));
          const message = answer.finish({ text: reply.text, status: reply.stopped ? 'stopped' : 'complete', provenance: reply.provenance, error: null });
          this.#finish(generation);
          this.bus.emit('chat.done', { sessionId, message });
        },
        { signal: controller.signal },
      );
    } catch (cause) {
      // Stopped while waiting for the model: nothing was answered, and the stop is the answer.
      const waitedOut = cause instanceof XinglinError && cause.code === 'CANCELLED';
      if (waitedOut && this.store.hasSession(sessionId)) {
        const message = answer.finish({ text: answer.text, status: 'stopped', provenance: null, error: null });
        this.#finish(generation);
        this.bus.emit('chat.done', { sessionId, message });
        return;
      }
      const error = cause instanceof XinglinError ? cause : new XinglinError('GENERATION_FAILED', `生成回答时出错：${String((cause as Error)?.message ?? cause)}`);
      const wire = { code: error.code, message: error.message };
      // The model process died: what was streamed stays, as an interrupted answer to regenerate.
      const status = error.code === 'RUNTIME_CRASHED' ? 'interrupted' : 'error';
      // The session may have been deleted meanwhile; the event still tells the renderer.
      if (this.store.hasSession(sessionId)) answer.finish({ text: answer.text, status, provenance: null, error: wire });
      this.#finish(generation);
      this.bus.emit('chat.error', { sessionId, messageId, error: wire });
    }
  }

  /** Grounded LLM mode: the model answers from the numbered entries; names it adds on its own are flagged. */
  async #fromModel(generation: Generation, history: Message[], question: string, sampling: Sampling, signal: AbortSignal): Promise<Reply> {
    const { sessionId, messageId } = generation;
    const { result, reply } = await answerGrounded(this.knowledge, this.llm.runtime, {
      question,
      history: history.map((m) => ({ role: m.role, text: m.text })),
      sampling,
      signal,
      onText: (text) => {
        generation.answer.append(text);
        this.bus.emit('chat.token', { sessionId, messageId, text });
      },
    });
    // A question naming genuinely different entries is answered by asking the doctor to choose.
    if (!reply) return this.#fromKnowledge(generation, result);
    return {
      // The streamed text, unless the administrator's policy replaced it with what the base records.
      text: result.mode === 'llm' ? reply.text : result.answer,
      stopped: reply.stopped,
      provenance: { mode: 'llm', appVersion: this.appVersion, ...this.llm.runtime.provenance(), sampling, timings: reply.timings, template: reply.template, knowledge: knowledgeProvenance(result) },
    };
  }

  /** Knowledge mode (no model loaded): composed from the entries, every statement cited, nothing invented. */
  #fromKnowledge(generation: Generation, result: KbAskResult): Reply {
    const { sessionId, messageId } = generation;
    // Composed at once: one event, and the row is written whole when it is saved.
    this.bus.emit('chat.token', { sessionId, messageId, text: result.answer });
    return { text: result.answer, stopped: false, provenance: { mode: 'knowledge', appVersion: this.appVersion, adapters: [], knowledge: knowledgeProvenance(result) } };
  }

  /** Idle again before the final event goes out, so a listener may ask the next question at once. */
  #finish(generation: Generation): void {
    if (this.#current.get(generation.sessionId) === generation) this.#current.delete(generation.sessionId);
  }
}
