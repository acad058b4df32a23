import type { AppState } from '../../state/app.svelte.js';
import { EVAL_PANELS, type EvalPanel } from '../../state/eval.svelte.js';
import { isModKey } from '../../ui/focus.js';
import type { Pane } from '../pane.js';
import EvalSide from './EvalSide.svelte';

/** Keys typed into a field, a choice or a tab are theirs, not the review's. */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || ['tab', 'radio'].includes(target.getAttribute('role') ?? '');
}

/** In the review: j/k or the arrows move between cases, Ctrl+S saves the case shown. */
function reviewKey(event: KeyboardEvent, app: AppState): boolean {
  const { review } = app.evaluation;
  if (isModKey(event, 's')) {
    event.preventDefault();
    if (!document.querySelector('dialog[open]')) void review.save();
    return true;
  }
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing || typing(event.target) || document.querySelector('dialog[open]')) return false;
  const step = event.key === 'j' || event.key === 'ArrowDown' ? 1 : event.key === 'k' || event.key === 'ArrowUp' ? -1 : 0;
  if (step === 0) return false;
  event.preventDefault();
  review.move(step);
  return true;
}

/**
 * Evaluation: the sets (made from the knowledge base or imported), runs against one to three
 * targets with their live progress, a run's report with the chart across runs of its set, and the
 * case-by-case review. The runs in the sidebar. Address: `#/eval/<sets|runs>`,
 * `#/eval/report/<runId>`, `#/eval/review/<runId>`.
 */
export const evalPane: Pane = {
  id: 'eval',
  label: 'eval.nav',
  sideLabel: 'eval.side.label',
  testid: 'eval-tab',
  icon: 'M2.5 13.5h11 M4.5 11.5v-4 M8 11.5v-8 M11.5 11.5v-5.5',
  main: { load: () => import('./Eval.svelte') },
  side: EvalSide,

  onShow: (app) => void app.evaluation.init(),
  path({ evaluation }) {
    const { panel, view } = evaluation;
    if (view.loading) return undefined;
    if (panel === 'report' || panel === 'review') return view.id ? `${panel}/${encodeURIComponent(view.id)}` : undefined;
    return panel;
  },
  async open({ evaluation }, path) {
    const [first = '', ...rest] = path.split('/');
    const panel: EvalPanel = EVAL_PANELS.find((p) => p === first) ?? 'sets';
    await evaluation.init();
    const id = rest.length ? decodeURIComponent(rest.join('/')) : null;
    if ((panel === 'report' || panel === 'review') && id !== null && evaluation.view.id !== id) await evaluation.openRun(id, panel);
    else evaluation.showPanel(panel);
  },

  onKey(event, app) {
    if (app.view !== 'eval' || app.evaluation.panel !== 'review') return false;
    return reviewKey(event, app);
  },
};
