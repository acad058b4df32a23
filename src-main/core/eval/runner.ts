import { XinglinError, type CaseResult, type ErrorCode, type ErrorData, type EvalCase, type EvalProvenance, type EvalSet } from '../../contract/index.js';
import type { JobControl } from '../jobs.js';
import type { KnowledgeService } from '../knowledge/index.js';
import type { LlmService, Provider } from '../llm/index.js';
import { answerCase, type Answerer } from './answer-case.js';
import type { EvalStore, StoredRun, StoredTarget } from './eval-store.js';

/** Errors that end a target's part of the run (its model is gone or cannot answer): the case is left unanswered for resume, not scored. */
const TARGET_ENDING: ReadonlySet<ErrorCode> = new Set(['NO_MODEL', 'RUNTIME_CRASHED', 'REMOTE_UNAVAILABLE', 'MODEL_LOAD_FAILED', 'ADAPTER_MISMATCH', 'NOT_FOUND', 'BUSY']);

export interface RunnerDeps {
  store: EvalStore;
  knowledge: KnowledgeService;
  llm: LlmService;
  appVersion: string;
  /** A case was answered and saved. */
  onResult(runId: string, result: CaseResult): void;
}

/** How the run ended for one target: every case answered, or the error that stopped it. */
type TargetEnd = { ok: true } | { ok: false; error: ErrorData };

/**
 * Answers a run's unanswered cases, target after target, and saves each result as it comes (so a
 * cancel, a crash or a closed app loses at most the cases in flight, and resume continues from
 * there). A model target takes the model queue for one batch at a time — one case per lane, the
 * lanes answering at once where the provider allows — so a doctor's chat question waits at most
 * one batch. Returns the first target error, if any; throws CANCELLED when cancelled.
 */
export async function answerRun(deps: RunnerDeps, run: StoredRun, set: EvalSet, control: JobControl, parallel: boolean): Promise<ErrorData | null> {
  const { store } = deps;
  const total = set.cases.length * run.targets.length;
  const pending = run.targets.map((_, i) => {
    const answered = store.answered(run.id, i);
    return set.cases.filter((c) => !answered.has(c.id));
  });
  let done = total - pending.reduce((sum, cases) => sum + cases.length, 0);
  const report = (label: string) => control.report({ phase: 'answer', detail: label, progress: total ? done / total : 1, done, total });
  const singleChoice = set.cases.some((c) => 'answer' in c && c.answer.length === 1);
  let firstError: ErrorData | null = null;
  for (const [index, target] of run.targets.entries()) {
    report(target.label);
    const save = (c: EvalCase, scored: Omit<CaseResult, 'caseId' | 'target' | 'review'>) => {
      const result: CaseResult = { ...scored, caseId: c.id, target: index, review: null };
      store.insertResult(run.id, result);
      deps.onResult(run.id, result);
      done += 1;
      report(target.label);
    };
    const end = await answerTarget(deps, run, index, pending[index]!, { signal: control.signal, parallel, singleChoice, save });
    if (!end.ok) firstError ??= { code: end.error.code, message: `${target.label}：${end.error.message}` };
  }
  return firstError;
}

interface TargetOptions {
  signal: AbortSignal;
  parallel: boolean;
  /** Some cases are single-answer choice questions (answered by likelihood where the provider can score). */
  singleChoice: boolean;
  save(c: EvalCase, scored: Omit<CaseResult, 'caseId' | 'target' | 'review'>): void;
}

