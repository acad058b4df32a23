import path from 'node:path';
import type { CoreConfig } from '../config.js';
import type { EventBus } from '../event-bus.js';
import { createPrivateFolder } from '../folders.js';
import type { Jobs } from '../jobs.js';
import type { Logger } from '../log.js';
import { ModelQueue } from './model-queue.js';
import { listModelFiles, resolveModelPath } from './models-dir.js';
import { RuntimeClient } from './process/runtime-client.js';
import { planLoad, type LoadProgress } from './runtime/load.js';

/** The model files of this workstation, the one loaded model, and the queue everyone uses it through. */
export class LlmService {
  readonly runtime: RuntimeClient;
  readonly queue: ModelQueue;

  constructor(
    private readonly config: CoreConfig,
    private readonly jobs: Jobs,
    private readonly log: Logger,
    bus: EventBus,
  ) {
    createPrivateFolder(path.join(config.modelsDir, 'lora'));
    this.runtime = new RuntimeClient({
      spawn: config.spawnRuntime,
      log,
      gpu: config.gpu ?? 'auto',
      ...(config.threads ? { threads: config.threads } : {}),
      ...(config.contextSize ? { contextSize: config.contextSize } : {}),
      ...(config.runtimeHangMs ? { hangMs: config.runtimeHangMs } : {}),
    });
    this.queue = new ModelQueue((snapshot) => bus.emit('models.queue', snapshot), log);
  }

  list() {
    return listModelFiles(this.config.modelsDir);
  }

  /**
   * A job. The files are inspected, checked and hashed first, while the current model keeps
   * answering; only then is the running answer stopped (and saved) and the model swapped.
   * Waiting requests run on the new model.
   */
  load(model: string, adapters: ReadonlyArray<{ file: string; scale: number }>) {
    const modelPath = resolveModelPath(this.config.modelsDir, model);
    const choices = adapters.map((a) => ({ path: resolveModelPath(path.join(this.config.modelsDir, 'lora'), a.file), scale: a.scale }));
    return this.jobs.run('models.load', path.basename(modelPath), async ({ signal, report }) => {
      const onProgress = (p: LoadProgress) => report({ phase: p.phase, progress: p.progress, detail: p.file });
      const plan = await planLoad(modelPath, choices, { signal, onProgress });
      return this.queue.exclusive(async () => {
        const started = performance.now();
        const status = await this.runtime.load(plan, { signal, onProgress });
        this.log.info({ event: 'model.loaded', file: plan.model.file, adapters: plan.adapters.length, gpu: status.gpu, threads: status.threads, ms: Math.round(performance.now() - started) });
        return status;
      });
    });
  }

  unload() {
    return this.queue.exclusive(() => this.runtime.unload());
  }

  close(): Promise<void> {
    return this.queue.exclusive(() => this.runtime.close());
  }
}
