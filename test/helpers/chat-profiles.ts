import net from 'node:net';
import type { ProfileInput, Sampling } from '../../src-main/contract/index.js';
import type { Core } from '../../src-main/core/core.js';

/** Greedy and short: the same question gives the same answer on the same weights. */
export const GREEDY: Sampling = { temperature: 0, topK: 40, topP: 0.9, seed: 7, maxTokens: 24 };

/** Saves a profile on the fixture base (tiny-llama.gguf) with these adapters. */
export async function saveLocalProfile(core: Core, id: string, adapters: Array<{ file: string; scale: number }>, sampling: Sampling = GREEDY) {
  // A profile names registered files: listing registers those found in the folders.
  await core.api.models.list();
  const profile: ProfileInput = { id, name: `配置 ${id}`, backend: { kind: 'local', model: 'tiny-llama.gguf', adapters }, sampling, contextSize: 2048 };
  return core.api.profiles.save({ profile });
}

/** A port nothing listens on: it was free a moment ago and is closed again. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A profile whose server is down (REMOTE_UNAVAILABLE when asked), with a short timeout. */
export async function saveDownProfile(core: Core, id: string) {
  const profile: ProfileInput = { id, name: `远程 ${id}`, backend: { kind: 'remote', baseUrl: `http://127.0.0.1:${await closedPort()}/v1`, model: 'qizhen', timeoutMs: 5000 }, sampling: GREEDY, contextSize: 2048 };
  return core.api.profiles.save({ profile });
}
