/**
 * Segmentation for full-text search of Chinese and Latin text.
 *
 * FTS5's unicode61 tokenizer keeps a whole CJK run as one token and trigram cannot match
 * two-character terms (痛风, 头晕), so we index a segmented shadow text instead, in two columns:
 *   uni: every CJK character           → one-character queries (痛)
 *   bi:  overlapping CJK bigrams, plus Latin/digit words, lowercased, without diacritics
 * A query is segmented the same way: a CJK run of n ≥ 2 characters becomes the phrase of its n-1
 * bigrams in `bi` (adjacent positions = the exact substring); one character looks in `uni`; a word
 * looks in `bi`. Pieces are ANDed. Tokens contain letters and digits only, and every piece is
 * quoted, so nothing a user types can become FTS syntax.
 */

/** A searchable piece of text; start/end are code-point offsets in the ORIGINAL text. */
export interface Unit {
  kind: 'cjk' | 'word';
  norm: string;
  start: number;
  end: number;
  /** CJK units sharing a run number were contiguous; -1 for words. */
  run: number;
}

export type Piece = { kind: 'cjk'; chars: string[] } | { kind: 'word'; norm: string };

/**
 * Written into `bi` after each CJK run, so a phrase cannot join the bigrams of two runs that
 * punctuation separates ("痛风，风湿" must not match 痛风风湿). A private-use character: the
 * segmenter never emits one, so no query can contain it.
 */
export const RUN_BOUNDARY = '\uE000';

const CJK = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const MARK = /\p{M}/u;

/** Lowercase, fold diacritics (é → e), keep letters and digits only. */
function normalizeWord(word: string): string {
  return word.toLowerCase().normalize('NFD').replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * Splits text into CJK characters and words. NFKC first, so full-width Ａ/１ and half-width ｶﾅ
 * match their ordinary forms; CJK punctuation, symbols and emoji separate units and are dropped.
 */
export function segment(text: string): Unit[] {
  const units: Unit[] = [];
  let run = 0;
  let inCjk = false;
  let word = '';
  let wordStart = 0;
  let wordEnd = 0;
  const flushWord = (): void => {
    if (!word) return;
    const norm = normalizeWord(word);
    if (norm) units.push({ kind: 'word', norm, start: wordStart, end: wordEnd, run: -1 });
    word = '';
  };

  let at = 0;
  for (const original of text) {
    for (const c of original.normalize('NFKC')) {
      if (LETTER_OR_DIGIT.test(c) && CJK.test(c)) {
        flushWord();
        if (!inCjk) run += 1;
        inCjk = true;
        units.push({ kind: 'cjk', norm: c, start: at, end: at + 1, run });
      } else if (LETTER_OR_DIGIT.test(c) || (word && MARK.test(c))) {
        if (!word) wordStart = at;
        inCjk = false;
        word += c;
        wordEnd = at + 1;
      } else if (MARK.test(c)) {
        // A mark after a CJK character (an ideographic variation selector) keeps the run whole.
      } else {
        flushWord();
        inCjk = false;
      }
    }
    at += 1;
  }
  flushWord();
  return units;
}

/** The two shadow columns written to `messages_fts` for one text. */
export function indexColumns(text: string): { uni: string; bi: string } {
  const units = segment(text);
  const uni: string[] = [];
  const bi: string[] = [];
  units.forEach((u, i) => {
    if (u.kind === 'word') {
      bi.push(u.norm);
      return;
    }
    uni.push(u.norm);
    const next = units[i + 1];
    const prev = units[i - 1];
    if (next?.kind === 'cjk' && next.run === u.run) bi.push(u.norm + next.norm);
    else if (prev?.kind === 'cjk' && prev.run === u.run) bi.push(RUN_BOUNDARY);
  });
  return { uni: uni.join(' '), bi: bi.join(' ') };
}

/** The distinct pieces of a query: CJK runs and words, in order of appearance. */
export function queryPieces(query: string): Piece[] {
  const pieces: Piece[] = [];
  const seen = new Set<string>();
  const add = (piece: Piece): void => {
    const key = piece.kind === 'cjk' ? `c:${piece.chars.join('')}` : `w:${piece.norm}`;
    if (seen.has(key)) return;
    seen.add(key);
    pieces.push(piece);
  };
  let run: string[] = [];
  let runId = -1;
  for (const u of segment(query)) {
    if (u.kind === 'cjk' && u.run === runId) {
      run.push(u.norm);
      continue;
    }
    if (run.length) add({ kind: 'cjk', chars: run });
    run = [];
    runId = -1;
    if (u.kind === 'cjk') {
      run = [u.norm];
      runId = u.run;
    } else {
      add({ kind: 'word', norm: u.norm });
    }
  }
  if (run.length) add({ kind: 'cjk', chars: run });
  return pieces;
}

/** Quoted as an FTS5 string; tokens hold letters and digits only, the doubling is belt and braces. */
function phrase(tokens: string[]): string {
  return `"${tokens.join(' ').replaceAll('"', '""')}"`;
}

/** The FTS5 MATCH expression for the pieces, or null when the query has nothing searchable. */
export function ftsQuery(pieces: readonly Piece[]): string | null {
  if (pieces.length === 0) return null;
  return pieces
    .map((p) => {
      if (p.kind === 'word') return `bi : ${phrase([p.norm])}`;
      if (p.chars.length === 1) return `uni : ${phrase(p.chars)}`;
      return `bi : ${phrase(p.chars.slice(1).map((c, i) => p.chars[i] + c))}`;
    })
    .join(' AND ');
}

/** Where each piece occurs in a segmented text, as merged, sorted [start, end) code-point ranges. */
export function matchRanges(units: readonly Unit[], pieces: readonly Piece[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const piece of pieces) {
    units.forEach((u, i) => {
      if (piece.kind === 'word') {
        if (u.kind === 'word' && u.norm === piece.norm) ranges.push([u.start, u.end]);
        return;
      }
      const n = piece.chars.length;
      for (let k = 0; k < n; k++) {
        const v = units[i + k];
        if (!v || v.kind !== 'cjk' || v.run !== u.run || v.norm !== piece.chars[k]) return;
      }
      ranges.push([u.start, units[i + n - 1]!.end]);
    });
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged.at(-1);
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}
