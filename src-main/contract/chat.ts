import { z } from 'zod';
import { AdapterRef, ErrorData, FileRef, Id, MAX_QUESTION_CHARS, Ok, None, Sampling, Timings } from './common.js';
import { KnowledgeProvenance } from './knowledge.js';
import { ProfileId, ProfileRef } from './models.js';

/** Chat: sessions, their messages, search over them, and how a question is asked and answered. */

/** The title a session carries until its first question names it; the UI shows it in its own language. */
export const DEFAULT_SESSION_TITLE = '新对话';

/** Marks around matched terms in a snippet: plain text, so no HTML ever travels. */
export const MARK_START = '\u0001';
export const MARK_END = '\u0002';

/** A conversation, or one question put to two or three profiles side by side. */
export const SessionKind = z.enum(['chat', 'compare']);
export type SessionKind = z.infer<typeof SessionKind>;

export const Session = z.object({
  id: Id,
  title: z.string(),
  kind: SessionKind,
  /** The profile its answers come from (null: the current model as loaded); a compare session's are per answer. */
  profileId: ProfileId.nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  messageCount: z.number().int(),
});
export type Session = z.infer<typeof Session>;

/** Where an answer came from: enough to reproduce it or to audit it. */
export const Provenance = z.object({
  mode: z.enum(['llm', 'knowledge']),
  appVersion: z.string(),
  model: FileRef.optional(),
  adapters: z.array(AdapterRef),
  template: z.string().optional(),
  sampling: Sampling.optional(),
  timings: Timings.optional(),
  gpu: z.string().optional(),
  threads: z.number().int().optional(),
  /** The profile that answered, and where its model ran (a remote server is named by URL and model). */
  profile: ProfileRef.optional(),
  backend: z.object({ kind: z.enum(['local', 'remote']), baseUrl: z.string().optional(), model: z.string().optional() }).optional(),
  /** The knowledge-base entries the answer drew on, its citations and any names it could not support. */
  knowledge: KnowledgeProvenance.optional(),
});
export type Provenance = z.infer<typeof Provenance>;

export const MessageRole = z.enum(['user', 'assistant']);
/**
 * `streaming`: the answer is being written (its text is saved as it grows); `interrupted`: it was cut
 * off by a crash of the app or of the model process, its partial text kept.
 */
export const MessageStatus = z.enum(['complete', 'stopped', 'error', 'streaming', 'interrupted']);
export type MessageStatus = z.infer<typeof MessageStatus>;

export const Message = z.object({
  id: Id,
  sessionId: Id,
  role: MessageRole,
  text: z.string(),
  status: MessageStatus,
  provenance: Provenance.nullable(),
  error: ErrorData.nullable(),
  /** The profile asked for this answer (a compare session's column); null for a question or the session's own profile. */
  profileId: ProfileId.nullable(),
  createdAt: z.number().int(),
});
export type Message = z.infer<typeof Message>;

export const SearchHit = z.object({
  sessionId: Id,
  sessionTitle: z.string(),
  messageId: Id,
  role: MessageRole,
  /** The matching passage; matched terms are wrapped in MARK_START … MARK_END. */
  snippet: z.string(),
  createdAt: z.number().int(),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const chatMethods = {
  'sessions.list': { input: None, output: z.array(Session) },
  'sessions.create': { input: z.object({ title: z.string().trim().min(1).max(200).optional() }).strict(), output: Session },
  'sessions.rename': { input: z.object({ id: Id, title: z.string().trim().min(1).max(200) }).strict(), output: Session },
  /** The profile the session's next answers come from (null: the current model as loaded). */
  'sessions.setProfile': { input: z.object({ id: Id, profileId: ProfileId.nullable() }).strict(), output: Session },
  'sessions.delete': { input: z.object({ id: Id }).strict(), output: Ok },
  'sessions.messages': { input: z.object({ id: Id }).strict(), output: z.array(Message) },
  'sessions.search': {
    input: z.object({ query: z.string().trim().min(1).max(200), limit: z.number().int().min(1).max(200).default(50) }).strict(),
    output: z.array(SearchHit),
  },

  /** Saves the question and answers it: at once in knowledge mode, or when the model queue grants the model. */
  'chat.send': {
    input: z.object({
      sessionId: Id,
      text: z.string().trim().min(1).max(MAX_QUESTION_CHARS),
      sampling: Sampling.partial().optional(),
    }).strict(),
    output: z.object({ userMessage: Message, assistantMessageId: Id }),
  },
  /**
   * One question to two or three profiles, answered one after another through the model queue and
   * streamed as `chat.token` (by message id); saved as a new `compare` session the doctor can reopen.
   */
  'chat.compare': {
    input: z.object({ text: z.string().trim().min(1).max(MAX_QUESTION_CHARS), profiles: z.array(ProfileId).min(2).max(3) }).strict()
      .refine((i) => new Set(i.profiles).size === i.profiles.length, { message: '对比的配置不能重复', path: ['profiles'] }),
    output: z.object({ session: Session, userMessage: Message, answers: z.array(z.object({ profileId: ProfileId, messageId: Id })) }),
  },
  /** Stops the session's answer, whether it is still waiting for the model or streaming. */
  'chat.stop': { input: z.object({ sessionId: Id }).strict(), output: z.object({ stopped: z.boolean() }) },
  'chat.regenerate': {
    input: z.object({ sessionId: Id, sampling: Sampling.partial().optional() }).strict(),
    output: z.object({ assistantMessageId: Id }),
  },
} as const;

export const chatEvents = {
  'chat.token': z.object({ sessionId: Id, messageId: Id, text: z.string() }),
  'chat.done': z.object({ sessionId: Id, message: Message }),
  'chat.error': z.object({ sessionId: Id, messageId: Id, error: ErrorData }),
} as const;
