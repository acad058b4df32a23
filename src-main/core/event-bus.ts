import type { EventName, EventPayload } from '../contract/index.js';

export type AnyEventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

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
