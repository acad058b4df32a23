import path from 'node:path';
import { XinglinError, type MethodOutput, type ModelKind, type Profile, type VerifyResult } from '../../contract/index.js';
import type { CoreConfig } from '../config.js';
import type { EventBus } from '../event-bus.js';
import { createPrivateFolder } from '../folders.js';
import type { Jobs } from '../jobs.js';
import type { Logger } from '../log.js';
import { ManifestFile } from './manifest.js';
import { ModelQueue } from './model-queue.js';
import { resolveModelPath } from './models-dir.js';
import { RuntimeClient } from './process/runtime-client.js';
import { Profiles } from './profiles/profiles.js';
import { planVariant } from './providers/local.js';
import { providerFor } from './providers/select.js';
import type { Provider } from './providers/provider.js';
import { Registry } from './registry/registry.js';
import { planLoad, type LoadProgress } from './runtime/load.js';

/**
 * The model files of this workstation (the registry), the profiles that combine them, the one
 * loaded base model, and the queue everyone uses it through.
 */
export class LlmService {
  readonly runtime: RuntimeClient;
  readonly queue: ModelQueue;
  readonly registry: Registry;
  readonly profiles: Profiles;

  constructor(
    private readonly config: CoreConfig,
    private readonly jobs: Jobs,
    private readonly log: Logger,
    private readonly bus: EventBus,
  ) {
    createPrivateFolder(path.join(config.modelsDir, 'lora'));
    const manifest = new ManifestFile(config.modelsDir);
    // Read now, so a damaged manifest is set aside (and said so) at start, not at some later click.
    manifest.read();
    if (manifest.recovery) log.warn({ event: 'manifest.recovered', damagedCopy: path.basename(manifest.recovery.damagedCopy) });
    this.registry = new Registry(config.modelsDir, manifest);
    this.profiles = new Profiles(manifest);
    this.runtime = new RuntimeClient({
      spawn: config.spawnRuntime,
      log,
      gpu: config.gpu ?? 'auto',
      ...(config.threads ? { threads: config.threads } : {}),
      ...(config.contextSize ? { contextSize: config.contextSize } : {}),
      ...(config.runtimeHangMs ? { hangMs: config.runtimeHangMs } : {}),
      onStatus: (status) => bus.emit('models.status', status),
    });
    this.queue = new ModelQueue((snapshot) => bus.emit('models.queue', snapshot), log);
  }

  list(): Promise<MethodOutput<'models.list'>> {
    return this.registry.list();
  }

  /** A `models.import` job over files the host gave handles for (opened by the caller). */
  importFiles(files: ReadonlyArray<{ path: string; name: string }>): Promise<MethodOutput<'models.import'>> {
    return this.jobs.run('models.import', files.length === 1 ? (files[0]?.name ?? '') : `${files.length} 个文件`, ({ signal, report }) => this.registry.import(files, { signal, report }));
  }

  verify(filter: { file?: string | undefined; kind?: ModelKind | undefined }): Promise<VerifyResult[]> {
    return this.jobs.run('models.verify', filter.file ?? '全部模型文件', ({ signal, report }) => this.registry.verify(filter, { signal, report }));
  }

  /** Deletes a registered file; refused while it is loaded or a profile names it. */
  remove(file: string, kind: ModelKind): MethodOutput<'models.remove'> {
    const status = this.runtime.status();
    const loaded = kind === 'model' ? status.model?.file === file : status.adapters.some((a) => a.file === file);
    if (loaded) throw new XinglinError('MODEL_IN_USE', `${file} 正在使用中，请先卸载模型再删除`, { file });
    const naming = this.profiles.naming(file, kind);
    if (naming.length > 0) {
      throw new XinglinError('MODEL_IN_USE', `配置“${naming.map((p) => p.name).join('”“')}”使用了 ${file}，请先修改或删除这些配置`, { file, profiles: naming.map((p) => p.id).join(',') });
    }
    this.registry.remove(file, kind);
    return { removed: true };
  }

  hardware(): Promise<MethodOutput<'models.hardware'>> {
    return this.runtime.hardware();
  }

  /**
   * A job. The files are inspected, checked and hashed first, while the current model keeps
   * answering; only then is the running answer stopped (and saved) and the model swapped.
   * Waiting requests run on the new model.
   */
  load(model: string, adapters: ReadonlyArray<{ file: string; scale: number }>, options: { profile?: Profile; contextSize?: number } = {}) {
    const modelPath = resolveModelPath(this.config.modelsDir, model);
    const choices = adapters.map((a) => ({ path: resolveModelPath(path.join(this.config.modelsDir, 'lora'), a.file), scale: a.scale }));
    return this.jobs.run('models.load', path.basename(modelPath), async ({ signal, report }) => {
      const onProgress = (p: LoadProgress) => report({ phase: p.phase, progress: p.progress, detail: p.file });
      const plan = await planLoad(modelPath, choices, { signal, onProgress });
      this.registry.recordDigests(plan);
      return this.queue.exclusive(async () => {
        const started = performance.now();
        const status = await this.runtime.load(plan, { signal, onProgress, profile: options.profile ? { id: options.profile.id, name: options.profile.name } : null, template: options.profile?.template, ...(options.contextSize ? { contextSize: options.contextSize } : {}) });
        this.log.info({ event: 'model.loaded', file: plan.model.file, adapters: plan.adapters.length, gpu: status.gpu, threads: status.threads, ms: Math.round(performance.now() - started) });
        return status;
      });
    });
  }

  unload() {
    return this.queue.exclusive(() => this.runtime.unload());
  }

  /**
   * The current profile: a local one's base is loaded unless it already is (its adapters become the
   * default set, without reloading the base), a remote one needs nothing loaded. Remembered for the next start.
   */
  async useProfile(id: string): Promise<MethodOutput<'profiles.use'>> {
    const profile = this.profiles.get(id);
    let status = this.runtime.status();
    if (profile.backend.kind === 'local') {
      const { model, adapters } = profile.backend;
      const ref = { id: profile.id, name: profile.name };
      status = status.state === 'ready' && status.model?.file === model
        ? await this.runtime.useVariant(await planVariant(profile, this.runtime, this.config.modelsDir), ref)
        : await this.load(model, adapters, { profile, contextSize: profile.contextSize });
    }
    this.profiles.setLast(profile.id);
    return status;
  }

  /** At start, when the administrator left it on: the profile used last, loaded in the background. */
  restoreLastProfile(): void {
    const { lastProfileId, autoLoad } = this.profiles.state();
    if (!autoLoad || !lastProfileId) return;
    this.useProfile(lastProfileId).catch((error: unknown) => {
      this.log.warn({ event: 'profile.restore.failed', code: error instanceof XinglinError ? error.code : 'INTERNAL' });
    });
  }

  /** How a caller answers with a profile (null: the loaded model as it was loaded). */
  provider(profileId: string | null): Promise<Provider> {
    return providerFor(profileId === null ? null : this.profiles.get(profileId), { runtime: this.runtime, config: this.config });
  }

  close(): Promise<void> {
    return this.queue.exclusive(() => this.runtime.close());
  }
}
