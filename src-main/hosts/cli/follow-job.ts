import type { EventPayload, Job, JobKind } from '../../contract/index.js';
import type { Core } from '../../core/core.js';

/**
 * Shows a job's progress on stderr and turns the first Ctrl+C into `jobs.cancel` (the job then
 * ends CANCELLED, leaving nothing half-copied); a second Ctrl+C ends the command at once.
 */
export function followJob(core: Core, kind: JobKind, show: boolean, describe: (job: Job) => string): () => void {
  const tty = process.stderr.isTTY;
  const running = new Set<string>();
  let shown = '';
  const unsubscribe = core.subscribe((event, payload) => {
    if (event !== 'job.progress') return;
    const job = payload as EventPayload<'job.progress'>;
    if (job.kind !== kind) return;
    if (job.state === 'running') running.add(job.id);
    else running.delete(job.id);
    if (!show || job.state !== 'running' || job.phase === 'start') return;
    const percent = Math.floor(job.progress * 100);
    // Piped output gets a line per quarter, not one per percent.
    const text = `${describe(job)} ${tty ? percent : Math.floor(percent / 25) * 25}%`;
    if (text === shown) return;
    shown = text;
    process.stderr.write(tty ? `\r${text}\u001b[K` : `${text}\n`);
  });
  const cancel = () => {
    process.stderr.write(`${tty ? '\n' : ''}正在取消……（再按一次 Ctrl+C 立即退出）\n`);
    for (const id of running) void core.api.jobs.cancel({ id });
  };
  process.once('SIGINT', cancel);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    process.off('SIGINT', cancel);
    if (show && tty && shown) process.stderr.write('\n');
  };
}
