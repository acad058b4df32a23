import { MARK_END, MARK_START } from '../../contract/index.js';
import { matchRanges, segment, type Piece } from './segment.js';

export const SNIPPET_CHARS = 60;
/** Characters of context kept before the first match. */
const LEAD_CHARS = 20;
const ELLIPSIS = '…';

/**
 * A one-line passage of the ORIGINAL text (not the segmented index text) of about `width`
 * characters around the first match, matched terms marked, "…" where the text was cut.
 * Control characters (line breaks, and any stray U+0001/U+0002) become spaces, spaces collapse.
 */
export function makeSnippet(text: string, pieces: readonly Piece[], width: number = SNIPPET_CHARS): string {
  const chars = Array.from(text); // code points: a cut never splits a surrogate pair
  const ranges = matchRanges(segment(text), pieces);
  const first = ranges[0];

  let start = first ? Math.max(0, first[0] - LEAD_CHARS) : 0;
  const end = Math.min(chars.length, start + width);
  start = Math.max(0, Math.min(start, end - width));

  const opens = new Set<number>();
  const closes = new Set<number>();
  for (const [a, b] of ranges) {
    const from = Math.max(a, start);
    const to = Math.min(b, end);
    if (from >= to) continue;
    opens.add(from);
    closes.add(to);
  }

  let out = start > 0 ? ELLIPSIS : '';
  let lastWasSpace = true; // drops leading whitespace
  for (let i = start; i < end; i++) {
    if (closes.has(i)) out += MARK_END;
    if (opens.has(i)) out += MARK_START;
    const c = /[\p{Cc}\s]/u.test(chars[i]!) ? ' ' : chars[i]!;
    if (c === ' ' && lastWasSpace) continue;
    out += c;
    lastWasSpace = c === ' ';
  }
  if (closes.has(end)) out += MARK_END;
  out = out.trimEnd(); // marks never follow a space: a match ends on a letter
  return end < chars.length ? out + ELLIPSIS : out;
}
