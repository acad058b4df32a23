import type { Profile } from '../../../contract/index.js';
import type { CoreConfig } from '../../config.js';
import type { RuntimeClient } from '../process/runtime-client.js';
import { LocalProvider } from './local.js';
import type { Provider } from './provider.js';
import { RemoteProvider } from './remote.js';

/** The provider a profile names: the local runtime (with its variant), or its OpenAI-compatible server. */
export async function providerFor(profile: Profile | null, deps: { runtime: RuntimeClient; config: CoreConfig }): Promise<Provider> {
  if (profile?.backend.kind === 'remote') return new RemoteProvider(profile, profile.backend);
  return LocalProvider.create(deps.runtime, profile, deps.config);
}
