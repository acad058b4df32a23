import { describe, expect, it } from 'vitest';
import type { EvalRunDetail, EvalRunSummary, Profile } from '$contract';
import { DEFAULT_SAMPLING } from '$contract';
import { EvalState } from './eval.svelte.js';
import { criteriaCaseOf, criteriaResultOf, criteriaScores, dialogFiles, evalDetailOf, evalRunOf, evalSetOf, evalTargetOf, fake, jobEvent, tick } from './test-api.js';

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const profile = (id: string): Profile => ({ id, name: `配置 ${id}`, backend: { kind: 'local', model: 'm.gguf', adapters: [] }, template: { kind: 'auto' }, systemPrompt: '', sampling: DEFAULT_SAMPLING, contextSize: 2048, preset: null });
const reviewer = { doctor: '', setDoctor: async () => true };

function evalOn(handlers: Parameters<typeof fake>[0], profiles: Profile[] = [profile('qizhen')]) {
  const api = fake(handlers);
  const frames: Array<() => void> = [];
  const evaluation = new EvalState(api.api, dialogFiles(), { profiles: () => profiles, reviewer, refreshMs: 0, frames: (callback) => frames.push(callback) });
  const detach = evaluation.attach();
  const runFrames = () => frames.splice(0).forEach((frame) => frame());
  return { ...api, evaluation, detach, frames, runFrames };
}

const cases = [criteriaCaseOf(1), criteriaCaseOf(2)];

