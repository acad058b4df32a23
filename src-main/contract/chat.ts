import { z } from 'zod';
import { AdapterRef, ErrorData, FileRef, Id, MAX_QUESTION_CHARS, Ok, None, Sampling, Timings } from './common.js';
import { KnowledgeProvenance } from './knowledge.js';

/** Chat: sessions, their messages, search over them, and how a question is asked and answered. */

/** The title a session carries until its first question names it; the UI shows it in its own language. */
export const DEFAULT_SESSION_TITLE = '新对话';

/** Marks around matched terms in a snippet: plain text, so no HTML ever travels. */
export const MARK_START = '\u0001';
export const MARK_END = '\u0002';

export const Session = z.object({
  id: Id,
  title: z.string(),
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
