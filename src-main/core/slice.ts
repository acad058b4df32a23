import type { MethodName, MethodOutput, MethodParams } from '../contract/index.js';
import type { Migration } from './db/index.js';

export type Handler<M extends MethodName> = (params: MethodParams<M>) => Promise<MethodOutput<M>> | MethodOutput<M>;
export type Handlers = { [M in MethodName]: Handler<M> };

/**
 * What every domain slice of the core exports from its index.ts: its service (for the slices
 * that build on it), the handlers of its contract methods, and the schema steps it owns.
 */
export interface Slice<Service, M extends MethodName> {
  service: Service;
  handlers: Pick<Handlers, M>;
  migrations: readonly Migration[];
  close(): Promise<void> | void;
}
