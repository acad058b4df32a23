import type { KbEntryRef } from '../../../contract/index.js';
import type { IndexFactRow, IndexNameRow } from '../kb-store.js';
import { dosageSuffixAt, isLatin, lookupForm } from '../names.js';

export type NameKind = 'name' | 'alias' | 'brand';

export interface NameHit {
  id: string;
  kind: NameKind;
}

export interface NameMatch {
  /** Code-unit offsets in the text. */
  start: number;
  end: number;
  /** The name that matched, in lookup form (without a dosage-form suffix that followed it). */
  norm: string;
  hits: NameHit[];
}

/** What an entry is, for a choice the doctor reads: its class, allergy class, department. */
interface About {
  class?: string;
  allergyClass?: string[];
  department?: string;
}

const KIND_ORDER: Record<NameKind, number> = { name: 0, alias: 1, brand: 2 };
/** One-character names (痔) are found too; recognition answers them only as a whole mention. */
const MIN_SCAN_LENGTH = 1;
const MAX_NEAR_LENGTH = 24;
/** Near names offered for one name as written: enough to contain the one meant, few enough to read. */
const MAX_NEAR = 8;
const WILDCARD = '\u0000';



type Bucket = Map<string, string | string[]>;

/** Calls `each` with every pair of adjacent Han characters in the text, as one number. */
function forEachPair(text: string, each: (pair: number) => void): void {
  for (let i = 0; i + 1 < text.length; i++) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    if (a >= 0x3400 && a <= 0x9fff && b >= 0x3400 && b <= 0x9fff) each(a * 0x10000 + b);
  }
}

function put(map: Bucket, key: string, norm: string): void {
  const existing = map.get(key);
  if (existing === undefined) map.set(key, norm);
  else if (typeof existing === 'string') {
    if (existing !== norm) map.set(key, [existing, norm]);
  } else if (!existing.includes(norm)) existing.push(norm);
}

function get(map: Bucket, key: string): string[] {
  const found = map.get(key);
  return found === undefined ? [] : typeof found === 'string' ? [found] : found;
}

/**
 * Every name, alias, brand and generic key of the base, in memory: question understanding must
 * not touch SQLite for each of the question's substrings. Lookups are exact (in lookup form);
 * scanning is leftmost-longest with candidate lengths indexed per first character. Names one edit
 * away (a character changed, missing or added) are found through a substitution index ("利?平")
 * and a deletion index, built on first use: they are only ever offered as choices.
 */
export class NameIndex {
  readonly entries = new Map<string, KbEntryRef>();
  readonly #byNorm = new Map<string, NameHit[]>();
  readonly #lengthsByFirst = new Map<string, number[]>();
  readonly #about = new Map<string, About>();
  /** Every two-character piece of the facts' prose (长期, 中毒, 首选): the words sentences are made of, as two UTF-16 units in one number. */
  readonly #prose = new Set<number>();
  /** Each drug's class and allergy class, in lookup form: the few hundred entries a class term is looked up in. */
  readonly #drugClasses: Array<[string, string[]]> = [];
  #substitutions: Bucket | null = null;
  #narrower: Map<string, string[]> | null = null;
  #deletions: Bucket | null = null;

