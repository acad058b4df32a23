import { UNSIGNED, type PrintedRecord } from './layout.js';

/**
 * Plain text for pasting into a hospital EMR: no markup, LF line ends only, one `标题：内容` paragraph
 * per section so each lands in the EMR field of the same name.
 */
export function recordText(printed: PrintedRecord): string {
  const labelled = (label: string, lines: string[]): string => [`${label}：${lines[0] ?? ''}`, ...lines.slice(1)].join('\n');
  const blocks = [
    [printed.title, `就诊时间：${printed.visitTime}`, `科别：${printed.department}`].join('\n'),
    printed.sections.map((section) => labelled(section.title, section.lines)).join('\n'),
    printed.signature ? `医师签名：${printed.signature.by}\n签名时间：${printed.signature.at}` : `医师签名：${UNSIGNED}`,
    ...printed.addenda.map((addendum) => labelled(addendum.heading, addendum.lines)),
  ];
  return `${blocks.filter((block) => block !== '').join('\n\n')}\n`;
}
