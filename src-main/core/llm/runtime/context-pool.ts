/**
 * The contexts of the loaded base model: one per adapter set and size in use (llama.cpp applies
 * LoRA adapters when a context is created), each with its one sequence, whose evaluated tokens
 * stay between answers so a follow-up question re-reads only what changed; and, for answering
 * several questions at once, a variant's lane context with several sequences (lanes.ts). Kept
 * within a memory budget: before a context is created its size is estimated, and the least
 * recently used idle contexts are disposed until it fits; the context an answer runs on is never
 * disposed, and with nothing else alive a new context is always created, whatever the budget.
 */
import type { LlamaChatSession, LlamaContext, LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import { addBytes, contextBudget, contextNeed, NO_BYTES, type Bytes } from './memory.js';

export interface PooledContext {
  readonly key: string;
  readonly context: LlamaContext;
  /** One for a variant's chat context, one per lane for its lane context. */
  readonly sequences: readonly LlamaContextSequence[];
  /** Per sequence, a chat session per template, all on that sequence (they share its evaluated tokens). */
  readonly sessions: ReadonlyArray<Map<string, LlamaChatSession>>;
  /** Answers running on it; a context in use is never disposed. */
  users: number;
  lastUsed: number;
}

export interface ContextRequest {
  key: string;
  /** Tokens each sequence can hold (node-llama-cpp allocates `contextSize × sequences` cells). */
  contextSize: number;
  sequences: number;
  adapters: ReadonlyArray<{ path: string; scale: number }>;
  signal?: AbortSignal | undefined;
  /** 0…1 while the adapters are applied (node-llama-cpp reports only 1). */
  onAdapterProgress?: ((progress: number) => void) | undefined;
}

export class ContextPool {
  readonly #model: LlamaModel;
  readonly #threads: number | null;
  readonly #limit: number | undefined;
  readonly #entries = new Map<string, PooledContext>();
  readonly #creating = new Map<string, Promise<PooledContext>>();
  #clock = 0;

  constructor(model: LlamaModel, options: { threads: number | null; memoryLimitBytes: number | undefined }) {
    this.#model = model;
    this.#threads = options.threads;
    this.#limit = options.memoryLimitBytes;
  }

  get(key: string): PooledContext | undefined {
    return this.#entries.get(key);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** RAM and VRAM the contexts alive hold, as llama.cpp allocated them. */
  bytes(): Bytes {
    let total = NO_BYTES;
    for (const { context } of this.#entries.values()) total = addBytes(total, context.memoryUsage);
    return total;
  }

  /**
   * Whether a context needing `need` fits the budget once every idle context is disposed: the
   * contexts answers run on stay.
   */
  async fits(need: Bytes): Promise<boolean> {
    const budget = await contextBudget(this.#model, this.#limit, this.bytes());
    let busy = NO_BYTES;
    for (const entry of this.#entries.values()) if (entry.users > 0) busy = addBytes(busy, entry.context.memoryUsage);
    return busy.ram + need.ram <= budget.ram && busy.vram + need.vram <= budget.vram;
  }

  /** The context for a key, created (making room first) when none is alive; counted as used until `release`. */
  async acquire(request: ContextRequest): Promise<PooledContext> {
    let entry = this.#entries.get(request.key);
    if (!entry) {
      let creating = this.#creating.get(request.key);
      if (!creating) {
        creating = this.#create(request).finally(() => this.#creating.delete(request.key));
        this.#creating.set(request.key, creating);
      }
      entry = await creating;
    }
    entry.users += 1;
    entry.lastUsed = ++this.#clock;
    return entry;
  }

  release(entry: PooledContext): void {
    entry.users = Math.max(0, entry.users - 1);
  }

  async disposeAll(): Promise<void> {
    await Promise.allSettled(this.#creating.values());
    for (const entry of [...this.#entries.values()]) await this.#dispose(entry);
  }

  async #create(request: ContextRequest): Promise<PooledContext> {
    await this.#makeRoom(await contextNeed(this.#model, request.contextSize, request.sequences));
    const { adapters, onAdapterProgress } = request;
    const context = await this.#model.createContext({
      contextSize: request.contextSize,
      sequences: request.sequences,
      threads: this.#threads ?? undefined,
      createSignal: request.signal,
      failedCreationRemedy: false,
      ...(adapters.length > 0
        ? {
            lora: {
              adapters: adapters.map((adapter) => ({ filePath: adapter.path, scale: adapter.scale })),
              onLoadProgress: (progress: number) => onAdapterProgress?.(progress),
            },
          }
        : {}),
    });
    const sequences = Array.from({ length: request.sequences }, () => context.getSequence());
    const entry: PooledContext = { key: request.key, context, sequences, sessions: sequences.map(() => new Map()), users: 0, lastUsed: ++this.#clock };
    this.#entries.set(request.key, entry);
    return entry;
  }

  /** Disposes idle contexts, least recently used first, until `need` fits the budget or none is idle. */
  async #makeRoom(need: Bytes): Promise<void> {
    for (;;) {
      const held = this.bytes();
      const budget = await contextBudget(this.#model, this.#limit, held);
      if (held.ram + need.ram <= budget.ram && held.vram + need.vram <= budget.vram) return;
      const idle = [...this.#entries.values()].filter((entry) => entry.users === 0).sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (!idle) return;
      await this.#dispose(idle);
    }
  }

  async #dispose(entry: PooledContext): Promise<void> {
    this.#entries.delete(entry.key);
    for (const sessions of entry.sessions) for (const session of sessions.values()) session.dispose();
    await entry.context.dispose();
  }
}
