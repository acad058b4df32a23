import { sectionText, type MedicalRecord } from '../../../contract/index.js';
import { localMinute } from './time.js';

/**
 * What every export prints, in order: the header (kind, 就诊时间, 科别), the sections in the record's
 * order, the signature, then the addenda. Text, Markdown and the FHIR narrative all lay out this one
 * view, so they cannot disagree about what the record says.
 */

export const NOT_FILLED = '（未填写）';
export const UNSIGNED = '（未签名草稿）';

export interface PrintedSection {
  key: string;
  title: string;
  /** Non-empty lines, without line-end characters. */
  lines: string[];
}

export interface PrintedAddendum {
  /** 补充记录（2026-12-07 10:30，张医生） */
  heading: string;
  author: string;
  createdAt: number;
  lines: string[];
}

export interface PrintedRecord {
  /** 门诊病历（初诊） */
  title: string;
  visitTime: string;
  department: string;
  /** Empty sections are left out unless required, which print as （未填写）. */
  sections: PrintedSection[];
  /** Null until the record is signed. */
  signature: { by: string; at: string; atMs: number } | null;
  addenda: PrintedAddendum[];
}

/** Lines of a text, whatever line ends it was typed with, blank lines dropped. */
export function textLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).map((line) => line.trimEnd()).filter((line) => line.trim() !== '');
}

export function printedRecord(record: MedicalRecord): PrintedRecord {
  const sections: PrintedSection[] = [];
  for (const section of record.sections) {
    const lines = textLines(sectionText(section));
    if (lines.length > 0) sections.push({ key: section.key, title: section.title, lines });
    else if (section.required) sections.push({ key: section.key, title: section.title, lines: [NOT_FILLED] });
  }
  const { signedBy, signedAt } = record;
  const signed = record.state === 'signed' && signedBy !== null && signedAt !== null;
  return {
    title: `门诊病历（${record.kind}）`,
    visitTime: localMinute(record.createdAt),
    department: record.department,
    sections,
    signature: signed ? { by: signedBy, at: localMinute(signedAt), atMs: signedAt } : null,
    addenda: record.addenda.map((addendum) => ({
      heading: `补充记录（${localMinute(addendum.createdAt)}，${addendum.author}）`,
      author: addendum.author,
      createdAt: addendum.createdAt,
      lines: textLines(addendum.text),
    })),
  };
}
