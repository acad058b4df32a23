/** The llm slice: model files, the local runtime (load / generate / lifecycle) and the model queue. */
import type { CoreConfig } from '../config.js';
import type { EventBus } from '../event-bus.js';
import type { Jobs } from '../jobs.js';
import type { Logger } from '../log.js';
import type { Slice } from '../slice.js';
import { LlmService } from './service.js';

export { LlmService } from './service.js';
export { LocalRuntime, type LlmProvenance, type RuntimeOptions } from './runtime/runtime.js';
export { RuntimeClient } from './process/runtime-client.js';
export { forkRuntime, keepTail, type RuntimeProcess, type SpawnRuntime } from './process/spawn.js';
export { planLoad, type LoadPlan } from './runtime/load.js';
export type { GenerateRequest, GenerateResult } from './runtime/generate.js';
export type { AdapterChoice, LoadProgress } from './runtime/load.js';
export { ModelQueue, MAX_WAITING } from './model-queue.js';
export { checkAdapterFits, inspectAdapter, inspectGguf, inspectModel, isSupportedArchitecture } from './gguf/inspect.js';
export type { GgufInspection, GgufRole, GgufTensor } from './gguf/inspect.js';
export type { GgufValue } from './gguf/reader.js';
export { clearHashCache, sha256File } from './file-hash.js';
export type { FileDigest, HashOptions } from './file-hash.js';
export { fitToContext, replyReserve } from './context-fit.js';
export type { ChatTurn, ContextPlan, FitOptions } from './context-fit.js';
export { ggmlTensorBytes, ggmlTypeName, isCpuRepackedType } from './gguf/ggml-types.js';

type LlmMethods = 'models.list' | 'models.status' | 'models.load' | 'models.unload' | 'models.queue' | 'models.cancelRequest';

export function openLlm(deps: { config: CoreConfig; jobs: Jobs; log: Logger; bus: EventBus }): Slice<LlmService, LlmMethods> {
  const service = new LlmService(deps.config, deps.jobs, deps.log, deps.bus);
  return {
    service,
    migrations: [],
    handlers: {
      'models.list': () => service.list(),
      'models.status': () => service.runtime.status(),
      'models.load': ({ model, adapters }) => service.load(model, adapters),
      'models.unload': () => service.unload(),
      'models.queue': () => service.queue.snapshot(),
      'models.cancelRequest': ({ id }) => ({ cancelled: service.queue.cancel(id) }),
    },
    close: () => service.close(),
  };
}
