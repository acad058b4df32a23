/**
 * Kills the app process (SIGKILL, as a power cut would) and, separately, its model process at
 * random moments — while an answer streams, while a knowledge import runs — then restarts and
 * checks what a doctor relies on: both databases pass `integrity_check`, every acknowledged
 * message is present and unchanged, no answer that had started is lost without an `interrupted`
 * row, and an interrupted import left the knowledge base as it was. `npm test` runs a few kills,
 * `npm run bench -- reliability` runs 200. Records signing joins here when it lands.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import type { KbStats, Message, MethodOutput, ModelStatus } from '../../src-main/contract/index.js';
import { mulberry32 } from '../fixtures/gguf/tiny-llama.js';
import { alive, serveApp, XINGLIN, type ServedApp } from './served-app.js';

export interface KillPlan {
  dataDir: string;
  modelsDir: string;
  model: string;
  /** A knowledge file large enough that its import takes a while. */
  importFile: string;
  appKills: number;
  runtimeKills: number;
  seed: number;
}

export interface KillReport {
  seed: number;
  app: { kills: number; survived: number; duringAnswer: number; duringImport: number };
  runtime: { kills: number; survived: number };
  acknowledgedMessages: number;
  interruptedRows: number;
  /** Everything that went wrong, one line each; empty when every kill was survived. */
  failures: string[];
}

const QUESTION = '患者头痛三天，伴发热，应该怎么处理？';
const SAMPLING = { temperature: 0, maxTokens: 300 };

interface Ledger {
  /** Every message the app acknowledged (a reply to chat.send, a chat.done), as it was then. */
  acknowledged: Map<string, Message>;
  /** Answers cut off by a kill: the text the client had seen of each. */
  cutOff: Map<string, { sessionId: string; seen: string }>;
}

