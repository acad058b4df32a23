/**
 * Profiles: named combinations of a base model (and adapters), a prompt template, a system prompt,
 * sampling and a context size, kept in the models folder's manifest with the last one used, so
 * they travel with the models. Saving checks what the manifest cannot: that the files it names are
 * in the registry, and that a custom Jinja template renders.
 */
import { Profile, XinglinError, type ModelKind, type ProfilesState } from '../../../contract/index.js';
import { invalidInput } from '../../validation.js';
import type { ManifestFile } from '../manifest.js';
import type { Registry } from '../registry/registry.js';
import { validateTemplate } from '../templates/index.js';
import { PRESETS } from './presets.js';

function notFound(id: string): XinglinError {
  return new XinglinError('NOT_FOUND', `没有标识为 ${id} 的配置`, { id });
}

/** Refuses a local profile naming a file the registry does not hold (or an adapter twice). */
function checkFiles(profile: Profile, registry: Pick<Registry, 'entry'>): void {
  if (profile.backend.kind !== 'local') return;
  const { model, adapters } = profile.backend;
  if (!registry.entry(model, 'model')) {
    throw new XinglinError('MODEL_NOT_FOUND', `配置“${profile.name}”使用的基础模型 ${model} 不在模型库中，请先导入该模型`, { id: profile.id, file: model });
  }
  const seen = new Set<string>();
  for (const { file } of adapters) {
    if (!registry.entry(file, 'adapter')) {
      throw new XinglinError('ADAPTER_NOT_FOUND', `配置“${profile.name}”使用的适配器 ${file} 不在模型库的 lora 文件夹中，请先导入该适配器`, { id: profile.id, file });
    }
    if (seen.has(file)) throw new XinglinError('INVALID_INPUT', `配置“${profile.name}”重复使用了适配器 ${file}，每个适配器只能出现一次`, { id: profile.id, file });
    seen.add(file);
  }
}

export class Profiles {
  constructor(private readonly manifest: ManifestFile) {}

  state(): ProfilesState {
    const { profiles, lastProfileId, autoLoad } = this.manifest.read();
    return { profiles, lastProfileId, autoLoad, presets: [...PRESETS] };
  }

  get(id: string): Profile {
    const profile = this.manifest.read().profiles.find((p) => p.id === id);
    if (!profile) throw notFound(id);
    return profile;
  }

  /** Creates the profile, or replaces the one with its id. */
  save(input: Profile, registry: Pick<Registry, 'entry'>): Profile {
    const parsed = Profile.safeParse(input);
    if (!parsed.success) throw invalidInput('profiles.save', parsed.error, Profile);
    const profile = parsed.data;
    checkFiles(profile, registry);
    validateTemplate(profile.template);
    this.manifest.update((manifest) => {
      const at = manifest.profiles.findIndex((p) => p.id === profile.id);
      if (at >= 0) manifest.profiles[at] = profile;
      else manifest.profiles.push(profile);
    });
    return profile;
  }

  /** Deleting the profile used last means none is loaded at the next start. */
  delete(id: string): { deleted: true } {
    this.get(id);
    this.manifest.update((manifest) => {
      manifest.profiles = manifest.profiles.filter((p) => p.id !== id);
      if (manifest.lastProfileId === id) manifest.lastProfileId = null;
    });
    return { deleted: true };
  }

  setLast(id: string): void {
    this.get(id);
    this.manifest.update((manifest) => {
      manifest.lastProfileId = id;
    });
  }

  setAutoLoad(autoLoad: boolean): ProfilesState {
    this.manifest.update((manifest) => {
      manifest.autoLoad = autoLoad;
    });
    return this.state();
  }

  /** The profiles that use a file: a base model as their model, an adapter in their set. */
  naming(file: string, kind: ModelKind): Profile[] {
    return this.manifest.read().profiles.filter((p) => p.backend.kind === 'local' && (kind === 'model' ? p.backend.model === file : p.backend.adapters.some((a) => a.file === file)));
  }
}