async function answerTarget(deps: RunnerDeps, run: StoredRun, index: number, cases: readonly EvalCase[], options: TargetOptions): Promise<TargetEnd> {
  const target = run.targets[index]!;
  if (target.target.kind === 'knowledge') {
    recordProvenance(deps, run, index, { mode: 'knowledge', appVersion: deps.appVersion, knowledgeVersion: deps.knowledge.version(), adapters: [], parallel: 1 });
    for (const c of cases) {
      options.signal.throwIfAborted();
      await answerOne(deps, { kind: 'knowledge' }, c, 0, options);
    }
    return { ok: true };
  }
  const { profileId } = target.target;
  let queue = cases.slice();
  try {
    while (queue.length > 0) {
      // The provider is taken when the model is granted, as chat takes it: the profile as it is then.
      await deps.llm.queue.run('eval', null, async (signal) => {
        const provider = await deps.llm.provider(profileId);
        provider.assertReady();
        // Likelihoods are scored one at a time: batched with other lanes, llama.cpp sums in another order and a tie could flip between runs.
        const byLikelihood = options.singleChoice && provider.scoreOptions !== undefined;
        const lanes = options.parallel && !byLikelihood ? Math.max(1, provider.maxParallel) : 1;
        if (!target.provenance) recordProvenance(deps, run, index, providerProvenance(deps, provider, lanes));
        const batch = queue.slice(0, lanes);
        const answered = new Set<string>();
        const save: TargetOptions['save'] = (c, scored) => {
          options.save(c, scored);
          answered.add(c.id);
        };
        // Every lane ends before the grant does, so the model is never answering for a queue that thinks it free.
        const settled = await Promise.allSettled(batch.map((c, lane) => answerOne(deps, { kind: 'model', provider }, c, lane, { ...options, signal, save })));
        queue = [...batch.filter((c) => !answered.has(c.id)), ...queue.slice(lanes)];
        // A load or unload took the model: the cases it cut off are asked again of whatever the next grant finds loaded.
        if (signal.aborted && !options.signal.aborted) return;
        const failed = settled.find((outcome) => outcome.status === 'rejected');
        if (failed) throw failed.reason;
      }, { signal: options.signal });
    }
    return { ok: true };
  } catch (cause) {
    options.signal.throwIfAborted();
    if (cause instanceof XinglinError && TARGET_ENDING.has(cause.code)) return { ok: false, error: { code: cause.code, message: cause.message } };
    throw cause;
  }
}

/**
 * Answers and saves one case. An error of the case itself (a question too long for the context,
 * a generation failure) is its result, scored as a miss; an error that ends the target, or a
 * cancel, leaves the case unanswered.
 */
async function answerOne(deps: RunnerDeps, answerer: Answerer, c: EvalCase, lane: number, options: TargetOptions): Promise<void> {
  const started = performance.now();
  try {
    const scored = await answerCase(deps.knowledge, answerer, c, { signal: options.signal, lane });
    // An answer cut short by a cancel is not the model's answer.
    options.signal.throwIfAborted();
    options.save(c, { ...scored, ms: Math.round(performance.now() - started) });
  } catch (cause) {
    options.signal.throwIfAborted();
    if (!(cause instanceof XinglinError) || TARGET_ENDING.has(cause.code) || cause.code === 'CANCELLED') throw cause;
    options.save(c, { status: 'failed', answer: '', error: { code: cause.code, message: cause.message }, items: null, choice: null, ms: Math.round(performance.now() - started) });
  }
}

function providerProvenance(deps: RunnerDeps, provider: Provider, parallel: number): EvalProvenance {
  const { model, adapters, template, profile, backend } = provider.provenance();
  return {
    mode: 'llm',
    appVersion: deps.appVersion,
    knowledgeVersion: deps.knowledge.version(),
    ...(profile ? { profile } : {}),
    ...(model ? { model } : {}),
    adapters,
    ...(template ? { template } : {}),
    sampling: provider.sampling,
    backend,
    parallel,
  };
}

/** A target's provenance, written when it first answers (a resumed run keeps the first). */
function recordProvenance(deps: RunnerDeps, run: StoredRun, index: number, provenance: EvalProvenance): void {
  const targets: StoredTarget[] = run.targets.map((t, i) => (i === index && !t.provenance ? { ...t, provenance } : t));
  run.targets.splice(0, run.targets.length, ...targets);
  deps.store.setTargets(run.id, targets);
}
