import type { z } from 'zod';
import { chatEvents } from './chat.js';
import { evalEvents } from './eval.js';
import { jobEvents } from './jobs.js';
import { modelEvents } from './models.js';
import { recordEvents } from './records.js';

/** Events the core pushes to every connected renderer, merged from the domains. */
export const events = { ...chatEvents, ...modelEvents, ...recordEvents, ...evalEvents, ...jobEvents } as const;

export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;
export type EventListener<E extends EventName> = (payload: EventPayload<E>) => void;

export const eventNames = Object.keys(events) as EventName[];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}
