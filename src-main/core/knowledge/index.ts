/** The knowledge slice: the base on disk, import (formats, label structuring, starter) and ask (names, retrieval, composing, prompts). */
import type { DatabaseKey } from '../db/index.js';
import type { FileHandles } from '../file-handles.js';
import type { Jobs } from '../jobs.js';
import type { Logger } from '../log.js';
import type { Slice } from '../slice.js';
import { knowledgeMigrations } from './migrations/index.js';
import { KnowledgeService } from './service.js';

export { knowledgeMigrations } from './migrations/index.js';
export { KnowledgeService, type GroundedPlan, type ImportRequest, type KnowledgeOptions, type ModelReply } from './service.js';
export type { Retrieval, Recognition, RecognizedEntity } from './ask/recognize.js';
export type { GroundedPrompt } from './ask/grounded-prompt.js';
export { STARTER_LABEL, readStarter } from './import/starter.js';
export type { ImportProgress } from './import/importer.js';
export { parseListSection, parseInteractions } from './import/label-text.js';
export { drugKey, lookupForm, normalizeName, stripDosageForm } from './names.js';
export { parseIndications, type LabelIndication, type ParsedIndications } from './import/label-indications.js';
export { readSynonyms, SYNONYM_SOURCES, type Synonym } from './synonyms.js';
export { flatten as flattenFact } from './kb-store.js';
export { linkedName } from './entry-schema.js';

export type KnowledgeMethods = 'kb.search' | 'kb.entry' | 'kb.stats' | 'kb.source' | 'kb.removeSource' | 'kb.rollbackSource' | 'kb.import';

export function openKnowledge(deps: { file: string; key: DatabaseKey | undefined; starterDir: string; refuseUngrounded: boolean; slowQueryMs: number | undefined; jobs: Jobs; files: FileHandles; log: Logger }): Slice<KnowledgeService, KnowledgeMethods> {
  const service = KnowledgeService.open({ file: deps.file, key: deps.key, starterDir: deps.starterDir, refuseUngrounded: deps.refuseUngrounded, log: deps.log, ...(deps.slowQueryMs === undefined ? {} : { slowQueryMs: deps.slowQueryMs }) });
  return {
    service,
    migrations: knowledgeMigrations,
    handlers: {
      'kb.search': ({ query, limit }) => service.search(query, limit),
      'kb.entry': ({ id }) => service.entry(id),
      'kb.stats': () => service.stats(),
      'kb.source': ({ label, limit }) => service.source(label, limit),
      'kb.removeSource': ({ label }) => service.removeSource(label),
      'kb.rollbackSource': ({ label }) => service.rollbackSource(label),
      'kb.import': async ({ file, ...params }) => {
        const chosen = deps.files.open(file);
        try {
          return await deps.jobs.run('kb.import', chosen.name, ({ signal, report }) =>
            service.import({ ...params, path: chosen.path, name: chosen.name }, { signal, onProgress: (p) => report({ phase: p.phase, progress: p.total > 0 ? p.done / p.total : 1, done: p.done, total: p.total }) }),
          );
        } finally {
          chosen.close();
        }
      },
    },
    close: () => service.close(),
  };
}
