import type { Api, EventPayload, Message, ModelQueue } from '$contract';
import { MAX_QUESTION_CHARS } from '$contract';
import { toUiError, type UiError } from '../i18n/index.js';
import { CompareState } from './compare.svelte.js';
import { FrameBatcher, type FrameScheduler } from './frame.js';
import type { SessionsState } from './sessions.svelte.js';

/** The answer being written: what the pane shows below the saved messages. */
export interface StreamingAnswer {
  messageId: string;
  text: string;
}

interface Stream {
  messageId: string;
  /** Text already shown. */
  text: string;
  /** Tokens received since the last frame. */
  pending: string;
  /**
   * Picked up from its saved `streaming` row (the page was opened mid-answer): the tokens between
   * the row's last save and this page's first event are missing until the answer is settled.
   */
  resumed?: true;
}

let localIds = 0;

/**
 * How many requests for the model are ahead of the session's answer while it waits in the queue
 * (the one running, and those waiting before it); null when it is not waiting (running, or not asked).
 */
export function requestsAhead(queue: ModelQueue, sessionId: string | null): number | null {
  if (sessionId === null) return null;
  const index = queue.waiting.findIndex((request) => request.kind === 'chat' && request.sessionId === sessionId);
  if (index < 0) return null;
  return index + (queue.running ? 1 : 0);
}

/**
 * The open session's conversation. Saved messages are `$state.raw` and replaced as a whole;
 * the streaming answer is a separate `$state.raw` value replaced at most once per animation
 * frame: `chat.token` events only append to a plain buffer, and one frame applies them all.
 * Streams of other sessions keep accumulating, so switching back shows the whole answer so far.
 * The model is shared (`models.queue`): an answer may wait its turn, and the pane shows its place.
 * An answer cut off by a crash (`interrupted`) keeps its partial text and can be regenerated.
 * A session answers with its profile (the picker; on the empty draft it is set once the session
 * exists). A comparison session opens as its columns (`compare`), whose events are its own.
 */
export class ChatState {
  sessionId = $state<string | null>(null);
  messages = $state.raw<Message[]>([]);
  streaming = $state.raw<StreamingAnswer | null>(null);
  loading = $state(false);
  /** A send or regenerate request is on its way (before the host answered it). */
  sending = $state(false);
  /** The last failed call, shown as an alert in the pane. */
  error = $state.raw<UiError | null>(null);
  /** A message to scroll to and highlight once it is on screen (from a search result). */
  focusMessageId = $state<string | null>(null);
  /** Who has the model and who waits for it (seeded by `refreshQueue`, then kept by `models.queue`). */
  queue = $state.raw<ModelQueue>({ running: null, waiting: [] });
  /** The profile the empty draft's session will answer with (null: the model as loaded). */
  draftProfileId = $state<string | null>(null);
  readonly compare: CompareState;

