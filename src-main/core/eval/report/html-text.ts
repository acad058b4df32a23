import type { GoldItemScore } from '../../../contract/index.js';

/**
 * Text into HTML. Everything a report prints (answers above all: model output, so hostile) goes
 * through `escapeHtml`; the only markup added to an answer is the `<mark>` around its found items.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe in element content and in quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

interface Marked { start: number; end: number; hit: boolean; items: string[] }

/** The items' spans inside the answer, sorted, overlapping ones merged (a hit wins over a negated mention). */
function markedRanges(answer: string, items: readonly GoldItemScore[]): Marked[] {
  const spans = items.flatMap((item) => (item.hit || item.negated)
    ? item.spans.map(([start, end]) => ({ start: Math.max(0, start), end: Math.min(answer.length, end), hit: item.hit, items: [item.item] }))
    : []).filter((span) => span.start < span.end).sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Marked[] = [];
  for (const span of spans) {
    const last = merged.at(-1);
    if (last !== undefined && span.start < last.end) {
      last.end = Math.max(last.end, span.end);
      last.hit ||= span.hit;
      if (!last.items.includes(span.items[0] ?? '')) last.items.push(...span.items);
    } else merged.push({ ...span, items: [...span.items] });
  }
  return merged;
}

/**
 * The answer, escaped, with each hit item's spans (UTF-16 offsets, as scoring records them) in a
 * `<mark>` and each negated mention in a `<mark class="negated">`, titled with the item it matched.
 */
export function highlightedAnswer(answer: string, items: readonly GoldItemScore[]): string {
  let html = '';
  let at = 0;
  for (const range of markedRanges(answer, items)) {
    const kind = range.hit ? '' : ' class="negated"';
    html += `${escapeHtml(answer.slice(at, range.start))}<mark${kind} title="${escapeHtml(range.items.join('、'))}">${escapeHtml(answer.slice(range.start, range.end))}</mark>`;
    at = range.end;
  }
  return html + escapeHtml(answer.slice(at));
}
