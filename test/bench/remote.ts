import { randomBytes } from 'node:crypto';
import { Profile, type Sampling } from '../../src-main/contract/index.js';
import { defaultSampling } from '../../src-main/core/config.js';
import { RemoteProvider } from '../../src-main/core/llm/providers/remote.js';
import { startClinicServer } from '../../src-main/hosts/web/clinic/server.js';
import { openTestCore } from '../helpers/env.js';
import { grounding } from './grounding.js';
import { appThreads, benchFixtures, BENCH_CONTEXT } from './models.js';
import { median, round } from './stats.js';

/**
 * Generated tokens/s of the remote path — the remote provider, over loopback HTTP, to this app's
 * own clinic server (`/v1/chat/completions`, streamed) — against the local provider on the same
 * core, profile and 170 MB model (issue 11: ratio ≥ 0.95). Both end in the same model process
 * with the same request (the app's grounding rules as system text, the sources before the
 * question), greedy, the same length; measured alternately, from the call to the last token.
 */

const ROUNDS = Number(process.env.XINGLIN_BENCH_ROUNDS ?? 7);
const MAX_TOKENS = Number(process.env.XINGLIN_BENCH_TOKENS ?? 256);
const QUESTION = '患者头痛三天，伴发热，应该怎么处理？';
const GREEDY: Sampling = { ...defaultSampling, temperature: 0, seed: 1, maxTokens: MAX_TOKENS };

export async function benchRemote(workDir: string) {
  const { modelsDir } = benchFixtures(workDir, 'large');
  const threads = await appThreads();
  const key = randomBytes(24).toString('hex');
  const core = await openTestCore({ modelsDir, threads, contextSize: BENCH_CONTEXT });
  const { system, sources } = await grounding(QUESTION);
  const samples = { local: [] as number[], remote: [] as number[] };
  const tokens = { local: new Set<number>(), remote: new Set<number>() };
  try {
    await core.api.models.list();
    await core.api.profiles.save({ profile: { id: 'base', name: '基础', backend: { kind: 'local', model: 'tiny-llama.gguf', adapters: [] }, sampling: GREEDY, contextSize: BENCH_CONTEXT } });
    await core.api.profiles.use({ id: 'base' });
    const server = await startClinicServer(core, { host: '127.0.0.1', port: 0, apiKey: key });
    try {
      const profile = Profile.parse({ id: 'via-clinic', name: '诊所工作站', backend: { kind: 'remote', baseUrl: server.url, model: 'base', apiKey: key }, sampling: GREEDY, contextSize: BENCH_CONTEXT });
      if (profile.backend.kind !== 'remote') throw new Error('a remote profile');
      const remote = new RemoteProvider(profile, profile.backend);

      const runs = {
        // The local provider as the clinic service (and chat) use it: llm.provider('base') in the model queue.
        local: async () => (await core.clinic.complete(core.clinic.parse({ model: 'base', messages: [{ role: 'system', content: system }, { role: 'user', content: `${sources}\n\n${QUESTION}` }] }))).completionTokens,
        remote: async () => (await remote.generate({ history: [], system, sources, prompt: QUESTION, sampling: GREEDY })).timings.generatedTokens,
      };
      const once = async (path: keyof typeof runs) => {
        const started = performance.now();
        const generated = await runs[path]();
        return { generated, tokensPerSecond: generated / ((performance.now() - started) / 1000) };
      };
      for (const path of ['local', 'remote'] as const) await once(path);
      for (let r = 0; r < ROUNDS; r++) {
        for (const path of r % 2 === 0 ? (['local', 'remote'] as const) : (['remote', 'local'] as const)) {
          const run = await once(path);
          samples[path].push(run.tokensPerSecond);
          tokens[path].add(run.generated);
        }
      }
    } finally {
      await server.close();
    }
  } finally {
    await core.close();
  }
  const tps = (values: number[]) => ({ median: round(median(values), 1), samples: values.map((v) => round(v, 1)) });
  return {
    bench: 'remote',
    model: 'large',
    threads,
    rounds: ROUNDS,
    maxTokens: MAX_TOKENS,
    localTokensPerSecond: tps(samples.local),
    remoteTokensPerSecond: tps(samples.remote),
    remoteOverLocal: round(median(samples.remote) / median(samples.local)),
    // Both paths must generate the same answer for the ratio to mean anything.
    generatedTokens: { local: [...tokens.local], remote: [...tokens.remote] },
  };
}