  static build(rows: Iterable<IndexNameRow>, facts: Iterable<IndexFactRow> = [], prose: Iterable<string> = [], synonyms: ReadonlyArray<{ term: string; preferred: string }> = []): NameIndex {
    const index = new NameIndex();
    for (const row of rows) {
      if (!index.entries.has(row.id)) {
        index.entries.set(row.id, { id: row.id, type: row.type, name: row.entity_name });
        index.#add(lookupForm(row.entity_name), { id: row.id, kind: 'name' });
        index.#add(lookupForm(row.entity_key), { id: row.id, kind: 'name' });
      }
      index.#add(lookupForm(row.name), { id: row.id, kind: row.kind });
    }
    // A synonym names what its preferred name names, where the base holds it and the synonym is no other name.
    for (const { term, preferred } of synonyms) {
      const hits = index.#byNorm.get(lookupForm(preferred));
      if (hits && !index.#byNorm.has(lookupForm(term))) for (const hit of hits) index.#add(lookupForm(term), { id: hit.id, kind: 'alias' });
    }
    for (const lengths of index.#lengthsByFirst.values()) lengths.sort((a, b) => b - a);
    for (const text of prose) forEachPair(text, (pair) => index.#prose.add(pair));
    // Drug names are written in prose too (沙库巴曲 in an interaction): their syllables are not prose words.
    for (const [norm, hits] of index.#byNorm) if (hits.some((h) => index.entries.get(h.id)?.type === 'drug')) forEachPair(norm, (pair) => index.#prose.delete(pair));
    for (const fact of facts) {
      const about = index.#about.get(fact.id) ?? {};
      const value = JSON.parse(fact.value) as unknown;
      if (fact.field === 'allergyClass') {
        // A drug sits in every cross-allergy group its label names.
        if (Array.isArray(value) && about.allergyClass === undefined) about.allergyClass = value.filter((v): v is string => typeof v === 'string');
      } else {
        const text = Array.isArray(value) ? (typeof value[0] === 'string' ? value[0] : undefined) : typeof value === 'string' ? value : undefined;
        const key = fact.field === 'departments' ? 'department' : fact.field;
        if (text && about[key] === undefined) about[key] = text;
      }
      index.#about.set(fact.id, about);
    }
    for (const [id, about] of index.#about) {
      // Cross-allergy groups a label names (a cephalosporin's 青霉素类) are not kinds of the drug: a group
      // counts for class membership only where the drug's own class names it.
      const own = (about.allergyClass ?? []).filter((group) => about.class?.includes(group.replace(/[类药]$/u, '')));
      const classes = [about.class, ...own].filter((c): c is string => Boolean(c)).map(lookupForm);
      if (classes.length && index.entries.get(id)?.type === 'drug') index.#drugClasses.push([id, classes]);
    }
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

  /** Exact lookup of a name in lookup form. */
  lookup(norm: string): NameHit[] {
    return this.#byNorm.get(norm) ?? [];
  }

  /**
   * Whether two characters are a word of the base's prose (长期, 中毒, 首选, 心电), as the words
   * of a sentence around a name are (洛赛克|长期吃); name syllables glued to a name are not
   * (阿莫西林|克拉维酸钾, 福尔|可定).
   */
  isProse(pair: string): boolean {
    return pair.length === 2 && this.#prose.has(pair.charCodeAt(0) * 0x10000 + pair.charCodeAt(1));
  }

  /** What an entry is, in a few words: 抗结核药 for a drug, 疾病 · 风湿免疫科 for a disease. */
  what(id: string): string {
    const entry = this.entries.get(id);
    const about = this.#about.get(id) ?? {};
    if (entry?.type === 'disease') return about.department ? `疾病 · ${about.department}` : '疾病';
    return about.class ?? about.allergyClass?.[0] ?? '药品';
  }

  /**
   * Drugs whose class or allergy class the term names: the class itself (喹诺酮 → 喹诺酮类), a class
   * named in brackets (他汀 → …（他汀类）), or the stem its members' names share (头孢 → 头孢菌素类,
   * and 头孢曲松, 头孢呋辛 … start with it). Half a word (霉素, 青霉) names no class.
   */
  classMembers(term: string): string[] {
    if (term.length < 2) return [];
    const named = this.#drugClasses.filter(([, classes]) => classes.some((c) => c === `${term}类` || c.includes(`(${term}类`)));
    const stemmed = this.#drugClasses.filter(([, classes]) => classes.some((c) => c.startsWith(term)));
    const stemOfNames = () => new Set(this.#drugClasses.filter(([id]) => lookupForm(this.entries.get(id)!.name).startsWith(term)).map(([id]) => id)).size >= 2;
    const members = named.length > 0 ? named : stemmed.length > 0 && stemOfNames() ? stemmed : [];
    return members.map(([id]) => id);
  }

  /**
   * Diseases a broader term names by the end of one of their names (糖尿病 → 2型糖尿病, 1型糖尿病,
   * 妊娠期糖尿病; 胰腺炎 → 急性胰腺炎): the kinds of it the base holds, never the term itself.
   */
  narrowerThan(term: string): string[] {
    if (term.length < 2) return [];
    return (this.#narrower ??= this.#buildNarrower()).get(term) ?? [];
  }

  #buildNarrower(): Map<string, string[]> {
    const map = new Map<string, string[]>();
    for (const [name, hits] of this.#byNorm) {
      for (const { id } of hits) {
        if (this.entries.get(id)?.type !== 'disease') continue;
        for (let start = 1; start <= name.length - 2; start++) {
          const ids = map.get(name.slice(start)) ?? [];
          if (!ids.includes(id)) ids.push(id);
          map.set(name.slice(start), ids);
        }
      }
    }
    return map;
  }

  /** Names that are `text` with one character added (妊娠期糖尿病 for 妊娠糖尿病). */
  withOneMore(text: string): NameHit[] {
    return get((this.#deletions ??= this.#buildDeletions()), text).flatMap((norm) => this.lookup(norm));
  }

  /**
   * Leftmost-longest names in lookup-form text. A drug name swallows a dosage form that follows
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

  /** Every name of two characters or more inside `text`, overlapping ones too (枸妥泰毕全 holds 妥泰 and 泰毕全). */
  namesInside(text: string): NameHit[] {
    const hits: NameHit[] = [];
    for (let start = 0; start < text.length; start++) {
      for (const length of this.#lengthsByFirst.get(text[start]!) ?? []) {
        if (length >= 2 && start + length <= text.length) hits.push(...this.lookup(text.slice(start, start + length)));
      }
    }
    return hits;
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

  /**
   * Names one edit from `text` (a character changed, missing or added), closest kinds first. A
   * two-character text meets names with a character changed only when `halfChanged` allows it:
   * one changed character in two is half the name. Latin words need four letters.
   */
  near(text: string, halfChanged = false): NameHit[] {
    const length = text.length;
    const minimum = isLatin(text[0]) ? 4 : 2;
    if (length < minimum || length > MAX_NEAR_LENGTH) return [];
    const found = new Set<string>(get((this.#deletions ??= this.#buildDeletions()), text));
    if (length >= 3 || halfChanged) {
      const substitutions = (this.#substitutions ??= this.#buildSubstitutions());
      for (let j = 0; j < length; j++) for (const norm of get(substitutions, text.slice(0, j) + WILDCARD + text.slice(j + 1))) found.add(norm);
    }
    if (length >= 3) {
      for (let j = 0; j < length; j++) {
        const shorter = text.slice(0, j) + text.slice(j + 1);
        if (this.#byNorm.has(shorter)) found.add(shorter);
      }
    }
    found.delete(text);
    return this.#hitsOf(found);
  }

  /** Names the text is one character short of (利福 of 利福平, 格列 of 格列卫): the text cut short, not mistyped. */
  cutShortOf(text: string): NameHit[] {
    if (text.length < 2 || text.length > MAX_NEAR_LENGTH) return [];
    return this.#hitsOf(new Set(get((this.#deletions ??= this.#buildDeletions()), text)));
  }

  #hitsOf(norms: Set<string>): NameHit[] {
    const hits = new Map<string, NameHit>();
    for (const norm of norms) for (const hit of this.lookup(norm)) if (!hits.has(hit.id) || KIND_ORDER[hit.kind] < KIND_ORDER[hits.get(hit.id)!.kind]) hits.set(hit.id, hit);
    return [...hits.values()].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind]).slice(0, MAX_NEAR);
  }

  #names(): string[] {
    return [...this.#byNorm.keys()].filter((norm) => norm.length >= 2 && norm.length <= MAX_NEAR_LENGTH + 1);
  }

  // "利?平" → 利福平: built on the first near lookup, as most questions name their entries exactly.
  #buildSubstitutions(): Bucket {
    const map: Bucket = new Map();
    for (const norm of this.#names()) for (let j = 0; j < norm.length; j++) put(map, norm.slice(0, j) + WILDCARD + norm.slice(j + 1), norm);
    return map;
  }

  // "利平" → 利福平: each name with one character left out.
  #buildDeletions(): Bucket {
    const map: Bucket = new Map();
    for (const norm of this.#names()) if (norm.length >= 3) for (let j = 0; j < norm.length; j++) put(map, norm.slice(0, j) + norm.slice(j + 1), norm);
    return map;
  }
}
