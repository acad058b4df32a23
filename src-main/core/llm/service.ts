import fs from 'node:fs';
import path from 'node:path';
import type { CoreConfig } from '../config.js';
import type { EventBus } from '../event-bus.js';
import type { Jobs } from '../jobs.js';
import type { Logger } from '../log.js';
import { ModelQueue } from './model-queue.js';
import { listModelFiles, resolveModelPath } from './models-dir.js';
import { LocalRuntime } from './runtime/runtime.js';

/** The model files of this workstation, the one loaded model, and the queue everyone uses it through. */
export class LlmService {
  readonly runtime: LocalRuntime;
  readonly queue: ModelQueue;

  constructor(
    private readonly config: CoreConfig,
    private readonly jobs: Jobs,
    private readonly log: Logger,
    bus: EventBus,
  ) {
    fs.mkdirSync(path.join(config.modelsDir, 'lora'), { recursive: true });
    this.runtime = new LocalRuntime({ gpu: config.gpu ?? 'auto', ...(config.threads ? { threads: config.threads } : {}), ...(config.contextSize ? { contextSize: config.contextSize } : {}) });
    this.queue = new ModelQueue((snapshot) => bus.emit('models.queue', snapshot), log);
  }

  list() {
    return listModelFiles(this.config.modelsDir);
  }

  /** A job: the running answer is stopped and saved first; waiting requests run on the new model. */
  load(model: string, adapters: ReadonlyArray<{ file: string; scale: number }>) {
    const modelPath = resolveModelPath(this.config.modelsDir, model);
    const choices = adapters.map((a) => ({ path: resolveModelPath(path.join(this.config.modelsDir, 'lora'), a.file), scale: a.scale }));
    return this.jobs.run('models.load', path.basename(modelPath), ({ signal, report }) =>
      this.queue.exclusive(async () => {
        const started = performance.now();
        const status = await this.runtime.load(modelPath, choices, {
          signal,
          onProgress: (p) => report({ phase: p.phase, progress: p.progress, detail: p.file }),
        });
        this.log.info({ event: 'model.loaded', file: path.basename(modelPath), adapters: choices.length, gpu: status.gpu, threads: status.threads, ms: Math.round(performance.now() - started) });
        return status;
      }),
    );
  }

  unload() {
    return this.queue.exclusive(() => this.runtime.unload());
  }

  close(): Promise<void> {
    return this.queue.exclusive(() => this.runtime.close());
  }
}
