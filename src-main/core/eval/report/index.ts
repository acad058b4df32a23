import type { z } from 'zod';
import type { EvalReportFormat, EvalRunDetail, EvalRunSummary, evalMethods } from '../../../contract/index.js';
import { runCsv } from './csv.js';
import { runHtml } from './html.js';

/** A run as a file to save: a page to read and print (HTML), a table (CSV), or the data itself (JSON). */

export type EvalReport = z.infer<(typeof evalMethods)['eval.report']['output']>;

/** Bumped when the JSON report's shape changes, so a script reading old files can tell. */
export const EVAL_REPORT_SCHEMA_VERSION = 1;

const MIME: Record<EvalReportFormat, string> = {
  html: 'text/html; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

const NAME_CHARS = 60;

/** The run's name as part of a file name valid on Windows too: no reserved characters, no trailing dot or space. */
function safeName(name: string): string {
  const cleaned = name.replace(/[<>:"/\\|?*\u0000-\u001f\u007f\s]+/gu, '_').replace(/^[_.]+|[_.]+$/g, '');
  // Cut by code point, so a character outside the BMP is never split in half.
  return Array.from(cleaned).slice(0, NAME_CHARS).join('').replace(/[_.]+$/, '') || 'run';
}

/** 20261207, in local time: the day the run started, so the same run always saves under the same name. */
function day(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

/** `history`: earlier runs of the same set, oldest first; with two or more, the HTML charts the runs over time. */
export function evalReport(run: EvalRunDetail, format: EvalReportFormat, history: readonly EvalRunSummary[] = []): EvalReport {
  const now = Date.now();
  const content =
    format === 'html' ? runHtml(run, history, now)
    : format === 'csv' ? runCsv(run)
    : `${JSON.stringify({ schemaVersion: EVAL_REPORT_SCHEMA_VERSION, generatedAt: new Date(now).toISOString(), ...run }, null, 2)}\n`;
  return { fileName: `eval-${safeName(run.name)}-${day(run.createdAt)}.${format}`, mime: MIME[format], content };
}
