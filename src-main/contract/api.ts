import type { ChosenFile, FilePurpose } from './common.js';
import type { WireError } from './errors.js';
import { XinglinError } from './errors.js';
import type { EventListener, EventName } from './events.js';
import type { MethodInput, MethodName, MethodOutput } from './methods.js';
import { methodNames } from './methods.js';

/** The one reply shape of every transport (IPC, HTTP): errors travel as data, never as thrown objects. */
export type Reply<T = unknown> = { ok: true; value: T } | { ok: false; error: WireError };

/** What a host's wire offers; `buildApi` turns it into the typed, namespaced API. */
export interface Transport {
  invoke(method: MethodName, input: unknown): Promise<Reply>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

type NamespaceOf<M> = M extends `${infer NS}.${string}` ? NS : never;
type MemberOf<NS extends string, M> = M extends `${NS}.${infer Member}` ? Member : never;
type Namespace = NamespaceOf<MethodName>;

// Methods whose input has no required field may be called without an argument.
type Call<M extends MethodName> = {} extends MethodInput<M>
  ? (input?: MethodInput<M>) => Promise<MethodOutput<M>>
  : (input: MethodInput<M>) => Promise<MethodOutput<M>>;

/** `api.chat.send({...})`, `api.on('chat.token', fn)`: the shape the renderer programs against. */
export type Api = {
  readonly [NS in Namespace]: { readonly [K in MemberOf<NS, MethodName>]: Call<`${NS}.${K}` & MethodName> };
} & {
  on<E extends EventName>(event: E, listener: EventListener<E>): () => void;
};

/**
 * Electron's `window.xinglin`: the API, the main process's native open dialog (null: the user
 * cancelled) and model files dropped on the window (the two ways a file reaches the core from the
 * window), printing a record to PDF, and opening the models folder.
 */
export type ElectronBridge = Api & {
  chooseFile(purpose: FilePurpose): Promise<ChosenFile | null>;
  /** The same dialog choosing several files at once (a model and its adapters); empty: the user cancelled. */
  chooseFiles(purpose: FilePurpose): Promise<ChosenFile[]>;
  /**
   * GGUF files the user dropped on the window: a handle for each (never its path), or why it was
   * refused, in the order given. Only files on this computer's disk that are GGUF are accepted.
   */
  dropModelFiles(files: readonly File[]): Promise<Array<Reply<ChosenFile>>>;
  /** Opens the models folder in the system's file manager (the page never learns more than its path). */
  openModelsFolder(): Promise<boolean>;
  /** The window printed to PDF and saved where the user chooses (false: the user cancelled). */
  savePdf(fileName: string): Promise<boolean>;
};

export function buildApi(transport: Transport): Api {
  const api: Record<string, unknown> = {};
  for (const name of methodNames) {
    const [namespace, member] = name.split('.') as [string, string];
    const group = (api[namespace] ??= {}) as Record<string, unknown>;
    group[member] = async (input: unknown = {}) => {
      const reply = await transport.invoke(name, input);
      if (!reply.ok) throw XinglinError.fromWire(reply.error);
      return reply.value;
    };
  }
  api.on = (event: EventName, listener: (payload: unknown) => void) => transport.subscribe(event, listener);
  return api as Api;
}
