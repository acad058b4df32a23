import { z } from 'zod';
import { Id, Message } from './entities.js';
import { KbImportProgress } from './knowledge.js';

/** Events the core pushes to every connected renderer. */
export const events = {
  'chat.token': z.object({ sessionId: Id, messageId: Id, text: z.string() }),
  'chat.done': z.object({ sessionId: Id, message: Message }),
  'chat.error': z.object({ sessionId: Id, messageId: Id, error: z.object({ code: z.string(), message: z.string() }) }),
  'models.progress': z.object({
    phase: z.enum(['hash', 'model', 'adapters', 'context']),
    file: z.string(),
    /** 0…1 */
    progress: z.number().min(0).max(1),
  }),
  'kb.progress': KbImportProgress,
} as const;

export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;
export type EventListener<E extends EventName> = (payload: EventPayload<E>) => void;

export const eventNames = Object.keys(events) as EventName[];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}
