import { randomUUID } from 'node:crypto';
import { DEFAULT_SESSION_TITLE, XinglinError, type KbAskResult, type KnowledgeProvenance, type Message, type MethodOutput, type MethodParams, type Profile, type Provenance, type Sampling, type Session } from '../../contract/index.js';
import type { EventBus } from '../event-bus.js';
import type { KnowledgeService } from '../knowledge/index.js';
import type { ChatTurn, LlmService, Provider } from '../llm/index.js';
import type { ChatStore } from './chat-store.js';
import { answerGrounded, shownText } from './grounded-answer.js';
import { StreamingAnswer } from './streaming-answer.js';

const TITLE_CHARS = 24;

function titleFrom(question: string): string {
  const line = question.replace(/\s+/g, ' ').trim();
  return line.length > TITLE_CHARS ? `${line.slice(0, TITLE_CHARS)}…` : line;
}

/** What answers in a session now: one chat answer, or a comparison's answers, one after another. */
interface Run {
  sessionId: string;
  controller: AbortController;
  done: Promise<void>;
}

/** One question to answer: the turns before it, who answers it, and how. */
interface Ask {
  kind: 'chat' | 'compare';
  question: string;
  history: ChatTurn[];
  /** The profile that answers (null: the loaded model as loaded). */
  profileId: string | null;
  overrides: Partial<Sampling> | undefined;
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
 * entries, stream the answer as `chat.token` events — from the session's profile (the loaded
 * model, an adapter set on it, or a remote server) grounded in those entries, or, with no local
 * model loaded, composed from the entries themselves — then save it (complete, stopped or error)
 * with its citations and provenance, and send `chat.done` / `chat.error`.
 * The answer's row exists from its first token and its text is saved while it streams; if the
 * model process dies, the partial answer is kept as `interrupted`.
 * A comparison asks two or three profiles the same question, one after another, each answer a
 * message of its own. One run per session at a time; sessions wait their turn in the model queue.
 */
export class ChatService {
  readonly #current = new Map<string, Run>();

  constructor(
    private readonly store: ChatStore,
    private readonly llm: LlmService,
    private readonly knowledge: KnowledgeService,
    private readonly bus: EventBus,
    private readonly appVersion: string,
  ) {}

  async send(params: MethodParams<'chat.send'>): Promise<MethodOutput<'chat.send'>> {
    // Everything that can refuse the question does so before it is saved (the length first: the
    // model process counts it, and nothing may come between the checks below and the save).
    await this.#assertPromptFits(this.#chatSession(params.sessionId).profileId, params.text);
    const session = this.#chatSession(params.sessionId);
    this.#requireIdle(session.id);
    this.llm.queue.assertRoom();
    const userMessage = this.store.transaction(() => {
      // An untitled session takes its name from its first question, as the doctor would name it.
      if (session.messageCount === 0 && session.title === DEFAULT_SESSION_TITLE) this.store.renameSession(session.id, titleFrom(params.text));
      return this.store.addMessage({ sessionId: session.id, role: 'user', text: params.text, status: 'complete', provenance: null, error: null });
    });
    const assistantMessageId = this.#start(session, params.sampling);
    return { userMessage, assistantMessageId };
  }

