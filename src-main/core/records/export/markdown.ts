import { UNSIGNED, type PrintedRecord } from './layout.js';

/**
 * Markdown with the content of the text export: a heading per section, each line of the doctor's
 * text its own paragraph, every character Markdown would read as syntax escaped so the text renders
 * exactly as written (a 37.5 stays 37.5, a "1. 阿司匹林" line stays a line, <b> stays visible).
 */

/** Punctuation that is syntax anywhere in a line (emphasis, code, links, HTML, entities, tables, strikethrough). */
const INLINE = /[\\`*_[\]<>&|~#]/g;
/** Syntax only at a line's start: block quotes, list bullets, setext and thematic lines, ordered lists. */
const LINE_START = /^(?:([+\-=])|(\d+)([.)]))/;

export function escapeMarkdown(line: string): string {
  const escaped = line.trimStart().replace(INLINE, (c) => `\\${c}`);
  return escaped.replace(LINE_START, (_all, mark: string | undefined, digits: string | undefined, dot: string | undefined) =>
    mark !== undefined ? `\\${mark}` : `${digits}\\${dot}`);
}

const paragraphs = (lines: string[]): string => lines.map(escapeMarkdown).join('\n\n');

export function recordMarkdown(printed: PrintedRecord): string {
  const blocks = [
    `# ${escapeMarkdown(printed.title)}`,
    `就诊时间：${escapeMarkdown(printed.visitTime)}\n\n科别：${escapeMarkdown(printed.department)}`,
    ...printed.sections.map((section) => `## ${escapeMarkdown(section.title)}\n\n${paragraphs(section.lines)}`),
    '---',
    printed.signature
      ? `医师签名：${escapeMarkdown(printed.signature.by)}\n\n签名时间：${escapeMarkdown(printed.signature.at)}`
      : `医师签名：${UNSIGNED}`,
    ...printed.addenda.map((addendum) => `## ${escapeMarkdown(addendum.heading)}\n\n${paragraphs(addendum.lines)}`),
  ];
  return `${blocks.join('\n\n')}\n`;
}
