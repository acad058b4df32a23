/**
 * What one answer runs on: the loaded base with a variant's context (its adapters, its size) from
 * the pool, and a chat session with the variant's template on one of that context's sequences:
 * the chat context's one, or a lane's (lanes.ts). The sessions of a sequence share it, and with
 * it the tokens it has evaluated.
 */
import { InsufficientMemoryError, LlamaChatSession, type LlamaContextSequence, type LlamaModel } from 'node-llama-cpp';
import { XinglinError, type TemplateChoice } from '../../../contract/index.js';
import { checkAdapterFits, inspectAdapter } from '../gguf/inspect.js';
import { chatWrapperFor, type ResolvedTemplate } from '../templates/index.js';
import type { PooledContext } from './context-pool.js';
import { errorText, track, type LoadProgress } from './load.js';
import type { LoadedModel } from './loaded.js';
import { contextKey, type RuntimeVariant } from './variant.js';

/** Where a prompt is rendered and fitted: the model, the template and the context size. */
export interface PromptTarget {
  model: LlamaModel;
  template: ResolvedTemplate;
  contextSize: number;
}

/** A prompt target with the context acquired for an answer: give it back with `loaded.pool.release(slot.entry)`. */
export interface Slot extends PromptTarget {
  entry: PooledContext;
  sequence: LlamaContextSequence;
  session: LlamaChatSession;
}

/** A lane of a variant's lane context: its sequence `index` of `count`. */
export interface Lane {
  index: number;
  count: number;
}

interface SlotOptions {
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: LoadProgress) => void) | undefined;
  /** Absent: the variant's chat context. */
  lane?: Lane | undefined;
}

/** A variant as the pool keys it: its context size capped by what the model was trained for. */
export function capped(loaded: LoadedModel, variant: RuntimeVariant): RuntimeVariant {
  return { ...variant, contextSize: Math.min(variant.contextSize, loaded.model.trainContextSize) };
}

/** The chat wrapper of a template choice on the loaded model (made once per choice). */
export function templateFor(loaded: LoadedModel, choice: TemplateChoice): ResolvedTemplate {
  const key = JSON.stringify(choice);
  let template = loaded.templates.get(key);
  if (!template) {
    try {
      template = chatWrapperFor(loaded.model, choice);
    } catch (error) {
      if (error instanceof XinglinError) throw error;
      throw new XinglinError('INVALID_INPUT', `聊天模板（${choice.kind}）无法使用：${errorText(error)}`, { template: choice.kind });
    }
    loaded.templates.set(key, template);
  }
  return template;
}

/** Rendering and fitting need no context: its size is the live context's, else the one it will get. */
export function promptTarget(loaded: LoadedModel, variant: RuntimeVariant): PromptTarget {
  const sized = capped(loaded, variant);
  const live = loaded.pool.get(contextKey(sized));
  return { model: loaded.model, template: templateFor(loaded, variant.template), contextSize: live?.context.contextSize ?? sized.contextSize };
}

/**
 * The variant's context (created, adapters applied, when none is alive) and its template's
 * session on the chosen sequence. `onProgress` reports the adapters and context phases of a new context.
 */
export async function openSlot(loaded: LoadedModel, variant: RuntimeVariant, options: SlotOptions = {}): Promise<Slot> {
  const sized = capped(loaded, variant);
  const template = templateFor(loaded, sized.template);
  const sequences = options.lane?.count ?? 1;
  const key = contextKey(sized, sequences);
  if (!loaded.pool.get(key)) await checkAdapters(loaded, sized);
  const entry = await acquire(loaded, sized, { key, sequences }, options);
  const index = options.lane?.index ?? 0;
  const sequence = entry.sequences[index]!;
  const sessions = entry.sessions[index]!;
  const templateKey = JSON.stringify(sized.template);
  let session = sessions.get(templateKey);
  if (!session) {
    session = new LlamaChatSession({ contextSequence: sequence, chatWrapper: template.wrapper });
    sessions.set(templateKey, session);
  }
  return { model: loaded.model, template, contextSize: entry.context.contextSize, entry, sequence, session };
}

/**
 * Adapters reach the model process checked against the base in the app process; they are checked
 * again here (headers only, once per file and digest) because llama.cpp aborts the whole process
 * on some mismatches instead of failing the context.
 */
async function checkAdapters(loaded: LoadedModel, variant: RuntimeVariant): Promise<void> {
  for (const adapter of variant.adapters) {
    const id = `${adapter.path}\u0000${adapter.sha256}`;
    if (loaded.checked.has(id)) continue;
    checkAdapterFits(loaded.inspection, await inspectAdapter(adapter.path));
    loaded.checked.add(id);
  }
}

async function acquire(loaded: LoadedModel, variant: RuntimeVariant, { key, sequences }: { key: string; sequences: number }, options: SlotOptions): Promise<PooledContext> {
  const { adapters, contextSize } = variant;
  const base = loaded.plan.model.file;
  const adapterNames = adapters.map((adapter) => adapter.file).join('、');
  const fresh = options.onProgress !== undefined && !loaded.pool.get(key);
  const adapterProgress = fresh && adapters.length > 0 ? track(options.onProgress, 'adapters', adapterNames) : null;
  const contextProgress = fresh ? track(options.onProgress, 'context', base) : null;
  try {
    const entry = await loaded.pool.acquire({
      key,
      contextSize,
      sequences,
      adapters,
      signal: options.signal,
      onAdapterProgress: (p) => (p >= 1 ? adapterProgress?.done() : adapterProgress?.report(p)),
    });
    adapterProgress?.done();
    contextProgress?.done();
    return entry;
  } catch (error) {
    options.signal?.throwIfAborted();
    const cause = error instanceof InsufficientMemoryError ? '内存不足' : errorText(error);
    if (adapters.length > 0 && /lora|adapter/i.test(cause)) {
      throw new XinglinError('ADAPTER_MISMATCH', `llama.cpp 无法把适配器 ${adapterNames} 应用到模型 ${base}：${cause}`, { file: adapterNames, model: base });
    }
    throw new XinglinError('MODEL_LOAD_FAILED', `无法为模型 ${base} 创建上下文（${contextSize} 词元）：${cause}`, { file: base, contextSize });
  }
}
