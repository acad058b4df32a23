import type { GoldItemScore } from '$contract';

/** A piece of an answer: plain text, or where a gold item was found (`item`). */
export interface AnswerPiece {
  text: string;
  item: string | null;
}

/**
 * An answer cut where the scoring found gold items (their UTF-16 spans), for `<mark>`s. Spans of
 * different items may overlap (高血压 inside 高血压病): the earlier one keeps the overlap.
 */
export function answerPieces(answer: string, items: readonly GoldItemScore[]): AnswerPiece[] {
  const spans = items
    .flatMap((score) => score.spans.map(([start, end]) => ({ start: Math.max(0, start), end: Math.min(answer.length, end), item: score.item })))
    .filter((span) => span.end > span.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const pieces: AnswerPiece[] = [];
  let at = 0;
  for (const span of spans) {
    const start = Math.max(span.start, at);
    if (span.end <= start) continue;
    if (start > at) pieces.push({ text: answer.slice(at, start), item: null });
    pieces.push({ text: answer.slice(start, span.end), item: span.item });
    at = span.end;
  }
  if (at < answer.length) pieces.push({ text: answer.slice(at), item: null });
  return pieces;
}
