/** The evaluation slice: sets, runs (QiZhen's three criteria and multiple choice), scoring, clinician review, reports, and the instruction-data builder. */
import type { DatabaseKey } from '../db/index.js';
import { sectionText, type FileHandle } from '../../contract/index.js';
import type { CoreConfig } from '../config.js';
import type { EventBus } from '../event-bus.js';
import type { FileHandles } from '../file-handles.js';
import type { Jobs } from '../jobs.js';
import type { KnowledgeService } from '../knowledge/index.js';
import type { LlmService } from '../llm/index.js';
import type { RecordService } from '../records/index.js';
import type { Slice } from '../slice.js';
import { buildDataset } from './dataset/index.js';
import { EvalStore } from './eval-store.js';
import { evalMigrations } from './migrations/index.js';
import { EvalService } from './service.js';

export { EvalService } from './service.js';
export { evalMigrations } from './migrations/index.js';

export type EvalMethods =
  | 'eval.sets' | 'eval.set' | 'eval.makeSet' | 'eval.importSet' | 'eval.exportSet' | 'eval.deleteSet'
  | 'eval.start' | 'eval.resume' | 'eval.runs' | 'eval.run' | 'eval.deleteRun' | 'eval.review' | 'eval.report' | 'dataset.build';

/** Signed records are the only drafting examples a doctor has vouched for. */
const MAX_RECORD_EXAMPLES = 10_000;

export function openEval(deps: { file: string; key: DatabaseKey | undefined; config: CoreConfig; knowledge: KnowledgeService; llm: LlmService; records: RecordService; jobs: Jobs; files: FileHandles; bus: EventBus }): Slice<EvalService, EvalMethods> {
  const { files, jobs, records } = deps;
  const store = EvalStore.open(deps.file, deps.key);
  // Runs the app was answering when it last stopped are resumed by the user, not silently.
  store.interruptRunning();
  const service = new EvalService(store, { knowledge: deps.knowledge, llm: deps.llm, jobs, bus: deps.bus, appVersion: deps.config.appVersion });

  function* signedRecords(): Iterable<{ dialogue: string; record: string }> {
    for (const summary of records.list(MAX_RECORD_EXAMPLES)) {
      if (summary.state !== 'signed') continue;
      const record = records.get(summary.id);
      yield {
        dialogue: record.dialogue.map((turn) => `${turn.speaker}：${turn.text}`).join('\n'),
        record: record.sections.map((section) => `${section.title}：${sectionText(section)}`).join('\n'),
      };
    }
  }

  /** The files a request names, opened for the length of `use`. */
  async function withFiles<T>(handles: Array<FileHandle | undefined>, use: (paths: Array<string | undefined>) => Promise<T>): Promise<T> {
    const opened = handles.map((handle) => (handle ? files.open(handle) : undefined));
    try {
      return await use(opened.map((file) => file?.path));
    } finally {
      for (const file of opened) file?.close();
    }
  }

  return {
    service,
    migrations: evalMigrations,
    handlers: {
      'eval.sets': () => service.sets(),
      'eval.set': ({ id }) => service.set(id),
      'eval.makeSet': (params) => service.makeSet(params),
      'eval.importSet': ({ file, ...params }) => {
        const chosen = files.open(file);
        try {
          return service.importSet(chosen, params);
        } finally {
          chosen.close();
        }
      },
      'eval.exportSet': ({ id }) => service.exportSet(id),
      'eval.deleteSet': ({ id }) => {
        service.deleteSet(id);
        return { ok: true as const };
      },
      'eval.start': (params) => service.start(params),
      'eval.resume': (params) => service.resume(params),
      'eval.runs': () => service.runs(),
      'eval.run': ({ id }) => service.run(id),
      'eval.deleteRun': ({ id }) => {
        service.deleteRun(id);
        return { ok: true as const };
      },
      'eval.review': (params) => service.review(params),
      'eval.report': (params) => service.report(params),
      'dataset.build': ({ templates, qa, names, ...params }) =>
        withFiles([templates, qa, names], ([templatesPath, qaPath, namesPath]) =>
          jobs.run('dataset.build', '指令数据', ({ signal, report }) =>
            buildDataset(
              { knowledge: deps.knowledge, signedRecords },
              {
                ...params,
                ...(templatesPath ? { templatesPath } : {}),
                ...(qaPath ? { qaPath } : {}),
                ...(namesPath ? { namesPath } : {}),
                signal,
                onProgress: (done, total) => report({ phase: 'build', progress: total ? done / total : 1, done, total }),
              },
            ),
          ),
        ),
    },
    close: async () => {
      await service.halt();
      store.close();
    },
  };
}
