/**
 * Durations as spoken: 三天, 2周, 半年, 十余年, 一个多月, 3年余, 两三天, 一个星期. Kept as the words
 * used (the record quotes them); only their position matters for attaching them to a finding.
 */

const NUMBER = '(?:\\d+(?:\\.\\d+)?|[一二两三四五六七八九十百几数半]+)';
const UNIT = '(?:个)?(?:多|余)?(?:个)?(?:小时|分钟|天|日|周|星期|礼拜|月|年|夜)';
const DURATION = new RegExp(`(?:近|约|大约|将近|差不多)?${NUMBER}(?:[多余来]|\\s*[-~～到至]\\s*${NUMBER})?\\s*${UNIT}(?:余|多|左右|来)?|半(?:个)?(?:小时|天|月|年)(?:多|余)?`, 'gu');

// A number of days that is a time of day or a date, not how long something has lasted.
const NOT_A_DURATION = /^(?:\d+(?:\.\d+)?|[一二三四五六七八九十]+)日$|^几(?:天|年|月)$/u;

export interface DurationSpan {
  text: string;
  start: number;
  end: number;
}

export function findDurations(text: string): DurationSpan[] {
  const spans: DurationSpan[] = [];
  for (const match of text.matchAll(DURATION)) {
    const found = match[0].trim();
    if (NOT_A_DURATION.test(found)) continue;
    spans.push({ text: found, start: match.index, end: match.index + match[0].length });
  }
  return spans;
}