  /** Answers the last question again, replacing the previous answer. */
  regenerate(params: MethodParams<'chat.regenerate'>): MethodOutput<'chat.regenerate'> {
    const session = this.#chatSession(params.sessionId);
    this.#requireIdle(session.id);
    this.llm.queue.assertRoom();
    const messages = this.store.listMessages(session.id);
    const lastUser = messages.findLastIndex((m) => m.role === 'user');
    if (lastUser < 0) throw new XinglinError('NOT_FOUND', '这个会话里还没有可以重新回答的问题。');
    this.store.deleteMessages(messages.slice(lastUser + 1).map((later) => later.id));
    return { assistantMessageId: this.#start(session, params.sampling) };
  }

  /** The profile the session's next answers come from; a running answer keeps the one it started with. */
  setProfile(params: MethodParams<'sessions.setProfile'>): Session {
    const session = this.#chatSession(params.id);
    if (params.profileId !== null) this.#profile(params.profileId);
    return this.store.setSessionProfile(session.id, params.profileId);
  }

  /**
   * A new compare session: the question saved once, an answer row per profile (its column, in
   * the order given) written at once, then each profile asked in turn through the model queue.
   * A profile that cannot answer (its server down, its base not loaded) ends its column with the
   * error; the others still answer.
   */
  compare(params: MethodParams<'chat.compare'>): MethodOutput<'chat.compare'> {
    for (const profileId of params.profiles) this.#profile(profileId);
    this.llm.queue.assertRoom();
    const { sessionId, userMessage, answers } = this.store.transaction(() => {
      const { id } = this.store.createSession(titleFrom(params.text), { kind: 'compare' });
      const question = this.store.addMessage({ sessionId: id, role: 'user', text: params.text, status: 'complete' });
      const columns = params.profiles.map((profileId) => new StreamingAnswer(this.store, id, randomUUID(), profileId));
      for (const answer of columns) answer.begin();
      return { sessionId: id, userMessage: question, answers: columns };
    });
    const run: Run = { sessionId, controller: new AbortController(), done: Promise.resolve() };
    this.#current.set(sessionId, run);
    run.done = (async () => {
      for (const [i, answer] of answers.entries()) {
        const ask: Ask = { kind: 'compare', question: params.text, history: [], profileId: answer.profileId, overrides: undefined };
        await this.#answer(run, answer, ask, i === answers.length - 1);
      }
    })();
    return { session: this.store.getSession(sessionId), userMessage, answers: answers.map((a) => ({ profileId: a.profileId!, messageId: a.messageId })) };
  }

  /** Stops the session's answers: the one streaming keeps its text, those still waiting end as stopped. */
  stop(params: MethodParams<'chat.stop'>): MethodOutput<'chat.stop'> {
    const current = this.#current.get(params.sessionId);
    if (!current) return { stopped: false };
    current.controller.abort();
    return { stopped: true };
  }

  /** Stops what is answering (in one session, or everywhere) and waits until its answers are saved. */
  async halt(sessionId?: string): Promise<void> {
    const halted = [...this.#current.values()].filter((run) => !sessionId || run.sessionId === sessionId);
    for (const run of halted) run.controller.abort();
    await Promise.all(halted.map((run) => run.done));
  }

  /** A session that takes questions: a comparison is one question, asked once. */
  #chatSession(id: string): Session {
    const session = this.store.getSession(id);
    if (session.kind === 'compare') throw new XinglinError('INVALID_INPUT', '对比会话不能继续提问，也不能重新回答或更换配置；请新建对话，或重新发起对比', { field: 'sessionId' });
    return session;
  }

  #requireIdle(sessionId: string): void {
    if (this.#current.has(sessionId)) throw new XinglinError('BUSY', '这个会话的上一个回答还在生成中，请等待完成或先停止。');
  }

  /** The profile a session or a column names; one deleted since is named in the error. */
  #profile(id: string): Profile {
    try {
      return this.llm.profiles.get(id);
    } catch (cause) {
      if (cause instanceof XinglinError && cause.code === 'NOT_FOUND') throw new XinglinError('NOT_FOUND', `找不到配置 ${id}，它可能已被删除；请另选一个配置`, { entity: 'profile', id });
      throw cause;
    }
  }

