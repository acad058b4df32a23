import type { KbEntry, KbEntryRef, KbIntent } from '../../contract/index.js';
import { detectIntent, intentSpans, intentType } from './intent.js';
import type { NameHit, NameIndex, NameKind, NameMatch } from './name-index.js';
import { normalizeName, stripDosageForm } from './names.js';

export interface RecognizedEntity extends KbEntryRef {
  matchedBy: NameKind | 'fuzzy';
  /** The words of the question that named it. */
  surface: string;
}

export interface Recognition {
  question: string;
  intent: KbIntent;
  entities: RecognizedEntity[];
  /** Non-empty when a name in the question denotes genuinely different entries. */
  choices: KbEntryRef[];
}

/** What retrieval hands to an answer: the recognition and the matched entries with their facts. */
export interface Retrieval extends Recognition {
  entries: KbEntry[];
}

const MASK = '\uE000';
/** Where a name cannot continue: punctuation, masks, and the filler words of a question. */
const FILLER = /[\uE000\p{P}\p{S}\s]+|是什么|有哪些|什么|哪些|请问|一下|需要|能否|能不能|可以|可不可以|怎么|如何|应该|[的吗呢吧啊和与跟及同有]/u;

/**
 * Finds the entries a question names and what it asks about them: names by leftmost-longest match
 * (outside the intent's own words), the intent on the question with those names masked, and, when
 * no name matched exactly, names one character off in what is left of the question.
 */
export function recognize(index: NameIndex, question: string): Recognition {
  // Spaces between Latin words become a wall, so an alias like "AS" is not found in "a story".
  const text = normalizeName(question.replace(/(?<=[\p{Script=Latin}\d])\s+(?=[\p{Script=Latin}\d])/gu, MASK));
  const spans = intentSpans(text);
  const insideIntentWords = (start: number, end: number): boolean => spans.some(([a, b]) => start >= a && end <= b);
  let matches: Array<NameMatch & { fuzzy?: boolean }> = index.scan(text, (s, e) => !insideIntentWords(s, e));
  const intent = detectIntent(mask(text, matches.map((m) => [m.start, m.end])));
  if (matches.length === 0) matches = fuzzyMatches(index, mask(text, spans));

  const entities = new Map<string, RecognizedEntity>();
  const choices = new Map<string, KbEntryRef>();
  for (const match of matches) {
    const candidates = resolve(index, match.hits, intent);
    if (candidates.length > 1) {
      for (const hit of candidates) choices.set(hit.id, index.entries.get(hit.id)!);
      continue;
    }
    const hit = candidates[0]!;
    if (entities.has(hit.id)) continue;
    entities.set(hit.id, { ...index.entries.get(hit.id)!, matchedBy: match.fuzzy ? 'fuzzy' : hit.kind, surface: text.slice(match.start, match.end) });
  }
  return { question, intent, entities: [...entities.values()], choices: [...choices.values()] };
}

/**
 * One name, several entries: a primary name beats aliases, then the intent's type decides
 * (症状 → a disease); whatever is left is a genuine ambiguity.
 */
function resolve(index: NameIndex, hits: NameHit[], intent: KbIntent): NameHit[] {
  const ids = new Map<string, NameHit>();
  for (const hit of hits) if (!ids.has(hit.id)) ids.set(hit.id, hit);
  let candidates = [...ids.values()];
  if (candidates.length < 2) return candidates;
  const primary = candidates.filter((h) => h.kind === 'name');
  if (primary.length === 1) return primary;
  if (primary.length > 1) candidates = primary;
  const type = intentType(intent);
  const ofType = type ? candidates.filter((h) => index.entries.get(h.id)?.type === type) : [];
  return ofType.length === 1 ? ofType : candidates;
}

function mask(text: string, spans: Array<[number, number]>): string {
  const chars = text.split('');
  for (const [start, end] of spans) chars.fill(MASK, start, end);
  return chars.join('');
}

/** Fuzzy matching is for a typed question; a pasted record of this length names its entries exactly. */
const MAX_FUZZY_QUESTION = 200;
const MAX_FUZZY_WINDOW = 24;

/** Per stretch of the question between fillers, the longest window that is one character off a name. */
function fuzzyMatches(index: NameIndex, masked: string): Array<NameMatch & { fuzzy: true }> {
  if (masked.length > MAX_FUZZY_QUESTION) return [];
  const out: Array<NameMatch & { fuzzy: true }> = [];
  const re = new RegExp(FILLER.source, 'gu');
  let start = 0;
  const stretches: Array<[number, number]> = [];
  for (const m of masked.matchAll(re)) {
    stretches.push([start, m.index]);
    start = m.index + m[0].length;
  }
  stretches.push([start, masked.length]);
  for (const [from, to] of stretches) {
    const found = longestFuzzy(index, masked, from, to);
    if (found) out.push(found);
  }
  return out;
}

/**
 * One wrong character in three is a third of the name: a three-character name is only tried
 * against a whole stretch (利君沙 must not match inside 利伐沙班片), longer ones anywhere in it.
 */
function longestFuzzy(index: NameIndex, text: string, from: number, to: number): (NameMatch & { fuzzy: true }) | null {
  const whole = to - from;
  const worth = (name: string): boolean => name.length >= 4 || name.length === whole || name.length === stripDosageForm(text.slice(from, to)).length;
  for (let length = Math.min(whole, MAX_FUZZY_WINDOW); length >= 3; length--) {
    for (let start = from; start + length <= to; start++) {
      const window = text.slice(start, start + length);
      const bare = stripDosageForm(window);
      const found = [...(worth(window) ? index.fuzzy(window) : []), ...(bare !== window && worth(bare) && length === whole ? index.fuzzy(bare) : [])];
      if (found.length) return { start, end: start + length, norm: window, hits: found.flatMap((f) => f.hits), fuzzy: true };
    }
  }
  return null;
}
