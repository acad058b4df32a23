/** The records slice: findings, drafts (from findings or the model), checks, versions, sign-off, audit and export. */
import type { DatabaseKey } from '../db/index.js';
import type { CoreConfig } from '../config.js';
import type { EventBus } from '../event-bus.js';
import type { Jobs } from '../jobs.js';
import type { KnowledgeService } from '../knowledge/index.js';
import type { LlmService } from '../llm/index.js';
import type { Logger } from '../log.js';
import type { Slice } from '../slice.js';
import { loadVocabulary } from './findings/index.js';
import { recordMigrations } from './migrations/index.js';
import { RecordService } from './service.js';
import { RecordStore } from './store.js';

export { RecordService } from './service.js';
export { RecordStore } from './store.js';
export { recordMigrations } from './migrations/index.js';

export type RecordMethods = 'records.extract' | 'records.templates' | 'records.draft' | 'records.list' | 'records.get' | 'records.save' | 'records.sign' | 'records.addendum' | 'records.versions' | 'records.diff' | 'records.audit' | 'records.export';

export function openRecords(deps: { file: string; key: DatabaseKey | undefined; config: CoreConfig; knowledge: KnowledgeService; llm: LlmService; jobs: Jobs; bus: EventBus; log: Logger }): Slice<RecordService, RecordMethods> {
  const { config } = deps;
  const store = RecordStore.open(deps.file, { key: deps.key, log: deps.log, ...(config.slowQueryMs === undefined ? {} : { slowQueryMs: config.slowQueryMs }) });
  // Drafts the model was writing when the app last stopped keep their findings draft.
  store.interruptDrafting();
  const service = new RecordService(store, loadVocabulary(), { knowledge: deps.knowledge, llm: deps.llm, jobs: deps.jobs, bus: deps.bus, log: deps.log, appVersion: config.appVersion, sampling: config.sampling });
  return {
    service,
    migrations: recordMigrations,
    handlers: {
      'records.extract': ({ dialogue }) => service.extract(dialogue),
      'records.templates': () => service.templates(),
      'records.draft': (params) => service.draft(params),
      'records.list': ({ limit }) => service.list(limit),
      'records.get': ({ id }) => service.get(id),
      'records.save': (params) => service.save(params),
      'records.sign': (params) => service.sign(params),
      'records.addendum': (params) => service.addendum(params),
      'records.versions': ({ id }) => service.versions(id),
      'records.diff': (params) => service.diff(params),
      'records.audit': ({ id }) => service.audit(id),
      'records.export': (params) => service.export(params),
    },
    close: async () => {
      await service.halt();
      store.close();
    },
  };
}
