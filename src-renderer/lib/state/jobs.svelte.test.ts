import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Job } from '$contract';
import { ENDED_LINGER_MS, jobOverall, JobsState } from './jobs.svelte.js';
import { fake, jobEvent } from './test-api.js';

const job = (extra: Partial<Job> = {}): Job => jobEvent({ id: 'j1', subject: 'big.jsonl', startedAt: 10, ...extra });

describe('JobsState', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is seeded with the running jobs, keeps newer events, and never goes backwards', async () => {
    let answer: (jobs: Job[]) => void = () => {};
    const { api, emit } = fake({ 'jobs.list': () => new Promise<Job[]>((resolve) => (answer = resolve)) });
    const jobs = new JobsState(api);
    jobs.attach();
    const seeding = jobs.init();
    // An event that arrives while the list is on its way is newer than the list.
    emit('job.progress', job({ id: 'j1', progress: 0.6 }));
    answer([
      job({ id: 'j1', progress: 0.2 }),
      job({ id: 'old', state: 'done', progress: 1, endedAt: 5, startedAt: 1 }), // ended before the window: not news
      job({ id: 'load', kind: 'models.load', subject: 'm.gguf', phase: 'model', progress: 0.5, startedAt: 5 }),
    ]);
    await seeding;
    expect(jobs.items.map((item) => item.job.id)).toEqual(['load', 'j1']);
    const j1 = () => jobs.items.find((item) => item.job.id === 'j1')!;
    expect(j1().job.progress).toBe(0.6);
    const before = j1().overall;
    expect(before).toBeGreaterThan(0);
    emit('job.progress', job({ id: 'j1', progress: 0.3 })); // late or reordered: the bar stays
    expect(j1().overall).toBe(before);
    emit('job.progress', job({ id: 'j1', phase: 'index', progress: 0.1 }));
    expect(j1().overall).toBeGreaterThan(before);
    expect(jobs.running).toHaveLength(2);
  });

  it('shows a job that ended well for a few seconds; a failed one until dismissed', () => {
    const { api, emit } = fake({});
    const jobs = new JobsState(api);
    jobs.attach();
    emit('job.progress', job({ id: 'a' }));
    emit('job.progress', job({ id: 'b', kind: 'models.load', subject: 'm.gguf', phase: 'hash' }));
    emit('job.progress', job({ id: 'c', subject: 'c.jsonl' }));
    emit('job.progress', job({ id: 'a', state: 'done', progress: 1, endedAt: 20 }));
    emit('job.progress', job({ id: 'b', state: 'cancelled', phase: 'model', progress: 0.4, endedAt: 20, error: { code: 'CANCELLED', message: '已取消' } }));
    emit('job.progress', job({ id: 'c', state: 'failed', endedAt: 20, error: { code: 'INTERNAL', message: '坏了' } }));
    expect(jobs.items.map((item) => [item.job.id, item.job.state])).toEqual([
      ['a', 'done'],
      ['b', 'cancelled'],
      ['c', 'failed'],
    ]);
    expect(jobs.items[0]!.overall).toBe(1);
    expect(jobs.running).toEqual([]);
    vi.advanceTimersByTime(ENDED_LINGER_MS + 1);
    expect(jobs.items.map((item) => item.job.id)).toEqual(['c']);
    jobs.dismiss('c');
    expect(jobs.items).toEqual([]);
    // An end whose start was missed shows nothing.
    emit('job.progress', job({ id: 'z', state: 'done', progress: 1, endedAt: 30 }));
    expect(jobs.items).toEqual([]);
  });

  it('cancels a running job once, and shows it cancelling until it ends', async () => {
    const { api, emit, calls } = fake({ 'jobs.cancel': () => ({ cancelled: true }) });
    const jobs = new JobsState(api);
    jobs.attach();
    emit('job.progress', job({ id: 'a', progress: 0.3 }));
    const cancelling = jobs.cancel('a');
    expect(jobs.items[0]!.cancelling).toBe(true);
    await cancelling;
    await jobs.cancel('a');
    expect(calls).toEqual([['jobs.cancel', { id: 'a' }]]);
    emit('job.progress', job({ id: 'a', progress: 0.35 }));
    expect(jobs.items[0]!.cancelling).toBe(true);
    emit('job.progress', job({ id: 'a', state: 'cancelled', progress: 0.35, endedAt: 20 }));
    expect(jobs.items[0]!).toMatchObject({ cancelling: false, job: { state: 'cancelled' } });
    await jobs.cancel('a'); // ended: nothing to cancel
    expect(calls).toHaveLength(1);
  });

  it('a failed cancel lets the user try again and says why', async () => {
    const { api, emit } = fake({ 'jobs.cancel': () => Promise.reject({ code: 'INTERNAL', message: '连接中断' }) });
    const jobs = new JobsState(api);
    jobs.attach();
    emit('job.progress', job({ id: 'a' }));
    await jobs.cancel('a');
    expect(jobs.items[0]!.cancelling).toBe(false);
    expect(jobs.error).toMatchObject({ message: '连接中断' });
    jobs.dismissError();
    expect(jobs.error).toBeNull();
  });

  it('stops listening and forgets its timers when detached', async () => {
    const { api, emit } = fake({ 'jobs.list': () => Promise.reject(new Error('offline')) });
    const jobs = new JobsState(api);
    const detach = jobs.attach();
    await jobs.init(); // a failed list leaves the bar to the events
    emit('job.progress', job({ id: 'a' }));
    emit('job.progress', job({ id: 'a', state: 'done', progress: 1 }));
    detach();
    emit('job.progress', job({ id: 'b' }));
    vi.advanceTimersByTime(ENDED_LINGER_MS * 2);
    expect(jobs.items.map((item) => item.job.id)).toEqual(['a']);
  });

  it('weighs a job’s steps as the panes do', () => {
    expect(jobOverall(job({ phase: 'start', progress: 0 }))).toBe(0);
    expect(jobOverall(job({ phase: 'index', progress: 1 }))).toBeCloseTo(1);
    expect(jobOverall(job({ kind: 'models.load', phase: 'hash', progress: 1 }))).toBeLessThan(jobOverall(job({ kind: 'models.load', phase: 'model', progress: 0.1 })));
    expect(jobOverall(job({ state: 'done', phase: 'read', progress: 0.5 }))).toBe(1); // a dry run ends after reading
    // A model import and a verify count the bytes of all their files in every step.
    expect(jobOverall(job({ kind: 'models.import', phase: 'copy', progress: 0.6 }))).toBeCloseTo(0.6);
    expect(jobOverall(job({ kind: 'models.verify', phase: 'hash', progress: 0.8 }))).toBeCloseTo(0.8);
    expect(jobOverall(job({ kind: 'eval.run', phase: 'answer', progress: 0.3 }))).toBeCloseTo(0.3); // answers of all its targets
    expect(jobOverall(job({ kind: 'dataset.build', phase: 'build', progress: 0.4 }))).toBeCloseTo(0.4);
  });
});
