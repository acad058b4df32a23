/**
 * Answering with the local runtime: the loaded base with a profile's variant (its adapters and
 * scales, template and context size), system prompt and sampling; or, without a profile, the
 * loaded model as it was loaded, with the app's sampling.
 */
import path from 'node:path';
import { XinglinError, type Profile, type Sampling } from '../../../contract/index.js';
import { defaultSampling, type CoreConfig } from '../../config.js';
import { sha256File } from '../file-hash.js';
import { checkAdapterFits, inspectAdapter, inspectModel, type GgufInspection } from '../gguf/inspect.js';
import { resolveModelPath } from '../models-dir.js';
import type { RuntimeClient } from '../process/runtime-client.js';
import type { GenerateRequest, GenerateResult } from '../runtime/generate.js';
import type { LoadPlan } from '../runtime/load.js';
import type { RuntimeVariant } from '../runtime/variant.js';
import type { Provider, ProviderProvenance, ScoreOptionsRequest } from './provider.js';

// The loaded base's tensor table, read once per load to check the profiles' adapters against it.
const inspections = new WeakMap<LoadPlan, Promise<GgufInspection>>();

function inspectionOf(plan: LoadPlan): Promise<GgufInspection> {
  let inspection = inspections.get(plan);
  if (!inspection) {
    inspection = inspectModel(plan.model.path);
    inspections.set(plan, inspection);
    inspection.catch(() => inspections.delete(plan));
  }
  return inspection;
}

/** The loaded base, which must be the one the profile names. */
function baseFor(profile: Profile, wanted: string, runtime: RuntimeClient): LoadPlan {
  runtime.assertReady();
  const plan = runtime.loadedPlan();
  if (!plan) throw new XinglinError('NO_MODEL', '尚未加载模型，请先在“模型”页加载一个模型');
  if (plan.model.file !== wanted) {
    throw new XinglinError('NO_MODEL', `配置“${profile.name}”使用模型 ${wanted}，当前加载的是 ${plan.model.file}：请先在“模型”页使用该配置`, { profile: profile.id, model: wanted, loaded: plan.model.file });
  }
  return plan;
}

/**
 * A local profile's variant on the loaded base: its adapters found in `<modelsDir>/lora`, checked
 * against the base (ADAPTER_MISMATCH names the tensor) and hashed (remembered per file), with its
 * template and context size. Throws NO_MODEL when the profile's base is not the one loaded.
 */
export async function planVariant(profile: Profile, runtime: RuntimeClient, modelsDir: string): Promise<RuntimeVariant> {
  if (profile.backend.kind !== 'local') throw new XinglinError('INVALID_INPUT', `配置“${profile.name}”使用远程服务，不在本机加载`, { profile: profile.id });
  const plan = baseFor(profile, profile.backend.model, runtime);
  const base = await inspectionOf(plan);
  const loraDir = path.join(modelsDir, 'lora');
  const adapters: RuntimeVariant['adapters'] = [];
  for (const choice of profile.backend.adapters) {
    const info = await inspectAdapter(resolveModelPath(loraDir, choice.file));
    checkAdapterFits(base, info);
    const digest = await sha256File(info.path);
    adapters.push({ file: info.file, path: info.path, sha256: digest.sha256, sizeBytes: digest.sizeBytes, scale: choice.scale });
  }
  return { adapters, template: profile.template, contextSize: profile.contextSize };
}

/** The profile's system prompt before the caller's instructions, never replacing them. */
function joinSystem(profileText: string, system: string | undefined): string | undefined {
  const parts = [profileText.trim(), system ?? ''].filter((part) => part.length > 0);
  return parts.length > 0 ? parts.join('\n\n') : undefined;
}

interface Planned {
  variant: RuntimeVariant;
  template: string;
  /** The base it was planned on: a reload in between makes it stale. */
  plan: LoadPlan;
}

export class LocalProvider implements Provider {
  readonly profile: Profile | null;
  readonly sampling: Sampling;
  readonly maxParallel: number;
  readonly #runtime: RuntimeClient;
  readonly #planned: Planned | null;
  /** Why a profile cannot answer now (its base is not loaded, an adapter is missing …): thrown when asked to. */
  readonly #unavailable: XinglinError | null;

