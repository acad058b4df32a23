import type { EventName, EventPayload } from '../contract/index.js';

/** Listeners see every event; the payload's type follows from the name (narrow with a cast). */
export type AnyEventListener = (event: EventName, payload: EventPayload<EventName>) => void;

/** Fan-out of core events to every host connection (IPC windows, SSE clients, the CLI). */
export class EventBus {
  readonly #listeners = new Set<AnyEventListener>();

  subscribe(listener: AnyEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.#listeners) listener(event, payload);
  }
}
