import fs from 'node:fs';
import path from 'node:path';
import { buildApi, isMethodName, methods, XinglinError, type MethodName, type MethodOutput, type MethodParams, type Reply } from '../contract/index.js';
import { ChatService } from './chat.js';
import { defaultSampling, type CoreConfig } from './config.js';
import type { Core } from './core-types.js';
import { EventBus } from './event-bus.js';
import { KnowledgeService } from './knowledge/index.js';
import { LlmHost } from './llm/index.js';
import { listModelFiles, resolveModelPath } from './models-dir.js';
import { Store } from './store/index.js';
import { invalidInput } from './validation.js';

export type { Core } from './core-types.js';

type Handlers = { [M in MethodName]: (params: MethodParams<M>) => Promise<MethodOutput<M>> | MethodOutput<M> };

/** Wires the services; every host (Electron, web, CLI) holds the object this returns. */
export async function createCore(config: CoreConfig): Promise<Core> {
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  fs.mkdirSync(path.join(config.modelsDir, 'lora'), { recursive: true });
  const bus = new EventBus();
  const store = Store.open(path.join(config.dataDir, 'xinglin.db'));
  const llm = new LlmHost({
    threads: config.threads,
    gpu: config.gpu ?? 'auto',
    contextSize: config.contextSize,
    onProgress: (progress) => bus.emit('models.progress', progress),
  });
  const knowledge = KnowledgeService.open({ file: path.join(config.dataDir, 'knowledge.db'), refuseUngrounded: config.refuseUngrounded ?? false });
  const chat = new ChatService(store, llm, knowledge, bus, config.appVersion, config.sampling);

  const handlers: Handlers = {
    'app.info': () => ({ name: '杏林 Xinglin', version: config.appVersion, host: config.host, dataDir: config.dataDir, modelsDir: config.modelsDir, platform: `${process.platform}-${process.arch}` }),

    'sessions.list': () => store.listSessions(),
    'sessions.create': ({ title }) => store.createSession(title),
    'sessions.rename': ({ id, title }) => store.renameSession(id, title),
    'sessions.delete': async ({ id }) => {
      await chat.halt(id);
      store.deleteSession(id);
      return { ok: true as const };
    },
    'sessions.messages': ({ id }) => store.listMessages(id),
    'sessions.search': ({ query, limit }) => store.search(query, limit),

    'chat.send': (params) => chat.send(params),
    'chat.stop': (params) => chat.stop(params),
    'chat.regenerate': (params) => chat.regenerate(params),

    'models.list': () => listModelFiles(config.modelsDir),
    'models.status': () => llm.status(),
    'models.load': async ({ model, adapters }) => {
      await chat.halt();
      await llm.load(
        resolveModelPath(config.modelsDir, model),
        adapters.map((a) => ({ path: resolveModelPath(path.join(config.modelsDir, 'lora'), a.file), scale: a.scale })),
      );
      return llm.status();
    },
    'models.unload': async () => {
      await chat.halt();
      await llm.unload();
      return llm.status();
    },

    'kb.search': ({ query, limit }) => knowledge.search(query, limit),
    'kb.entry': ({ id }) => knowledge.entry(id),
    'kb.stats': () => knowledge.stats(),
    'kb.source': (params) => knowledge.source(params.label, params.limit),
    'kb.removeSource': (params) => knowledge.removeSource(params.label),
    'kb.rollbackSource': (params) => knowledge.rollbackSource(params.label),
    'kb.import': (params) => knowledge.import(params, (progress) => bus.emit('kb.progress', progress)),
    'kb.ask': async ({ question, mode }) => {
      if (mode === 'knowledge') return knowledge.ask(question);
      const sampling = { ...defaultSampling, ...config.sampling };
      const answer = await knowledge.groundedAnswer(
        question,
        ({ system, prompt }) => llm.generate({ history: [], system, prompt, sampling }),
        (system) => llm.promptFits(question, { system, maxTokens: sampling.maxTokens }),
      );
      return answer.result;
    },
  };

  async function call(method: string, input: unknown): Promise<Reply> {
    if (!isMethodName(method)) return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `未知的方法：${String(method).slice(0, 80)}` } };
    const parsed = methods[method].input.safeParse(input ?? {});
    if (!parsed.success) return { ok: false, error: invalidInput(method, parsed.error).toWire() };
    try {
      const handler = handlers[method] as (params: unknown) => unknown;
      return { ok: true, value: await handler(parsed.data) };
    } catch (cause) {
      if (cause instanceof XinglinError) return { ok: false, error: cause.toWire() };
      // Unexpected: log the method and the error, never the payload (it may hold patient text).
      console.error(JSON.stringify({ level: 'error', event: 'core.call.failed', method, error: String((cause as Error)?.stack ?? cause) }));
      return { ok: false, error: { code: 'INTERNAL', message: `内部错误（${method}）：${String((cause as Error)?.message ?? cause)}` } };
    }
  }

  let closed: Promise<void> | null = null;
  return {
    config,
    call,
    api: buildApi({ invoke: call, subscribe: (event, listener) => bus.subscribe((name, payload) => name === event && listener(payload)) }),
    subscribe: (listener) => bus.subscribe(listener),
    close: () =>
      (closed ??= (async () => {
        await chat.halt();
        await llm.close();
        store.close();
        knowledge.close();
      })()),
  };
}
