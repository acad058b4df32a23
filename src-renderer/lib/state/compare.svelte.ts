import type { Api, ErrorData, EventPayload, Message, MessageStatus } from '$contract';
import { MAX_QUESTION_CHARS } from '$contract';
import { toUiError, type UiError } from '../i18n/index.js';
import { FrameBatcher, type FrameScheduler } from './frame.js';
import type { SessionsState } from './sessions.svelte.js';

/** How many profiles one comparison puts side by side (the contract's bounds). */
export const COMPARE_MIN = 2;
export const COMPARE_MAX = 3;

/** One answer of a comparison: which profile, and which message carries its answer. */
export interface CompareSlot {
  profileId: string;
  messageId: string;
}

/** Where a column's answer is: queued for the model, being written, or ended as saved. */
export type ColumnState = 'waiting' | 'streaming' | Exclude<MessageStatus, 'streaming'>;

/** What a column shows: its profile, its answer so far (or as saved), and how it ended. */
export interface CompareColumn {
  profileId: string;
  /** The profile's name as the saved answer's provenance records it (null while it is written: the view names it from the profiles). */
  name: string | null;
  messageId: string;
  state: ColumnState;
  text: string;
  /** The saved answer (citations, flags, provenance); null while it is still being written. */
  message: Message | null;
  error: ErrorData | null;
}

interface Stream {
  sessionId: string;
  text: string;
  pending: string;
}

/** An answer that failed before it was saved: why, and the text it had written. */
export interface FailedAnswer {
  error: ErrorData;
  text: string;
}

/**
 * The columns of a comparison, from its saved messages (a question, then one answer per profile,
 * each marked with its `profileId`) and the slots of a comparison started here (its answers may not
 * be saved yet). An answer's latest message wins.
 */
export function compareSlots(messages: readonly Message[], started: readonly CompareSlot[] = []): CompareSlot[] {
  const slots: CompareSlot[] = [...started];
  for (const message of messages) {
    if (message.role !== 'assistant' || message.profileId === null) continue;
    // The reply named the answers of a comparison started here: their ids stand.
    if (started.some((slot) => slot.profileId === message.profileId)) continue;
    const slot = { profileId: message.profileId, messageId: message.id };
    const index = slots.findIndex((other) => other.profileId === slot.profileId);
    if (index === -1) slots.push(slot);
    else slots[index] = slot;
  }
  return slots;
}

/**
 * A comparison: one question put to two or three profiles (`chat.compare`), saved as a `compare`
 * session, shown as one column per profile. Each answer streams by its message id; tokens only
 * append to a plain buffer and one animation frame applies them all (`live` is replaced at most
 * once a frame), as the chat pane does. A failed answer shows its error while the others go on.
 * Events of sessions known to be chats are the chat pane's; those of comparisons (and of sessions
 * not listed yet: a comparison's first token may outrun its reply) are buffered here.
 */
export class CompareState {
  /** The comparison open (null: none). */
  sessionId = $state<string | null>(null);
  question = $state.raw<Message | null>(null);
  slots = $state.raw<CompareSlot[]>([]);
  /** Answers as saved or as `chat.done` brought them, by message id. */
  saved = $state.raw<Record<string, Message>>({});
  /** Streaming text by message id, applied once per frame. */
  live = $state.raw<Record<string, string>>({});
  /** Answers that failed (their saved row may follow), by message id. */
  failed = $state.raw<Record<string, FailedAnswer>>({});
  loading = $state(false);
  /** A `chat.compare` request is on its way. */
  starting = $state(false);
  error = $state.raw<UiError | null>(null);

  /** The dialog that starts a comparison: open, its question, the profiles ticked (in the order ticked). */
  dialogOpen = $state(false);
  draftText = $state('');
  chosen = $state.raw<string[]>([]);

