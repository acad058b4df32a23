/**
 * The form answers and gold items are compared in: NFKC (full width → ordinary), lowercase,
 * punctuation, spaces and citation markers ([1]) dropped, 综合症 written 综合征. NFKC may change a
 * character's length (㎎ → mg) and dropping changes offsets, so every kept character remembers the
 * span of the original text it came from: a match maps back to UTF-16 offsets of the answer.
 */
export interface MatchText {
  /** The compared form. */
  text: string;
  /** Per character of `text`: where its source starts and ends in the original. */
  from: Int32Array;
  to: Int32Array;
  /** Per character of `text`: something was dropped right before it (a space, a mark, [1]), or it is the first. */
  gapBefore: Uint8Array;
}

// Citation markers of knowledge-mode answers ([1], [1,2], [2-3]) say nothing about the content.
const CITATION = /\[\d+(?:\s*[,，、\-–]\s*\d+)*\]/gu;
const DROPPED = /[\p{P}\p{S}\p{Z}\p{C}\s]/u;
const COMBINING = /\p{M}/u;

const isCjk = (code: number): boolean => code >= 0x4e00 && code <= 0x9fff;

export function matchText(original: string): MatchText {
  let units = new Uint16Array(original.length);
  let from = new Int32Array(original.length);
  let to = new Int32Array(original.length);
  let gaps = new Uint8Array(original.length);
  let length = 0;
  let gap = 1;
  const citations = [...original.matchAll(CITATION)].map((m) => [m.index, m.index + m[0].length] as const);
  let citation = 0;
  for (let i = 0; i < original.length; ) {
    const next = citations[citation];
    if (next && i >= next[0]) {
      gap = 1;
      i = next[1];
      citation += 1;
      continue;
    }
    const code = original.charCodeAt(i);
    if (code >= 0x80 ? isCjk(code) : (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a)) {
      // The common case, stable under NFKC (and lowercased by one bit): no normalize() call.
      units[length] = code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
      from[length] = i;
      to[length] = i + 1;
      gaps[length] = gap;
      gap = 0;
      length += 1;
      i += 1;
    } else if (code < 0x80) {
      gap = 1;
      i += 1;
    } else {
      // A base character with its combining marks normalises as one (e + ́ → é).
      let end = i + (code >= 0xd800 && code <= 0xdbff && (original.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1);
      while (end < original.length && COMBINING.test(original[end]!)) end += 1;
      const normal = end === i + 1 ? normalizedUnit(code) : normalized(original.slice(i, end));
      if (length + normal.length > units.length) {
        // NFKC lengthened something (㎎ → mg): rare, so the buffers grow only then.
        const size = units.length * 2 + normal.length;
        units = grown(units, new Uint16Array(size));
        from = grown(from, new Int32Array(size));
        to = grown(to, new Int32Array(size));
        gaps = grown(gaps, new Uint8Array(size));
      }
      for (const unit of normal) {
        if (unit === GAP) {
          gap = 1;
          continue;
        }
        units[length] = unit;
        from[length] = i;
        to[length] = end;
        gaps[length] = gap;
        gap = 0;
        length += 1;
      }
      i = end;
    }
  }
  const text = UTF16.decode(units.subarray(0, length)).replace(/综合症/gu, '综合征');
  return { text, from: from.subarray(0, length), to: to.subarray(0, length), gapBefore: gaps.subarray(0, length) };
}

const UTF16 = new TextDecoder('utf-16le');

function grown<T extends Uint16Array | Int32Array | Uint8Array>(old: T, bigger: T): T {
  bigger.set(old);
  return bigger;
}

/** A dropped character in a normalised sequence. */
const GAP = -1;

/** The code units `chars` normalise to, GAP for each character dropped. */
function normalized(chars: string): number[] {
  const units: number[] = [];
  for (const char of chars.normalize('NFKC').toLowerCase()) {
    if (DROPPED.test(char)) units.push(GAP);
    else for (let unit = 0; unit < char.length; unit += 1) units.push(char.charCodeAt(unit));
  }
  return units;
}

// Answers repeat their punctuation (，、。：) and few other characters: each is normalised once.
const SINGLE = new Map<number, number[]>();
function normalizedUnit(code: number): number[] {
  let units = SINGLE.get(code);
  if (!units) SINGLE.set(code, (units = normalized(String.fromCharCode(code))));
  return units;
}

/** Only the compared form: for gold items, their synonyms and option texts. */
export const matchForm = (term: string): string => matchText(term).text;
