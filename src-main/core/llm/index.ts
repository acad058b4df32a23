/** The llm slice: the registry, profiles, the local runtime (load / generate / lifecycle), providers and the model queue. */
import type { CoreConfig } from '../config.js';
import type { EventBus } from '../event-bus.js';
import type { FileHandles } from '../file-handles.js';
import type { Jobs } from '../jobs.js';
import type { Logger } from '../log.js';
import type { Slice } from '../slice.js';
import { LlmService } from './service.js';

export { LlmService } from './service.js';
export { ClinicService, type ClinicCompletion } from './clinic.js';
export { LocalRuntime, type LlmProvenance, type RuntimeOptions } from './runtime/runtime.js';
export { RuntimeClient } from './process/runtime-client.js';
export { forkRuntime, keepTail, type RuntimeProcess, type SpawnRuntime } from './process/spawn.js';
export { planLoad, type LoadPlan } from './runtime/load.js';
export type { GenerateRequest, GenerateResult } from './runtime/generate.js';
export type { AdapterChoice, LoadProgress } from './runtime/load.js';
export type { Provider, ProviderProvenance, ScoreOptionsRequest } from './providers/provider.js';
export { ModelQueue, MAX_WAITING } from './model-queue.js';
export { checkAdapterFits, inspectAdapter, inspectGguf, inspectModel, isSupportedArchitecture } from './gguf/inspect.js';
export type { GgufInspection, GgufRole, GgufTensor } from './gguf/inspect.js';
export type { GgufValue } from './gguf/reader.js';
export { clearHashCache, sha256File } from './file-hash.js';
export type { FileDigest, HashOptions } from './file-hash.js';
export { fitToContext, replyReserve } from './context-fit.js';
export type { ChatTurn, ContextPlan, FitOptions } from './context-fit.js';
export { ggmlTensorBytes, ggmlTypeName, isCpuRepackedType } from './gguf/ggml-types.js';

type LlmMethods =
  | 'models.list' | 'models.import' | 'models.verify' | 'models.remove' | 'models.status' | 'models.hardware'
  | 'models.load' | 'models.unload' | 'models.queue' | 'models.cancelRequest'
  | 'profiles.list' | 'profiles.save' | 'profiles.delete' | 'profiles.use' | 'profiles.setAutoLoad';

export function openLlm(deps: { config: CoreConfig; jobs: Jobs; log: Logger; bus: EventBus; files: FileHandles }): Slice<LlmService, LlmMethods> {
  const service = new LlmService(deps.config, deps.jobs, deps.log, deps.bus);
  return {
    service,
    migrations: [],
    handlers: {
      'models.list': () => service.list(),
      'models.import': async ({ files }) => {
        const opened = files.map((handle) => deps.files.open(handle));
        try {
          return await service.importFiles(opened.map(({ path, name }) => ({ path, name })));
        } finally {
          for (const file of opened) file.close();
        }
      },
      'models.verify': (filter) => service.verify(filter),
      'models.remove': ({ file, kind }) => service.remove(file, kind),
      'models.status': () => service.runtime.status(),
      'models.hardware': () => service.hardware(),
      'models.load': ({ model, adapters }) => service.load(model, adapters),
      'models.unload': () => service.unload(),
      'models.queue': () => service.queue.snapshot(),
      'models.cancelRequest': ({ id }) => ({ cancelled: service.queue.cancel(id) }),
      'profiles.list': () => service.profiles.state(),
      'profiles.save': async ({ profile }) => {
        // A file put in the folder by hand is known to the registry once a listing has read its header.
        await service.registry.list();
        return service.profiles.save(profile, service.registry);
      },
      'profiles.delete': ({ id }) => service.profiles.delete(id),
      'profiles.use': ({ id }) => service.useProfile(id),
      'profiles.setAutoLoad': ({ autoLoad }) => service.profiles.setAutoLoad(autoLoad),
    },
    close: () => service.close(),
  };
}