function integrity(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

/** One prefix of the other: both are prefixes of what the model generated. */
const samePrefix = (a: string, b: string) => a.startsWith(b) || b.startsWith(a);

/** After a restart: the files are sound, what was acknowledged is there unchanged, what was cut off is marked. */
async function verify(app: ServedApp, plan: KillPlan, ledger: Ledger, failures: string[], when: string): Promise<boolean> {
  const before = failures.length;
  for (const db of ['xinglin.db', 'knowledge.db']) {
    const result = integrity(path.join(plan.dataDir, db));
    if (result !== 'ok') failures.push(`${when}: ${db} integrity_check: ${result}`);
  }
  const sessions = new Set([...ledger.acknowledged.values()].map((m) => m.sessionId));
  for (const cut of ledger.cutOff.values()) sessions.add(cut.sessionId);
  const stored = new Map<string, Message>();
  for (const sessionId of sessions) for (const message of await app.call<Message[]>('sessions.messages', { id: sessionId })) stored.set(message.id, message);
  for (const [id, expected] of ledger.acknowledged) {
    const found = stored.get(id);
    if (!found) failures.push(`${when}: acknowledged ${expected.role} message ${id} is missing`);
    else if (found.text !== expected.text || found.status !== expected.status) failures.push(`${when}: acknowledged message ${id} changed (${expected.status} → ${found.status})`);
  }
  for (const [id, cut] of ledger.cutOff) {
    const found = stored.get(id);
    if (!found) {
      if (cut.seen) failures.push(`${when}: an answer the doctor had seen ${cut.seen.length} characters of is gone without a row`);
    } else if (found.status === 'streaming') {
      failures.push(`${when}: answer ${id} is still 'streaming' after a restart`);
    } else if (!samePrefix(found.text, cut.seen)) {
      failures.push(`${when}: answer ${id} was saved with text the doctor never saw`);
    } else {
      ledger.acknowledged.set(id, found);
    }
  }
  ledger.cutOff.clear();
  return failures.length === before;
}

/** Sends a question and resolves when `afterChunks` chunks arrived (or the answer ended first). */
async function streamUntil(app: ServedApp, sessionId: string, afterChunks: number, ledger: Ledger) {
  const sent = await app.call<MethodOutput<'chat.send'>>('chat.send', { sessionId, text: QUESTION, sampling: SAMPLING });
  ledger.acknowledged.set(sent.userMessage.id, sent.userMessage);
  let seen = '';
  let chunks = 0;
  let failed: string | null = null;
  let reach!: () => void;
  let end!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  // Heard until the answer ends, so an end that comes after `reached` (or after a kill) is not missed.
  const ended = new Promise<void>((resolve) => (end = resolve));
  const off = app.on((name, payload) => {
    const event = payload as { messageId?: string; message?: Message; text?: string; error?: { code: string } };
    if (name === 'chat.token' && event.messageId === sent.assistantMessageId) {
      seen += event.text;
      if (++chunks >= afterChunks) reach();
    }
    const done = name === 'chat.done' && event.message?.id === sent.assistantMessageId;
    const error = name === 'chat.error' && event.messageId === sent.assistantMessageId;
    if (done) ledger.acknowledged.set(event.message!.id, event.message!);
    if (error) failed = event.error!.code;
    if (done || error) {
      off();
      reach();
      end();
    }
  });
  await reached;
  return { messageId: sent.assistantMessageId, seen: () => seen, failed: () => failed, ended };
}

async function killDuringAnswer(app: ServedApp, ledger: Ledger, rng: () => number): Promise<void> {
  const session = await app.call<{ id: string }>('sessions.create', {});
  const answer = await streamUntil(app, session.id, 1 + Math.floor(rng() * 40), ledger);
  // An answer that fails on its own (a too small context, no model) would make every kill trivial.
  if (answer.failed()) throw new Error(`the answer failed before the kill: ${answer.failed()}`);
  if (!ledger.acknowledged.has(answer.messageId)) ledger.cutOff.set(answer.messageId, { sessionId: session.id, seen: answer.seen() });
  const model = app.modelProcessPid();
  await app.kill('SIGKILL');
  // The model process must not outlive the app, holding the model's memory.
  for (let i = 0; model !== null && alive(model) && i < 100; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  if (model !== null && alive(model)) throw new Error(`the model process ${model} outlived the killed app`);
}

/** An import by the CLI, killed after a random delay; the base must be as before unless it finished. */
async function killDuringImport(plan: KillPlan, rng: () => number): Promise<{ finished: boolean }> {
  const cli = spawn(process.execPath, [XINGLIN, 'kb', 'import', plan.importFile, '--data-dir', plan.dataDir, '--models-dir', plan.modelsDir, '--source', '压力测试', '--json'], { stdio: 'ignore' });
  const exit = once(cli, 'exit') as Promise<[number | null, string | null]>;
  const timer = setTimeout(() => cli.kill('SIGKILL'), 100 + rng() * 2500);
  const [code] = await exit;
  clearTimeout(timer);
  return { finished: code === 0 };
}

export async function runKills(plan: KillPlan): Promise<KillReport> {
  // Seeded: a failing run is replayed with its seed.
  const rng = mulberry32(plan.seed);
  const ledger: Ledger = { acknowledged: new Map(), cutOff: new Map() };
  const failures: string[] = [];
  const report: KillReport = { seed: plan.seed, app: { kills: 0, survived: 0, duringAnswer: 0, duringImport: 0 }, runtime: { kills: 0, survived: 0 }, acknowledgedMessages: 0, interruptedRows: 0, failures };
  const start = () => serveApp(plan.dataDir, plan.modelsDir);

  // The app process: killed during an answer (most often) or during an import, then restarted.
  let importBaseline: KbStats | null = null;
  const soundAfterRestart = async (app: ServedApp, when: string): Promise<boolean> => {
    let sound = await verify(app, plan, ledger, failures, when);
    if (importBaseline) {
      const stats = await app.call<KbStats>('kb.stats');
      if (stats.entries !== importBaseline.entries || stats.sources.length !== importBaseline.sources.length) {
        failures.push(`${when}: the interrupted import changed the knowledge base`);
        sound = false;
      }
      importBaseline = null;
    }
    return sound;
  };
  for (let kill = 0; kill < plan.appKills; kill++) {
    const app = await start();
    try {
      if (kill > 0 && (await soundAfterRestart(app, `after app kill ${kill - 1}`))) report.app.survived++;
      if (rng() < 0.2) {
        const baseline = await app.call<KbStats>('kb.stats');
        await app.kill('SIGTERM');
        if (!(await killDuringImport(plan, rng)).finished) importBaseline = baseline;
        report.app.duringImport++;
      } else {
        await app.call('models.load', { model: plan.model });
        await killDuringAnswer(app, ledger, rng);
        report.app.duringAnswer++;
      }
      report.app.kills++;
    } catch (error) {
      failures.push(`app kill ${kill}: ${(error as Error).message}`);
      await app.kill('SIGKILL');
    }
  }

  // The model process: killed during an answer, the app stays up and answers on.
  const app = await start();
  try {
    if (plan.appKills > 0 && (await soundAfterRestart(app, `after app kill ${plan.appKills - 1}`))) report.app.survived++;
    await app.call('models.load', { model: plan.model });
    for (let kill = 0; kill < plan.runtimeKills; kill++) {
      const before = failures.length;
      const session = await app.call<{ id: string }>('sessions.create', {});
      const pid = app.modelProcessPid();
      const answer = await streamUntil(app, session.id, 1 + Math.floor(rng() * 40), ledger);
      if (answer.failed()) {
        failures.push(`runtime kill ${kill}: the answer failed before the kill: ${answer.failed()}`);
        break;
      }
      if (ledger.acknowledged.has(answer.messageId) || pid === null) {
        // The answer ended before the kill: nothing was cut off, the kill is not counted.
        kill--;
        continue;
      }
      process.kill(pid, 'SIGKILL');
      report.runtime.kills++;
      await answer.ended;
      if (!ledger.acknowledged.has(answer.messageId)) {
        // Cut off by the kill (an answer may also have ended just before the kill landed).
        const row = (await app.call<Message[]>('sessions.messages', { id: session.id })).find((m) => m.id === answer.messageId);
        if (answer.failed() !== 'RUNTIME_CRASHED' || !row || row.status !== 'interrupted' || !samePrefix(row.text, answer.seen())) failures.push(`runtime kill ${kill}: the cut-off answer was not kept as interrupted with its text`);
        else ledger.acknowledged.set(row.id, row);
      }
      // The app answers on (knowledge mode), and one action reloads the model.
      await app.call('kb.ask', { question: '阿莫西林的禁忌是什么？' });
      // A kill that landed on an idle process is noticed when its exit arrives.
      let status = await app.call<ModelStatus>('models.status');
      for (let tries = 0; status.state === 'ready' && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = await app.call<ModelStatus>('models.status');
      }
      if (status.state !== 'error' || status.reloadable?.model !== plan.model) failures.push(`runtime kill ${kill}: the status does not offer the model for reload`);
      await app.call('models.load', status.reloadable ?? { model: plan.model });
      if (failures.length === before) report.runtime.survived++;
    }
    await verify(app, plan, ledger, failures, 'after the model process kills');
  } finally {
    await app.kill('SIGTERM');
  }
  report.acknowledgedMessages = ledger.acknowledged.size;
  report.interruptedRows = [...ledger.acknowledged.values()].filter((m) => m.status === 'interrupted').length;
  return report;
}
