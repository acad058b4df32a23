/**
 * A whole browser-mode session, run by zero-egress.test.ts inside a network namespace that has only
 * loopback: the built `xinglin serve`, the UI page, a knowledge import (uploaded, as a browser
 * does), a knowledge answer about the imported drug, a model load, and a chat answer from the model.
 * Usage: node --import tsx test/egress/session.ts <data dir> <models dir> <jsonl file>
 * Prints one JSON line of what each step gave; exits 1 at the first step that fails.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { appRoot } from '../../src-main/hosts/common/app-root.js';

const [dataDir, modelsDir, importFile] = process.argv.slice(2) as [string, string, string];

const serve = spawn(process.execPath, [path.join(appRoot(), 'bin/xinglin.js'), 'serve', '--data-dir', dataDir, '--models-dir', modelsDir, '--threads', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
let stderr = '';
serve.stderr.on('data', (chunk) => (stderr += chunk));
const exited = new Promise<number | null>((resolve) => serve.on('exit', (code) => resolve(code)));

const url = await new Promise<URL>((resolve, reject) => {
  let stdout = '';
  serve.stdout.on('data', (chunk) => {
    stdout += chunk;
    const printed = /http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+/.exec(stdout);
    if (printed) resolve(new URL(printed[0]));
  });
  void exited.then((code) => reject(new Error(`xinglin serve exited (${code}) before printing its URL:\n${stderr}`)));
});
const token = url.hash.replace('#token=', '');
const origin = url.origin;

async function call<T>(method: string, input: unknown): Promise<T> {
  const res = await fetch(`${origin}/api/invoke/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(input) });
  const reply = (await res.json()) as { ok: boolean; value: T; error?: unknown };
  if (!reply.ok) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
  return reply.value;
}

const steps: Record<string, unknown> = {};
try {
  steps.page = (await fetch(`${origin}/`)).status;

  const upload = await fetch(`${origin}/api/upload`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream', 'X-File-Name': encodeURIComponent(path.basename(importFile)) },
    body: fs.readFileSync(importFile),
  });
  const { value: chosen } = (await upload.json()) as { value: { file: string } };
  steps.import = await call('kb.import', { file: chosen.file, source: '本院药品' });

  steps.knowledge = await call<{ answer: string }>('kb.ask', { question: '氟拉替尼片的适应症是什么？' });

  steps.load = await call<{ state: string }>('models.load', { model: 'tiny-llama.gguf' });

  const session = await call<{ id: string }>('sessions.create', {});
  await call('chat.send', { sessionId: session.id, text: '痛风急性发作怎么处理？', sampling: { maxTokens: 8, temperature: 0 } });
  // Polled until saved; the deadline only keeps a hung answer from hanging the test.
  const deadline = Date.now() + 180_000;
  let answer: { status: string; text: string; provenance: { mode: string } | null } | undefined;
  while ((!answer || answer.status === 'streaming') && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    answer = (await call<Array<typeof answer>>('sessions.messages', { id: session.id }))[1];
  }
  steps.chat = answer;
} catch (cause) {
  steps.failed = String(cause);
}
serve.kill('SIGTERM');
steps.exitCode = await exited;
steps.stderr = stderr;
console.log(JSON.stringify(steps));
process.exitCode = steps.failed ? 1 : 0;
