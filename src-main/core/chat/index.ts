/** The chat slice: sessions, messages, search over them, and how a question travels. */
import type { DatabaseKey } from '../db/index.js';
import type { CoreConfig } from '../config.js';
import type { EventBus } from '../event-bus.js';
import type { KnowledgeService } from '../knowledge/index.js';
import type { LlmService } from '../llm/index.js';
import type { Logger } from '../log.js';
import type { Slice } from '../slice.js';
import { ChatStore } from './chat-store.js';
import { answerGrounded } from './grounded-answer.js';
import { chatMigrations } from './migrations/index.js';
import { ChatService } from './service.js';

export { ChatStore, MAX_SEARCH_LIMIT, type ChatStoreOptions, type NewMessage } from './chat-store.js';
export { ChatService } from './service.js';
export { chatMigrations } from './migrations/index.js';
export { answerGrounded, shownText, type GroundedAnswer } from './grounded-answer.js';

export type ChatMethods =
  | 'sessions.list' | 'sessions.create' | 'sessions.rename' | 'sessions.setProfile' | 'sessions.delete' | 'sessions.messages' | 'sessions.search'
  | 'chat.send' | 'chat.compare' | 'chat.stop' | 'chat.regenerate' | 'kb.ask';

export function openChat(deps: { file: string; key: DatabaseKey | undefined; config: CoreConfig; knowledge: KnowledgeService; llm: LlmService; bus: EventBus; log: Logger }): Slice<ChatService, ChatMethods> {
  const { knowledge, llm, config } = deps;
  const store = ChatStore.open(deps.file, { key: deps.key, log: deps.log, ...(config.slowQueryMs === undefined ? {} : { slowQueryMs: config.slowQueryMs }) });
  // Answers the last run left streaming were cut off by a crash of the app: keep them as interrupted.
  store.interruptStreaming();
  const service = new ChatService(store, llm, knowledge, deps.bus, config.appVersion);
  return {
    service,
    migrations: chatMigrations,
    handlers: {
      'sessions.list': () => store.listSessions(),
      'sessions.create': ({ title }) => store.createSession(title),
      'sessions.rename': ({ id, title }) => store.renameSession(id, title),
      'sessions.setProfile': (params) => service.setProfile(params),
      'sessions.delete': async ({ id }) => {
        await service.halt(id);
        store.deleteSession(id);
        return { ok: true as const };
      },
      'sessions.messages': ({ id }) => store.listMessages(id),
      'sessions.search': ({ query, limit }) => store.search(query, limit),
      'chat.send': (params) => service.send(params),
      'chat.compare': (params) => service.compare(params),
      'chat.stop': (params) => service.stop(params),
      'chat.regenerate': (params) => service.regenerate(params),
      // A question without a session travels the same way: it is a chat question, answered once
      // by the loaded model as it was loaded (taken again when granted: a load may come between).
      'kb.ask': async ({ question, mode }) => {
        if (mode === 'knowledge') return knowledge.ask(question);
        const ready = await llm.provider(null);
        ready.assertReady();
        await ready.assertPromptFits(question);
        const answer = await llm.queue.run('kb.ask', null, async (signal) => {
          const provider = await llm.provider(null);
          return answerGrounded(knowledge, provider, { question, history: [], sampling: provider.sampling, signal });
        });
        return answer.result;
      },
    },
    close: async () => {
      await service.halt();
      store.close();
    },
  };
}
