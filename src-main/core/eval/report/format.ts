import type { CriteriaKind, EvalRunState, EvalScores, EvalSetFormat, HitVia, Rate } from '../../../contract/index.js';

/** Names and numbers as every report format writes them, so the HTML, the CSV and the charts agree. */

export type Criterion = keyof EvalScores;

/** A set's criteria in the order reports show them: QiZhen's three, or a choice set's accuracy. */
export const CRITERIA: Record<EvalSetFormat, readonly { key: Criterion; label: string }[]> = {
  criteria: [
    { key: 'any', label: '至少命中一项' },
    { key: 'half', label: '命中至少一半' },
    { key: 'twoThirds', label: '命中至少三分之二' },
  ],
  choice: [{ key: 'correct', label: '正确率' }],
};

export const KIND_LABELS: Record<CriteriaKind | 'choice', string> = {
  // The same names the Eval pane shows (i18n eval.kind.*).
  'drug-indication': '药品适应病症',
  'drug-contraindication': '药品禁忌',
  'disease-symptom': '疾病临床表现',
  'disease-exam': '疾病检查',
  'disease-drug': '疾病治疗药物',
  choice: '选择题',
};

export const STATE_LABELS: Record<EvalRunState, string> = { running: '进行中', done: '已完成', interrupted: '已中断', failed: '失败' };

export const VIA_LABELS: Record<HitVia, string> = { name: '名称', synonym: '同义词', head: '中心词' };

/** 66.7 % */
export function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

/** 45.2–82.1 % */
export function interval(rate: Rate): string {
  return `${(rate.low * 100).toFixed(1)}–${(rate.high * 100).toFixed(1)} %`;
}

const DATE_TIME = new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const DATE = new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit' });

/** 2026/12/07 10:30, in the workstation's local time (the clock the doctor saw). */
export const localDateTime = (ms: number): string => DATE_TIME.format(ms);
export const localDay = (ms: number): string => DATE.format(ms);