  canStart = $derived(
    !this.starting &&
      this.chosen.length >= COMPARE_MIN &&
      this.chosen.length <= COMPARE_MAX &&
      this.draftText.trim().length > 0 &&
      this.draftText.trim().length <= MAX_QUESTION_CHARS,
  );
  columns = $derived(this.slots.map((slot) => this.#column(slot)));
  busy = $derived(this.starting || this.columns.some((column) => column.state === 'waiting' || column.state === 'streaming'));

  readonly #api: Api;
  readonly #sessions: SessionsState;
  readonly #streams = new Map<string, Stream>();
  /** Answers ended by an event (their message), kept so a load that raced them does not bring back their `streaming` row. */
  readonly #ended = new Map<string, Message>();
  readonly #errors = new Map<string, FailedAnswer>();
  /** The slots of comparisons started in this window, by session (their rows may not exist yet). */
  readonly #started = new Map<string, CompareSlot[]>();
  readonly #batcher: FrameBatcher;
  #loadSeq = 0;

  constructor(api: Api, sessions: SessionsState, schedule?: FrameScheduler) {
    this.#api = api;
    this.#sessions = sessions;
    this.#batcher = new FrameBatcher(() => this.#flush(), schedule);
  }

  attach(): () => void {
    const offs = [
      this.#api.on('chat.token', (payload) => this.onToken(payload)),
      this.#api.on('chat.done', (payload) => this.onDone(payload)),
      this.#api.on('chat.error', (payload) => this.onError(payload)),
    ];
    return () => offs.forEach((off) => off());
  }

  /** True when the session's events are this state's: a comparison, or one not listed yet. */
  #owns(sessionId: string): boolean {
    return this.#started.has(sessionId) || this.#sessions.kindOf(sessionId) !== 'chat';
  }

  /**
   * Opens the dialog as it was left (a question typed, then the dialog closed, is still there), or
   * with the question and profiles given (a new comparison from an open one).
   */
  openDialog(from?: { text: string; profileIds: readonly string[] }): void {
    if (from) {
      this.draftText = from.text;
      this.chosen = from.profileIds.slice(0, COMPARE_MAX);
    }
    this.error = null;
    this.dialogOpen = true;
  }

  closeDialog(): void {
    this.dialogOpen = false;
  }

  /** Ticks or unticks a profile; a fourth is refused (false). */
  toggle(profileId: string): boolean {
    if (this.chosen.includes(profileId)) {
      this.chosen = this.chosen.filter((id) => id !== profileId);
      return true;
    }
    if (this.chosen.length >= COMPARE_MAX) return false;
    this.chosen = [...this.chosen, profileId];
    return true;
  }

  /** Starts the comparison the dialog describes; the dialog closes (its question cleared) once it started. */
  async submit(): Promise<string | null> {
    if (!this.canStart) return null;
    const id = await this.start(this.draftText, this.chosen);
    if (id !== null) {
      this.dialogOpen = false;
      this.draftText = '';
    }
    return id;
  }

  /**
   * Puts the question to the profiles; the new comparison is listed and open (its columns
   * waiting) when this returns its session id; null when it did not start (`error` says why).
   */
  async start(raw: string, profileIds: readonly string[]): Promise<string | null> {
    const text = raw.trim();
    // A question too long is refused by the host, naming the limit (the dialog says so as it is typed).
    if (!text || this.starting || profileIds.length < COMPARE_MIN || profileIds.length > COMPARE_MAX) return null;
    this.starting = true;
    this.error = null;
    try {
      const reply = await this.#api.chat.compare({ text, profiles: [...profileIds] });
      const slots = reply.answers.map(({ profileId, messageId }) => ({ profileId, messageId }));
      this.#started.set(reply.session.id, slots);
      this.#sessions.upsert(reply.session);
      this.#loadSeq += 1;
      this.sessionId = reply.session.id;
      this.question = reply.userMessage;
      this.slots = slots;
      this.saved = ofSlots(this.#ended, slots);
      this.failed = ofSlots(this.#errors, slots);
      this.loading = false;
      this.#flush();
      return reply.session.id;
    } catch (error) {
      this.error = toUiError(error);
      return null;
    } finally {
      this.starting = false;
    }
  }

  /** Shows a comparison (null: none) from its saved messages; answers still being written go on streaming. */
  async open(sessionId: string | null): Promise<void> {
    if (sessionId === this.sessionId && sessionId !== null && this.slots.length > 0 && !this.loading) return;
    const seq = ++this.#loadSeq;
    this.sessionId = sessionId;
    this.error = null;
    this.question = null;
    this.slots = sessionId ? (this.#started.get(sessionId) ?? []) : [];
    this.saved = ofSlots(this.#ended, this.slots);
    this.failed = ofSlots(this.#errors, this.slots);
    this.#flush();
    if (sessionId === null) {
      this.loading = false;
      return;
    }
    this.loading = true;
    try {
      const messages = await this.#api.sessions.messages({ id: sessionId });
      if (seq !== this.#loadSeq) return;
      const slots = compareSlots(messages, this.#started.get(sessionId));
      const saved: Record<string, Message> = {};
      for (const message of messages) {
        if (message.role !== 'assistant') continue;
        const ended = this.#ended.get(message.id);
        if (ended) saved[message.id] = ended;
        else if (message.status === 'streaming') {
          if (!this.#errors.has(message.id)) this.#resume(message);
        } else saved[message.id] = message;
      }
      this.question = messages.find((m) => m.role === 'user') ?? null;
      this.slots = slots;
      this.saved = { ...ofSlots(this.#ended, slots), ...saved };
      this.failed = ofSlots(this.#errors, slots);
      this.#flush();
    } catch (error) {
      if (seq === this.#loadSeq) this.error = toUiError(error);
    } finally {
      if (seq === this.#loadSeq) this.loading = false;
    }
  }

  /** Stops every answer of the open comparison, waiting or streaming; what was written stays. */
  async stop(): Promise<void> {
    const sessionId = this.sessionId;
    if (!sessionId || !this.busy) return;
    try {
      await this.#api.chat.stop({ sessionId });
    } catch (error) {
      this.error = toUiError(error);
    }
  }

  dismissError(): void {
    this.error = null;
  }

  onToken({ sessionId, messageId, text }: EventPayload<'chat.token'>): void {
    if (this.#ended.has(messageId) || !this.#owns(sessionId)) return;
    let stream = this.#streams.get(messageId);
    if (!stream) {
      stream = { sessionId, text: '', pending: '' };
      this.#streams.set(messageId, stream);
    }
    stream.pending += text;
    if (sessionId === this.sessionId) this.#batcher.request();
  }

  onDone({ sessionId, message }: EventPayload<'chat.done'>): void {
    if (!this.#owns(sessionId)) return;
    this.#end(message.id, message);
    if (sessionId !== this.sessionId) return;
    this.saved = { ...this.saved, [message.id]: message };
    this.#flush();
  }

  onError({ sessionId, messageId, error }: EventPayload<'chat.error'>): void {
    if (!this.#owns(sessionId)) return;
    const stream = this.#streams.get(messageId);
    // The partial text stays, shown with the error.
    const failed = { error, text: stream ? stream.text + stream.pending : '' };
    this.#streams.delete(messageId);
    if (this.#errors.size > 200) this.#errors.clear();
    this.#errors.set(messageId, failed);
    if (sessionId !== this.sessionId) return;
    this.failed = { ...this.failed, [messageId]: failed };
    this.#flush();
  }

  #column(slot: CompareSlot): CompareColumn {
    const message = this.saved[slot.messageId] ?? null;
    const name = message?.provenance?.profile?.name ?? null;
    const base = { profileId: slot.profileId, name, messageId: slot.messageId };
    if (message) return { ...base, state: message.status === 'streaming' ? 'streaming' : message.status, text: message.text, message, error: message.error };
    const failed = this.failed[slot.messageId];
    if (failed) return { ...base, state: failed.error.code === 'RUNTIME_CRASHED' ? 'interrupted' : 'error', text: failed.text, message: null, error: failed.error };
    const text = this.live[slot.messageId];
    return { ...base, state: text === undefined || text === '' ? 'waiting' : 'streaming', text: text ?? '', message: null, error: null };
  }

  /** Applies every buffered token; the open comparison's texts are replaced once (at most once a frame). */
  #flush(): void {
    const live: Record<string, string> = {};
    for (const [messageId, stream] of this.#streams) {
      if (stream.pending) {
        stream.text += stream.pending;
        stream.pending = '';
      }
      if (stream.sessionId === this.sessionId) live[messageId] = stream.text;
    }
    const before = this.live;
    const keys = Object.keys(live);
    if (keys.length !== Object.keys(before).length || keys.some((key) => before[key] !== live[key])) this.live = live;
  }

  /** A `streaming` row of an answer this window did not follow from its start: its text is the start. */
  #resume(row: Message): void {
    const stream = this.#streams.get(row.id);
    const shown = stream ? stream.text + stream.pending : null;
    if (shown === null || !shown.startsWith(row.text)) this.#streams.set(row.id, { sessionId: row.sessionId, text: row.text, pending: '' });
  }

  #end(messageId: string, message: Message): void {
    this.#streams.delete(messageId);
    this.#errors.delete(messageId);
    if (this.#ended.size > 200) this.#ended.clear();
    this.#ended.set(messageId, message);
  }
}

/** What `byMessage` holds of the slots' answers, by message id. */
function ofSlots<T>(byMessage: ReadonlyMap<string, T>, slots: readonly CompareSlot[]): Record<string, T> {
  const picked: Record<string, T> = {};
  for (const { messageId } of slots) {
    const value = byMessage.get(messageId);
    if (value !== undefined) picked[messageId] = value;
  }
  return picked;
}