  /** The open session is a comparison: its columns show instead of the conversation. */
  isCompare = $derived.by(() => this.sessionId !== null && this.#sessions.kindOf(this.sessionId) === 'compare');
  /** The profile the open session (or the draft) answers with. */
  profileId = $derived.by(() => (this.sessionId === null ? this.draftProfileId : (this.#sessions.current?.profileId ?? null)));

  /** The open session's answer waits for the model: the number of requests ahead of it; null when it does not wait. */
  waitingAhead = $derived(requestsAhead(this.queue, this.sessionId));
  busy = $derived.by(() => this.sending || this.streaming !== null || this.waitingAhead !== null || (this.isCompare && this.compare.busy));
  canRegenerate = $derived(!this.busy && !this.loading && this.messages.some((m) => m.role === 'user'));

  readonly #api: Api;
  readonly #sessions: SessionsState;
  readonly #streams = new Map<string, Stream>();
  readonly #finished = new Set<string>();
  readonly #batcher: FrameBatcher;
  #loadSeq = 0;
  #queueEvents = 0;

  constructor(api: Api, sessions: SessionsState, schedule?: FrameScheduler) {
    this.#api = api;
    this.#sessions = sessions;
    this.#batcher = new FrameBatcher(() => this.#flush(), schedule);
    this.compare = new CompareState(api, sessions, schedule);
  }

  /** Subscribes to the chat events (the comparison's too); returns the unsubscribe function. */
  attach(): () => void {
    const offs = [
      this.compare.attach(),
      this.#api.on('chat.token', (payload) => this.onToken(payload)),
      this.#api.on('chat.done', (payload) => this.onDone(payload)),
      this.#api.on('chat.error', (payload) => this.onError(payload)),
      this.#api.on('models.queue', (payload) => this.onQueue(payload)),
    ];
    return () => offs.forEach((off) => off());
  }

  /** The queue as it is now (at start); an event that arrives meanwhile is newer and wins. */
  async refreshQueue(): Promise<void> {
    const events = this.#queueEvents;
    try {
      const queue = await this.#api.models.queue();
      if (events === this.#queueEvents) this.queue = queue;
    } catch {
      // the next models.queue event tells it
    }
  }

  onQueue(queue: EventPayload<'models.queue'>): void {
    this.#queueEvents += 1;
    this.queue = queue;
  }

  /** Opens a session (null: the empty draft) and loads its messages; optionally focuses one message. */
  async open(sessionId: string | null, focusMessageId?: string): Promise<void> {
    this.#sessions.select(sessionId);
    this.focusMessageId = focusMessageId ?? null;
    if (sessionId === null) this.draftProfileId = null;
    if (sessionId !== null && this.#sessions.kindOf(sessionId) === 'compare') {
      this.#loadSeq += 1;
      this.sessionId = sessionId;
      this.error = null;
      this.messages = [];
      this.streaming = null;
      this.loading = false;
      await this.compare.open(sessionId);
      return;
    }
    if (sessionId !== null && sessionId === this.sessionId && !this.loading && this.messages.length > 0) return;
    await this.#load(sessionId);
  }

  /** Shows the session's saved messages; an answer still being written there goes on as the stream. */
  async #load(sessionId: string | null): Promise<void> {
    const seq = ++this.#loadSeq;
    this.sessionId = sessionId;
    this.error = null;
    this.messages = [];
    this.streaming = this.#visible(sessionId);
    if (sessionId === null) {
      this.loading = false;
      return;
    }
    this.loading = true;
    try {
      const list = await this.#api.sessions.messages({ id: sessionId });
      if (seq !== this.#loadSeq) return;
      this.messages = mergeMessages(list.filter((m) => !this.#resume(m)), this.messages);
      this.streaming = this.#visible(sessionId);
    } catch (error) {
      if (seq !== this.#loadSeq) return;
      this.error = toUiError(error);
    } finally {
      if (seq === this.#loadSeq) this.loading = false;
    }
  }

  /**
   * Sends a question; on the empty draft (no session yet) the session is created first, so a
   * session exists only once it has a question. False when the question did not go.
   */
  async send(raw: string): Promise<boolean> {
    const text = raw.trim();
    if (!text || this.busy) return false;
    if (text.length > MAX_QUESTION_CHARS) {
      this.error = {
        code: 'INVALID_INPUT',
        message: `问题过长：${text.length} 字，最多 ${MAX_QUESTION_CHARS} 字。`,
        details: { field: 'text', length: text.length, max: MAX_QUESTION_CHARS },
      };
      return false;
    }
    this.sending = true;
    this.error = null;
    let sessionId = this.sessionId;
    if (!sessionId) {
      const created = await this.#sessions.create();
      const profileId = this.draftProfileId;
      if (!created || (profileId !== null && !(await this.#sessions.setProfile(created.id, profileId)))) {
        this.sending = false;
        this.error = this.#sessions.error;
        return false;
      }
      sessionId = created.id;
      // The draft becomes this session, unless the doctor has opened another one meanwhile.
      if (this.sessionId === null) {
        this.#loadSeq += 1;
        this.#sessions.select(sessionId);
        this.sessionId = sessionId;
        this.messages = [];
        this.loading = false;
      }
    }
    const optimistic: Message = {
      id: `local-${++localIds}`,
      sessionId,
      role: 'user',
      text,
      status: 'complete',
      provenance: null,
      error: null,
      profileId: null,
      createdAt: Date.now(),
    };
    if (this.sessionId === sessionId) this.messages = [...this.messages, optimistic];
    try {
      const reply = await this.#api.chat.send({ sessionId, text });
      if (this.sessionId === sessionId) {
        this.messages = this.messages.some((m) => m.id === reply.userMessage.id)
          ? this.messages.filter((m) => m.id !== optimistic.id)
          : this.messages.map((m) => (m.id === optimistic.id ? reply.userMessage : m));
      }
      this.#expect(sessionId, reply.assistantMessageId);
      void this.#sessions.refresh();
      return true;
    } catch (error) {
      this.messages = this.messages.filter((m) => m.id !== optimistic.id);
      this.error = toUiError(error);
      return false;
    } finally {
      this.sending = false;
    }
  }

  async stop(): Promise<void> {
    const sessionId = this.sessionId;
    if (!sessionId || !this.busy) return;
    if (this.isCompare) return this.compare.stop();
    try {
      const { stopped } = await this.#api.chat.stop({ sessionId });
      // Nothing answers there: a stream picked up from a saved row outlived its answer.
      const stream = this.#streams.get(sessionId);
      if (!stopped && stream?.resumed) this.#settle(sessionId, stream.messageId);
    } catch (error) {
      this.error = toUiError(error);
    }
  }

  /**
   * Answers the last question again: as the host does, everything after the last question (the
   * old answer, an error) leaves the list, and the new answer streams in.
   */
  async regenerate(): Promise<boolean> {
    const sessionId = this.sessionId;
    if (!sessionId || !this.canRegenerate) return false;
    const before = this.messages;
    const lastQuestion = before.findLastIndex((m) => m.role === 'user');
    this.messages = before.slice(0, lastQuestion + 1);
    this.sending = true;
    this.error = null;
    try {
      const reply = await this.#api.chat.regenerate({ sessionId });
      this.#expect(sessionId, reply.assistantMessageId);
      return true;
    } catch (error) {
      if (this.sessionId === sessionId) this.messages = before;
      this.error = toUiError(error);
      return false;
    } finally {
      this.sending = false;
    }
  }

  /** The profile the open session answers with from now on (on the empty draft: once its session exists). */
  async setProfile(profileId: string | null): Promise<boolean> {
    const sessionId = this.sessionId;
    if (sessionId === null) {
      this.draftProfileId = profileId;
      return true;
    }
    const ok = await this.#sessions.setProfile(sessionId, profileId);
    if (!ok) this.error = this.#sessions.error;
    return ok;
  }

  dismissError(): void {
    this.error = null;
  }

  onToken({ sessionId, messageId, text }: EventPayload<'chat.token'>): void {
    if (this.#finished.has(messageId) || this.#sessions.kindOf(sessionId) === 'compare') return;
    let stream = this.#streams.get(sessionId);
    if (!stream || stream.messageId !== messageId) {
      stream = { messageId, text: '', pending: '' };
      this.#streams.set(sessionId, stream);
    }
    stream.pending += text;
    if (sessionId === this.sessionId) this.#batcher.request();
  }

  onDone({ sessionId, message }: EventPayload<'chat.done'>): void {
    void this.#sessions.refresh();
    if (this.#isComparison(sessionId)) return;
    this.#finish(sessionId, message.id);
    if (sessionId === this.sessionId) {
      this.messages = upsertMessage(this.messages, message);
      this.streaming = this.#visible(sessionId);
    }
  }

  /**
   * The answer failed; its partial text stays. A crash of the model process makes it `interrupted`,
   * as the host saved it. A resumed stream lacks some text: the saved row is read instead.
   */
  onError({ sessionId, messageId, error }: EventPayload<'chat.error'>): void {
    void this.#sessions.refresh(); // the failed answer counts among the session's messages
    if (this.#isComparison(sessionId)) return;
    const stream = this.#streams.get(sessionId);
    if (stream?.messageId === messageId && stream.resumed) return this.#settle(sessionId, messageId);
    const partial = stream?.messageId === messageId ? stream.text + stream.pending : '';
    this.#finish(sessionId, messageId);
    if (sessionId !== this.sessionId) return;
    if (!this.messages.some((m) => m.id === messageId)) {
      const status = error.code === 'RUNTIME_CRASHED' ? 'interrupted' : 'error';
      this.messages = [...this.messages, { id: messageId, sessionId, role: 'assistant', text: partial, status, provenance: null, error, profileId: null, createdAt: Date.now() }];
    }
    this.streaming = this.#visible(sessionId);
  }

  /** Applies every buffered token: called once per animation frame while a stream runs. */
  #flush(): void {
    for (const stream of this.#streams.values()) {
      if (stream.pending) {
        stream.text += stream.pending;
        stream.pending = '';
      }
    }
    const next = this.#visible(this.sessionId);
    const current = this.streaming;
    if (next?.messageId !== current?.messageId || next?.text !== current?.text) this.streaming = next;
  }

  /** After send/regenerate: show an (empty) answer at once unless it already finished. */
  #expect(sessionId: string, messageId: string): void {
    if (this.#finished.has(messageId)) return;
    const stream = this.#streams.get(sessionId);
    if (!stream || stream.messageId !== messageId) this.#streams.set(sessionId, { messageId, text: '', pending: '' });
    if (sessionId === this.sessionId) this.#flush();
  }

  /**
   * Picks up an answer still being written from its saved `streaming` row (true: it is the stream
   * now, not a saved message). A stream this page followed from the start already holds the saved
   * text; otherwise the row's text is the start, and the next tokens continue it.
   */
  #resume(row: Message): boolean {
    if (row.status !== 'streaming' || this.#finished.has(row.id)) return false;
    const stream = this.#streams.get(row.sessionId);
    const shown = stream?.messageId === row.id ? stream.text + stream.pending : null;
    if (shown === null || !shown.startsWith(row.text)) this.#streams.set(row.sessionId, { messageId: row.id, text: row.text, pending: '', resumed: true });
    return true;
  }

  /** Ends the stream and shows the answer as saved (for a resumed stream, whose text has a gap). */
  #settle(sessionId: string, messageId: string): void {
    this.#finish(sessionId, messageId);
    if (sessionId === this.sessionId) void this.#load(sessionId);
  }

  #finish(sessionId: string, messageId: string): void {
    const stream = this.#streams.get(sessionId);
    if (stream && stream.messageId === messageId) this.#streams.delete(sessionId);
    if (this.#finished.size > 500) this.#finished.clear();
    this.#finished.add(messageId);
  }

  /** A comparison's events are its own; a token that came before it was listed left a stream here, dropped now. */
  #isComparison(sessionId: string): boolean {
    if (this.#sessions.kindOf(sessionId) !== 'compare') return false;
    this.#streams.delete(sessionId);
    return true;
  }

  #visible(sessionId: string | null): StreamingAnswer | null {
    const stream = sessionId ? this.#streams.get(sessionId) : undefined;
    return stream ? { messageId: stream.messageId, text: stream.text } : null;
  }
}

/** Replaces the message with the same id, or appends it. */
export function upsertMessage(list: readonly Message[], message: Message): Message[] {
  const index = list.findIndex((m) => m.id === message.id);
  if (index === -1) return [...list, message];
  const next = [...list];
  next[index] = message;
  return next;
}

/**
 * The loaded list, plus any message that arrived by event while it loaded; an event's copy is the
 * newer one (an answer that ended while its `streaming` row was being read).
 */
export function mergeMessages(loaded: readonly Message[], live: readonly Message[]): Message[] {
  const arrived = new Map(live.filter((m) => !m.id.startsWith('local-')).map((m) => [m.id, m]));
  const merged = loaded.map((m) => arrived.get(m.id) ?? m);
  const ids = new Set(loaded.map((m) => m.id));
  return [...merged, ...[...arrived.values()].filter((m) => !ids.has(m.id))];
}
