import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getLlama, LlamaChatSession } from 'node-llama-cpp';
import type { EventPayload } from '../../src-main/contract/index.js';
import { KnowledgeService } from '../../src-main/core/knowledge/index.js';
import { STARTER_DIR } from '../helpers/env.js';
import { appRoot } from '../../src-main/hosts/common/app-root.js';
import { generateFixtures, type TinyLlamaOptions } from '../fixtures/gguf/tiny-llama.js';
import { median, round } from './stats.js';

/**
 * Generated tokens/s through the whole app path (HTTP call → core → LlmHost → SSE client, answer
 * persisted in SQLite) against bare node-llama-cpp on the same model, threads and greedy settings,
 * measured alternately in one run. Both read the same context: the app's grounding rules (system
 * text), then its knowledge-base sources before the question.
 */

const THREADS = Number(process.env.XINGLIN_BENCH_THREADS ?? os.availableParallelism());
const ROUNDS = Number(process.env.XINGLIN_BENCH_ROUNDS ?? 11);
const WARMUP_ROUNDS = 2;
// A typical clinical answer is a few hundred tokens.
const MAX_TOKENS = Number(process.env.XINGLIN_BENCH_TOKENS ?? 256);
const PROMPT = 'Tell me a story about a doctor.';
const CONTEXT_SIZE = 2048;

const models: { name: string; options: TinyLlamaOptions }[] = [
  { name: 'fixture', options: { contextLength: CONTEXT_SIZE } },
  // ≥ 100 MB of F32 weights: large enough that generation, not overhead, dominates.
  { name: 'large', options: { nEmbd: 768, nLayer: 6, nHead: 12, nHeadKv: 12, nFf: 2048, contextLength: CONTEXT_SIZE } },
];

/** The grounding the app puts around the question, so both paths read the same context. */
async function groundingOf(question: string): Promise<{ system: string; sources: string }> {
  const knowledge = KnowledgeService.open({ file: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-bench-kb-')), 'knowledge.db'), starterDir: STARTER_DIR });
  try {
    return await knowledge.groundedPrompt(knowledge.retrieve(question));
  } finally {
    knowledge.close();
  }
}

/** One answer: tokens generated, and generated tokens per second of wall time (prompt included). */
interface Round {
  tokens: number;
  tokensPerSecond: number;
}

async function bareRunner(modelPath: string, { system, sources }: { system: string; sources: string }) {
  const llama = await getLlama({ build: 'never', gpu: false, maxThreads: THREADS, logLevel: 'error' as never });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: CONTEXT_SIZE, threads: THREADS });
  const session = new LlamaChatSession({ contextSequence: context.getSequence() });
  return {
    async once(): Promise<Round> {
      session.setChatHistory([{ type: 'system', text: system }]);
      let tokens = 0;
      const started = performance.now();
      await session.prompt(`${sources}\n\n${PROMPT}`, { temperature: 0, seed: 1, maxTokens: MAX_TOKENS, onToken: (chunk) => (tokens += chunk.length) });
      return { tokens, tokensPerSecond: tokens / ((performance.now() - started) / 1000) };
    },
    dispose: () => llama.dispose(),
  };
}

/**
 * The app as a user runs it: the built `xinglin serve` in its own process (core, SQLite, LlmHost,
 * web host); this process is the browser's stand-in, calling over HTTP and reading the SSE stream.
 */
async function appRunner(modelsDir: string) {
  if (!fs.existsSync(path.join(appRoot(), 'dist/main/cli.js')) && spawnSync(process.execPath, ['build/build.mjs'], { cwd: appRoot(), stdio: 'inherit' }).status !== 0) {
    throw new Error('npm run build failed');
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-bench-'));
  const server = spawn(process.execPath, [path.join(appRoot(), 'bin/xinglin.js'), 'serve', '--data-dir', dataDir, '--models-dir', modelsDir, '--threads', String(THREADS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<URL>((resolve, reject) => {
    let out = '';
    server.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+/.exec(out);
      if (match) resolve(new URL(match[0]));
    });
    server.once('exit', (code) => reject(new Error(`xinglin serve exited (${code})`)));
  });
  const token = url.hash.slice('#token='.length);
  const base = url.origin;
  const call = async (method: string, input: unknown) => {
    const res = await fetch(`${base}/api/invoke/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(input) });
    const reply = (await res.json()) as { ok: boolean; value: never; error?: { message: string } };
    if (!reply.ok) throw new Error(reply.error?.message);
    return reply.value;
  };
  await call('models.load', { model: 'tiny-llama.gguf' });

  // One SSE connection for the whole run, as the renderer keeps one.
  const events = await fetch(`${base}/api/events?token=${token}`);
  const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  async function until(messageId: string): Promise<EventPayload<'chat.done'>> {
    for (;;) {
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const match = /^event: (\S+)\ndata: (.*)$/s.exec(frame);
        if (match?.[1] === 'chat.done') {
          const payload = JSON.parse(match[2]!) as EventPayload<'chat.done'>;
          if (payload.message.id === messageId) return payload;
        }
        if (match?.[1] === 'chat.error') throw new Error(match[2]);
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('event stream closed');
      buffer += value;
    }
  }

  return {
    async once(): Promise<Round> {
      const session = (await call('sessions.create', { title: 'bench' })) as { id: string };
      const started = performance.now();
      const sent = (await call('chat.send', { sessionId: session.id, text: PROMPT, sampling: { temperature: 0, seed: 1, maxTokens: MAX_TOKENS } })) as { assistantMessageId: string };
      const done = await until(sent.assistantMessageId);
      const tokens = done.message.provenance!.timings!.generatedTokens;
      return { tokens, tokensPerSecond: tokens / ((performance.now() - started) / 1000) };
    },
    async dispose() {
      await reader.cancel();
      server.kill('SIGTERM');
      await once(server, 'exit');
    },
  };
}

export async function benchLlm(workDir: string) {
  const results = [];
  for (const { name, options } of models) {
    const modelsDir = path.join(workDir, `models-${name}`);
    const modelPath = path.join(modelsDir, 'tiny-llama.gguf');
    if (!fs.existsSync(modelPath)) generateFixtures(modelsDir, options);
    const bare = await bareRunner(modelPath, await groundingOf(PROMPT));
    const app = await appRunner(modelsDir);
    // Warm-up: first touch of the mmapped weights, JIT of both processes.
    for (let i = 0; i < WARMUP_ROUNDS; i++) {
      await bare.once();
      await app.once();
    }
    const samples = { bare: [] as number[], app: [] as number[] };
    const tokens = { bare: new Set<number>(), app: new Set<number>() };
    for (let i = 0; i < ROUNDS; i++) {
      for (const [path, runner] of [['bare', bare], ['app', app]] as const) {
        const round = await runner.once();
        samples[path].push(round.tokensPerSecond);
        tokens[path].add(round.tokens);
      }
    }
    await app.dispose();
    await bare.dispose();
    results.push({
      model: name,
      sizeMB: round(fs.statSync(modelPath).size / 2 ** 20, 1),
      bareTokensPerSecond: { median: round(median(samples.bare), 1), samples: samples.bare.map((s) => round(s, 1)) },
      appTokensPerSecond: { median: round(median(samples.app), 1), samples: samples.app.map((s) => round(s, 1)) },
      ratio: round(median(samples.app) / median(samples.bare)),
      // Both paths must generate the same answer for the ratio to mean anything.
      generatedTokens: { bare: [...tokens.bare], app: [...tokens.app] },
    });
  }
  return { bench: 'llm', threads: THREADS, rounds: ROUNDS, maxTokens: MAX_TOKENS, results };
}
