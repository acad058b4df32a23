import type { KbEntryRef } from '../../contract/index.js';
import type { IndexNameRow } from './kb-store.js';
import { dosageSuffixAt, normalizeName } from './names.js';

export type NameKind = 'name' | 'alias' | 'brand';

export interface NameHit {
  id: string;
  kind: NameKind;
}

export interface NameMatch {
  /** Code-unit offsets in the normalised text. */
  start: number;
  end: number;
  /** The normalised name that matched (without a dosage-form suffix that followed it). */
  norm: string;
  hits: NameHit[];
}

const KIND_ORDER: Record<NameKind, number> = { name: 0, alias: 1, brand: 2 };
/** Shorter names are too often ordinary words (and one wrong character in two is half the name). */
const MIN_SCAN_LENGTH = 2;
const MIN_FUZZY_LENGTH = 3;
const MAX_FUZZY_LENGTH = 24;
const WILDCARD = '\u0000';

const isLatin = (char: string | undefined): boolean => char !== undefined && /[a-z0-9]/.test(char);

/**
 * Every name, alias, brand and generic key of the base, in memory: question understanding must
 * not touch SQLite for each of the question's substrings. Lookups are by exact normalised name;
 * scanning is leftmost-longest with candidate lengths indexed per first character; one wrong
 * character is found through a substitution index ("非布?他") built on first use.
 */
export class NameIndex {
  readonly entries = new Map<string, KbEntryRef>();
  readonly #byNorm = new Map<string, NameHit[]>();
  readonly #lengthsByFirst = new Map<string, number[]>();
  #wildcards: Map<string, string | string[]> | null = null;

  static build(rows: Iterable<IndexNameRow>): NameIndex {
    const index = new NameIndex();
    for (const row of rows) {
      if (!index.entries.has(row.id)) {
        index.entries.set(row.id, { id: row.id, type: row.type, name: row.entity_name });
        index.#add(normalizeName(row.entity_name), { id: row.id, kind: 'name' });
        index.#add(row.entity_key, { id: row.id, kind: 'name' });
      }
      index.#add(normalizeName(row.name), { id: row.id, kind: row.kind });
    }
    for (const lengths of index.#lengthsByFirst.values()) lengths.sort((a, b) => b - a);
    return index;
  }

  #add(norm: string, hit: NameHit): void {
    if (!norm) return;
    const hits = this.#byNorm.get(norm);
    if (!hits) {
      this.#byNorm.set(norm, [hit]);
      const lengths = this.#lengthsByFirst.get(norm[0]!) ?? [];
      if (!lengths.includes(norm.length)) lengths.push(norm.length);
      this.#lengthsByFirst.set(norm[0]!, lengths);
      return;
    }
    const same = hits.find((h) => h.id === hit.id);
    if (!same) hits.push(hit);
    else if (KIND_ORDER[hit.kind] < KIND_ORDER[same.kind]) same.kind = hit.kind;
  }

  /** Exact lookup of a normalised name. */
  lookup(norm: string): NameHit[] {
    return this.#byNorm.get(norm) ?? [];
  }

  /**
   * Leftmost-longest names in normalised text. A drug name swallows a dosage form that follows
   * it (利伐沙班片); `allowed` can veto a span (the words of the question's intent).
   */
  scan(text: string, allowed: (start: number, end: number) => boolean = () => true): NameMatch[] {
    const out: NameMatch[] = [];
    for (let i = 0; i < text.length; ) {
      const match = this.#longestAt(text, i, allowed);
      if (!match) {
        i += 1;
        continue;
      }
      const isDrug = match.hits.some((h) => this.entries.get(h.id)?.type === 'drug');
      match.end += isDrug ? dosageSuffixAt(text, match.end) : 0;
      out.push(match);
      i = match.end;
    }
    return out;
  }

  #longestAt(text: string, start: number, allowed: (start: number, end: number) => boolean): NameMatch | null {
    // A Latin name starts and ends on a word boundary: "hiv" is not in "hive".
    if (isLatin(text[start]) && isLatin(text[start - 1])) return null;
    for (const length of this.#lengthsByFirst.get(text[start]!) ?? []) {
      if (length < MIN_SCAN_LENGTH || start + length > text.length) continue;
      if (isLatin(text[start + length - 1]) && isLatin(text[start + length])) continue;
      const norm = text.slice(start, start + length);
      const hits = this.#byNorm.get(norm);
      if (hits && allowed(start, start + length)) return { start, end: start + length, norm, hits };
    }
    return null;
  }

  /** Names that differ from `text` in exactly one character (the same length). */
  fuzzy(text: string): Array<{ norm: string; hits: NameHit[] }> {
    if (text.length < MIN_FUZZY_LENGTH || text.length > MAX_FUZZY_LENGTH) return [];
    const wildcards = (this.#wildcards ??= this.#buildWildcards());
    const found = new Set<string>();
    for (let j = 0; j < text.length; j++) {
      const names = wildcards.get(text.slice(0, j) + WILDCARD + text.slice(j + 1));
      if (names === undefined) continue;
      for (const norm of typeof names === 'string' ? [names] : names) if (norm !== text) found.add(norm);
    }
    return [...found].map((norm) => ({ norm, hits: this.lookup(norm) }));
  }

  // Built on the first fuzzy lookup: most questions name their entities exactly.
  #buildWildcards(): Map<string, string | string[]> {
    const map = new Map<string, string | string[]>();
    for (const norm of this.#byNorm.keys()) {
      if (norm.length < MIN_FUZZY_LENGTH || norm.length > MAX_FUZZY_LENGTH) continue;
      for (let j = 0; j < norm.length; j++) {
        const key = norm.slice(0, j) + WILDCARD + norm.slice(j + 1);
        const existing = map.get(key);
        if (existing === undefined) map.set(key, norm);
        else if (typeof existing === 'string') map.set(key, [existing, norm]);
        else existing.push(norm);
      }
    }
    return map;
  }
}