describe('EvalState: runs', () => {
  it('loads the sets and runs once, and offers the newest set to the next run', async () => {
    const { evaluation, count } = evalOn({ 'eval.sets': () => [evalSetOf('s2'), evalSetOf('s1')], 'eval.runs': () => [evalRunOf('r1', { state: 'done', jobId: null })] });
    await evaluation.init();
    await evaluation.init();
    expect(count('eval.sets')).toBe(1);
    expect(count('eval.runs')).toBe(1);
    expect(evaluation.runs.setId).toBe('s2');
    expect(evaluation.runs.runs.map((r) => r.id)).toEqual(['r1']);
  });

  it('offers knowledge mode for three-criteria sets only, and at most three targets', async () => {
    const { evaluation } = evalOn({ 'eval.sets': () => [evalSetOf('s1'), evalSetOf('exam', { format: 'choice' })], 'eval.runs': () => [] }, [profile('a'), profile('b'), profile('c')]);
    await evaluation.init();
    const runs = evaluation.runs;
    expect(runs.chosenTargets).toEqual(['knowledge']);
    expect(runs.canStart).toBe(true);
    runs.chooseSet('exam');
    expect(runs.knowledgeAllowed).toBe(false);
    expect(runs.chosenTargets).toEqual([]);
    expect(runs.canStart).toBe(false);
    runs.toggleTarget('profile:a', true);
    runs.toggleTarget('profile:b', true);
    runs.toggleTarget('profile:c', true); // a fourth with knowledge mode: refused
    expect(runs.targets).toEqual(['knowledge', 'profile:a', 'profile:b']);
    expect(runs.chosenTargets).toEqual(['profile:a', 'profile:b']);
    runs.toggleTarget('profile:gone', true); // a profile not offered (deleted) never runs
    expect(runs.chosenTargets).toEqual(['profile:a', 'profile:b']);
  });

  it('starts a run, opens its report, and follows its progress, answers and scores as they arrive', async () => {
    let scores = evalRunOf('r1');
    const { evaluation, emit, calls, frames, runFrames } = evalOn({
      'eval.sets': () => [evalSetOf('s1')],
      'eval.runs': () => [scores],
      'eval.start': () => evalRunOf('r1'),
      'eval.run': () => evalDetailOf('r1', cases.map((c) => ({ case: c, results: [] }))),
    });
    await evaluation.init();
    evaluation.runs.toggleTarget('profile:qizhen', true);
    evaluation.runs.parallel = false;
    evaluation.runs.name = ' 新适配器 ';
    expect(await evaluation.start()).toBe(true);
    expect(calls.find(([name]) => name === 'eval.start')).toEqual(['eval.start', { setId: 's1', targets: [{ kind: 'knowledge' }, { kind: 'profile', profileId: 'qizhen' }], parallel: false, name: '新适配器' }]);
    expect(evaluation.panel).toBe('report');
    expect(evaluation.view.detail?.id).toBe('r1');
    const run = () => evaluation.runs.byId('r1')!;

    // The bar follows the run's job; another kind of job is not an evaluation.
    emit('job.progress', jobEvent({ id: 'j1', kind: 'eval.run', subject: '评测 r1', phase: 'answer', progress: 0.25, done: 1, total: 4 }));
    emit('job.progress', jobEvent({ id: 'j2', kind: 'kb.import', progress: 0.9, done: 9, total: 10 }));
    expect(evaluation.runs.progress(run())).toEqual({ done: 1, total: 4, fraction: 0.25 });

    // Answered cases show in the review at the next frame, all at once; their scores are asked again.
    scores = evalRunOf('r1', { targets: [evalTargetOf({ done: 1, auto: criteriaScores(1, 1), reviewed: criteriaScores(1, 1) })] });
    emit('eval.case', { runId: 'r1', result: criteriaResultOf('c1', []) });
    emit('eval.case', { runId: 'r1', result: criteriaResultOf('c1', ['高血压']) });
    emit('eval.case', { runId: 'other', result: criteriaResultOf('c2', ['高血压']) });
    expect(frames).toHaveLength(1);
    expect(evaluation.view.detail!.cases[0]!.results).toHaveLength(0);
    runFrames();
    expect(evaluation.view.detail!.cases[0]!.results).toHaveLength(1);
    expect(evaluation.view.detail!.cases[0]!.results[0]!.items!.filter((i) => i.hit)).toHaveLength(1); // the latest of the case
    expect(evaluation.view.detail!.cases[1]!.results).toHaveLength(0);
    await later(5);
    expect(run().targets[0]!.auto.any).toMatchObject({ count: 1, n: 1 });
    expect(evaluation.view.detail!.targets[0]!.done).toBe(1);

    // The end: the job leaves, the run says it is done.
    emit('job.progress', jobEvent({ id: 'j1', kind: 'eval.run', state: 'done', progress: 1, done: 4, total: 4 }));
    expect(evaluation.runs.jobs).toEqual({});
    emit('eval.run', { run: evalRunOf('r1', { state: 'done', jobId: null, endedAt: 2 }) });
    expect(run().state).toBe('done');
    expect(evaluation.view.detail!.state).toBe('done');
    expect(evaluation.view.detail!.cases[0]!.results).toHaveLength(1); // the summary changes, the answers stay
  });

  it('keeps the answers that arrive while a run opens, and applies them to its detail', async () => {
    let reply!: (detail: EvalRunDetail) => void;
    const { evaluation, emit, runFrames } = evalOn({ 'eval.run': () => new Promise<EvalRunDetail>((resolve) => (reply = resolve)) });
    const opening = evaluation.openRun('r1');
    emit('eval.case', { runId: 'r1', result: criteriaResultOf('c2', ['心绞痛']) });
    runFrames(); // nothing to apply it to yet
    reply(evalDetailOf('r1', cases.map((c) => ({ case: c, results: c.id === 'c1' ? [criteriaResultOf('c1', [])] : [] }))));
    expect(await opening).toBe(true);
    expect(evaluation.view.detail!.cases.map((c) => c.results.length)).toEqual([1, 1]);
  });

  it('never lets a list asked before a run’s latest event bring back its older state', async () => {
    let reply!: (runs: EvalRunSummary[]) => void;
    const { evaluation, emit } = evalOn({ 'eval.runs': () => new Promise<EvalRunSummary[]>((resolve) => (reply = resolve)) });
    const refreshing = evaluation.runs.refresh();
    emit('eval.run', { run: evalRunOf('r1', { state: 'done', jobId: null }) });
    reply([evalRunOf('r1'), evalRunOf('r0', { state: 'done' })]);
    await refreshing;
    expect(evaluation.runs.runs.map((r) => [r.id, r.state])).toEqual([
      ['r1', 'done'],
      ['r0', 'done'],
    ]);
  });

  it('keeps the host’s refusal of a start and opens nothing', async () => {
    const { evaluation } = evalOn({ 'eval.sets': () => [evalSetOf('s1')], 'eval.runs': () => [], 'eval.start': () => Promise.reject({ code: 'NOT_FOUND', message: '找不到配置 qizhen，它可能已被删除；请另选一个配置' }) });
    await evaluation.init();
    expect(await evaluation.start()).toBe(false);
    expect(evaluation.runs.startError).toMatchObject({ code: 'NOT_FOUND' });
    expect(evaluation.panel).toBe('sets');
    expect(evaluation.runs.starting).toBe(false);
  });

  it('cancels a running run through its job, and resumes it as parallel as it started', async () => {
    const interrupted = evalRunOf('r1', { state: 'interrupted', jobId: null, targets: [evalTargetOf({ provenance: { mode: 'llm', appVersion: 't', knowledgeVersion: 'k', adapters: [], parallel: 1 } })] });
    const { evaluation, emit, calls } = evalOn({
      'eval.runs': () => [evalRunOf('r1')],
      'jobs.cancel': () => {
        emit('eval.run', { run: interrupted });
        return { cancelled: true };
      },
      'eval.resume': () => evalRunOf('r1', { jobId: 'j2' }),
    });
    await evaluation.runs.refresh();
    expect(await evaluation.runs.cancel('r1')).toBe(true);
    expect(calls).toContainEqual(['jobs.cancel', { id: 'j1' }]);
    expect(evaluation.runs.byId('r1')!.state).toBe('interrupted');
    expect(await evaluation.runs.resume('r1')).toBe(true);
    expect(calls).toContainEqual(['eval.resume', { id: 'r1', parallel: false }]);
    expect(evaluation.runs.byId('r1')).toMatchObject({ state: 'running', jobId: 'j2' });
  });

  it('says why a resume was refused', async () => {
    const { evaluation } = evalOn({ 'eval.runs': () => [evalRunOf('r1', { state: 'failed', jobId: null })], 'eval.resume': () => Promise.reject({ code: 'NO_MODEL', message: '还没有加载模型' }) });
    await evaluation.runs.refresh();
    expect(await evaluation.runs.resume('r1')).toBe(false);
    expect(evaluation.runs.error).toMatchObject({ code: 'NO_MODEL' });
    expect(evaluation.runs.busy).toBeNull();
  });

  it('deletes a run after confirmation and closes its open report', async () => {
    const { evaluation, count } = evalOn({
      'eval.runs': () => [evalRunOf('r1', { state: 'done', jobId: null })],
      'eval.run': () => evalDetailOf('r1', []),
      'eval.deleteRun': () => ({ ok: true }),
    });
    await evaluation.runs.refresh();
    await evaluation.openRun('r1', 'review');
    expect(evaluation.panel).toBe('review');
    evaluation.runs.askDelete('r1');
    evaluation.runs.cancelDelete();
    expect(await evaluation.confirmDeleteRun()).toBe(false);
    expect(count('eval.deleteRun')).toBe(0);
    evaluation.runs.askDelete('r1');
    expect(await evaluation.confirmDeleteRun()).toBe(true);
    expect(evaluation.runs.runs).toEqual([]);
    expect(evaluation.view.detail).toBeNull();
    expect(evaluation.panel).toBe('runs');
  });

  it('a run that cannot be opened leaves the runs list showing, with the reason', async () => {
    const { evaluation } = evalOn({ 'eval.run': () => Promise.reject({ code: 'NOT_FOUND', message: '找不到这次评测' }) });
    expect(await evaluation.openRun('gone')).toBe(false);
    expect(evaluation.panel).toBe('runs');
    expect(evaluation.view.error).toMatchObject({ code: 'NOT_FOUND' });
    evaluation.showPanel('report');
    expect(evaluation.panel).toBe('runs');
  });

  it('a set just made is the one the next run asks; a deleted one is no longer offered', async () => {
    const { evaluation } = evalOn({ 'eval.sets': () => [evalSetOf('s1')], 'eval.runs': () => [], 'eval.makeSet': () => evalSetOf('s2'), 'eval.deleteSet': () => ({ ok: true }) });
    await evaluation.init();
    evaluation.sets.openForm();
    expect(await evaluation.makeSet()).toBe(true);
    expect(evaluation.runs.setId).toBe('s2');
    evaluation.sets.askDelete('s2');
    expect(await evaluation.confirmDeleteSet()).toBe(true);
    expect(evaluation.runs.setId).toBe('s1');
  });

  it('stops listening when detached', async () => {
    const { evaluation, emit, detach } = evalOn({});
    detach();
    emit('eval.run', { run: evalRunOf('r1') });
    emit('eval.case', { runId: 'r1', result: criteriaResultOf('c1', []) });
    await tick();
    expect(evaluation.runs.runs).toEqual([]);
  });
});