  private constructor(runtime: RuntimeClient, profile: Profile | null, sampling: Sampling, planned: Planned | null, unavailable: XinglinError | null, maxParallel: number) {
    this.#runtime = runtime;
    this.profile = profile;
    this.sampling = sampling;
    this.maxParallel = maxParallel;
    this.#planned = planned;
    this.#unavailable = unavailable;
  }

  /**
   * Without a profile: the loaded default variant, with the app's sampling. With a local profile:
   * its variant planned on the loaded base now; what stops it (no model, another base, a bad
   * adapter) is kept and thrown by `assertReady` and by every request, so a caller that can answer
   * without the model (knowledge mode) still gets a provider, answering one at a time.
   */
  static async create(runtime: RuntimeClient, profile: Profile | null, config: CoreConfig): Promise<LocalProvider> {
    const sampling: Sampling = { ...defaultSampling, ...config.sampling, ...profile?.sampling };
    if (!profile) {
      const maxParallel = runtime.status().state === 'ready' ? await runtime.maxParallel() : 1;
      return new LocalProvider(runtime, null, sampling, null, null, maxParallel);
    }
    try {
      const variant = await planVariant(profile, runtime, config.modelsDir);
      const plan = runtime.loadedPlan();
      if (!plan) throw new XinglinError('NO_MODEL', '尚未加载模型，请先在“模型”页加载一个模型');
      const template = await runtime.templateName(variant.template);
      return new LocalProvider(runtime, profile, sampling, { variant, template, plan }, null, await runtime.maxParallel(variant));
    } catch (error) {
      if (!(error instanceof XinglinError)) throw error;
      return new LocalProvider(runtime, profile, sampling, null, error, 1);
    }
  }

  assertReady(): void {
    this.#runtime.assertReady();
    if (this.#unavailable) throw this.#unavailable;
    const planned = this.#planned;
    if (planned && this.#runtime.loadedPlan() !== planned.plan) {
      const loaded = this.#runtime.loadedPlan()?.model.file ?? '（无）';
      throw new XinglinError('NO_MODEL', `配置“${this.profile?.name ?? ''}”准备时加载的模型已被替换（现在是 ${loaded}），请重新提问`, { loaded });
    }
  }

  /** No model loaded: nothing to check (the question will be answered from the knowledge base). */
  async assertPromptFits(prompt: string, options: { system?: string; sources?: string; maxTokens?: number } = {}): Promise<void> {
    if (this.#runtime.status().state !== 'ready') return;
    this.assertReady();
    await this.#runtime.assertPromptFits(prompt, { ...options, system: this.#system(options.system), variant: this.#planned?.variant });
  }

  /** Whether each candidate sources text, beside `system` (and the profile's system prompt), leaves the question and its answer room. */
  systemBudget(prompt: string, maxTokens: number, system?: string): (sources: string) => Promise<boolean> {
    this.assertReady();
    return this.#runtime.systemBudget(prompt, maxTokens, { system: this.#system(system), variant: this.#planned?.variant });
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    this.assertReady();
    return this.#runtime.generate({ ...request, system: this.#system(request.system), variant: this.#planned?.variant });
  }

  async scoreOptions(request: ScoreOptionsRequest): Promise<number[]> {
    this.assertReady();
    return this.#runtime.scoreOptions({ ...request, system: this.#system(request.system), variant: this.#planned?.variant });
  }

  provenance(): ProviderProvenance {
    const base = this.#runtime.provenance();
    const planned = this.#planned;
    if (!this.profile || !planned) return { ...base, backend: { kind: 'local', model: base.model.file } };
    return {
      ...base,
      adapters: planned.variant.adapters.map(({ file, sha256, sizeBytes, scale }) => ({ file, sha256, sizeBytes, scale })),
      template: planned.template,
      profile: { id: this.profile.id, name: this.profile.name },
      backend: { kind: 'local', model: base.model.file },
    };
  }

  #system(system: string | undefined): string | undefined {
    return this.profile ? joinSystem(this.profile.systemPrompt, system) : system;
  }
}
