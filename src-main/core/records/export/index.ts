import type { z } from 'zod';
import type { ExportFormat, MedicalRecord, recordMethods } from '../../../contract/index.js';
import { recordBundle } from './fhir.js';
import { printedRecord } from './layout.js';
import { recordMarkdown } from './markdown.js';
import { recordText } from './text.js';
import { localDate } from './time.js';

/** A record as a file: plain text for an EMR, Markdown, or a FHIR R4 document Bundle. */

export type ExportedRecord = z.infer<(typeof recordMethods)['records.export']['output']>;

export interface ExportOptions {
  /** The app doing the export: the FHIR author of an unsigned draft is this software. */
  appVersion: string;
  /** The export's time (Bundle.timestamp); now when left out. */
  now?: number;
  /**
   * The LOINC code of a section, from the record's template (TemplateSection.loinc): records do not
   * carry it, and department templates add sections of their own. Without it sections go uncoded.
   */
  loincOf?: (key: string) => string | undefined;
}

const FILES: Record<ExportFormat, { extension: string; mime: string }> = {
  text: { extension: 'txt', mime: 'text/plain; charset=utf-8' },
  md: { extension: 'md', mime: 'text/markdown; charset=utf-8' },
  fhir: { extension: 'fhir.json', mime: 'application/fhir+json' },
};

export function exportRecord(record: MedicalRecord, format: ExportFormat, options: ExportOptions): ExportedRecord {
  const printed = printedRecord(record);
  const content =
    format === 'text' ? recordText(printed)
    : format === 'md' ? recordMarkdown(printed)
    : `${JSON.stringify(recordBundle(record, printed, { appVersion: options.appVersion, now: options.now ?? Date.now(), loincOf: options.loincOf ?? (() => undefined) }), null, 2)}\n`;
  // The id is the app's own, but a file name must be safe on every system whatever it holds.
  const fileName = `门诊病历-${localDate(record.createdAt)}-${record.id.replace(/[^A-Za-z0-9_-]/g, '_')}.${FILES[format].extension}`;
  return { format, fileName, mime: FILES[format].mime, content };
}