  #provider(profileId: string | null): Promise<Provider> {
    // Looked up here first, so a profile deleted since is named in the error.
    if (profileId !== null) this.#profile(profileId);
    return this.llm.provider(profileId);
  }

  /**
   * Knowledge mode: a local profile (or none) while no model is loaded answers from the knowledge
   * base. A remote profile needs no local model.
   */
  #knowledgeMode(profileId: string | null): boolean {
    const local = profileId === null || this.#profile(profileId).backend.kind === 'local';
    return local && this.llm.runtime.status().state !== 'ready';
  }

  async #assertPromptFits(profileId: string | null, text: string): Promise<void> {
    if (this.#knowledgeMode(profileId)) return;
    await (await this.#provider(profileId)).assertPromptFits(text);
  }

  #start(session: Session, overrides: Partial<Sampling> | undefined): string {
    // Failed and cut-off answers are not context for the next one.
    const history = this.store.listMessages(session.id).filter((m) => m.status !== 'error' && m.status !== 'interrupted');
    const question = history.pop();
    if (!question || question.role !== 'user') throw new XinglinError('NOT_FOUND', '这个会话里没有待回答的问题。');
    const answer = new StreamingAnswer(this.store, session.id, randomUUID());
    const run: Run = { sessionId: session.id, controller: new AbortController(), done: Promise.resolve() };
    this.#current.set(session.id, run);
    const ask: Ask = { kind: 'chat', question: question.text, history: history.map((m) => ({ role: m.role, text: m.text })), profileId: session.profileId, overrides };
    run.done = this.#answer(run, answer, ask, true);
    return answer.messageId;
  }

  /**
   * One answer, from its wait for the model to its save and final event; never throws. `last`:
   * the run's last answer, after which the session is idle again.
   */
  async #answer(run: Run, answer: StreamingAnswer, ask: Ask, last: boolean): Promise<void> {
    const { sessionId, messageId } = answer;
    // Let the caller have the message id before any event about it goes out.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      // The answer is saved while the model is still granted, so a load that takes the model waits for it.
      await this.llm.queue.run(
        ask.kind,
        sessionId,
        async (signal) => {
          const reply = ask.kind === 'chat' && this.#knowledgeMode(ask.profileId) ? this.#fromKnowledge(answer, this.knowledge.ask(ask.question)) : await this.#fromModel(answer, ask, signal);
          const message = answer.finish({ text: reply.text, status: reply.stopped ? 'stopped' : 'complete', provenance: reply.provenance, error: null });
          if (last) this.#finish(run);
          this.bus.emit('chat.done', { sessionId, message });
        },
        { signal: run.controller.signal },
      );
    } catch (cause) {
      // Stopped while waiting for the model: nothing was answered, and the stop is the answer.
      const waitedOut = cause instanceof XinglinError && cause.code === 'CANCELLED';
      if (waitedOut && this.store.hasSession(sessionId)) {
        const message = answer.finish({ text: answer.text, status: 'stopped', provenance: null, error: null });
        if (last) this.#finish(run);
        this.bus.emit('chat.done', { sessionId, message });
        return;
      }
      const error = cause instanceof XinglinError ? cause : new XinglinError('GENERATION_FAILED', `生成回答时出错：${String((cause as Error)?.message ?? cause)}`);
      const wire = { code: error.code, message: error.message };
      // The model process died: what was streamed stays, as an interrupted answer to regenerate.
      const status = error.code === 'RUNTIME_CRASHED' ? 'interrupted' : 'error';
      // The session may have been deleted meanwhile; the event still tells the renderer.
      if (this.store.hasSession(sessionId)) answer.finish({ text: answer.text, status, provenance: null, error: wire });
      if (last) this.#finish(run);
      this.bus.emit('chat.error', { sessionId, messageId, error: wire });
    }
  }

  /**
   * Grounded LLM mode: the profile's model answers from the numbered entries; names it adds on
   * its own are flagged. The provider is taken when the model is granted, so it answers with the
   * profile as it is then.
   */
  async #fromModel(answer: StreamingAnswer, ask: Ask, signal: AbortSignal): Promise<Reply> {
    const { sessionId, messageId } = answer;
    const provider = await this.#provider(ask.profileId);
    provider.assertReady();
    const sampling: Sampling = { ...provider.sampling, ...ask.overrides };
    const grounded = await answerGrounded(this.knowledge, provider, {
      question: ask.question,
      history: ask.history,
      sampling,
      signal,
      onText: (text) => {
        answer.append(text);
        this.bus.emit('chat.token', { sessionId, messageId, text });
      },
    });
    const { result, reply } = grounded;
    // A question naming genuinely different entries is answered by asking the doctor to choose.
    if (!reply) return this.#fromKnowledge(answer, result);
    return {
      text: shownText(grounded),
      stopped: reply.stopped,
      provenance: { mode: 'llm', appVersion: this.appVersion, ...provider.provenance(), sampling, timings: reply.timings, template: reply.template, knowledge: knowledgeProvenance(result) },
    };
  }

  /** Knowledge mode (no model loaded): composed from the entries, every statement cited, nothing invented. */
  #fromKnowledge(answer: StreamingAnswer, result: KbAskResult): Reply {
    const { sessionId, messageId } = answer;
    // Composed at once: one event, and the row is written whole when it is saved.
    this.bus.emit('chat.token', { sessionId, messageId, text: result.answer });
    return { text: result.answer, stopped: false, provenance: { mode: 'knowledge', appVersion: this.appVersion, adapters: [], knowledge: knowledgeProvenance(result) } };
  }

  /** Idle again before the final event goes out, so a listener may ask the next question at once. */
  #finish(run: Run): void {
    if (this.#current.get(run.sessionId) === run) this.#current.delete(run.sessionId);
  }
}
