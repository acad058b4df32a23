import type { CriteriaKind, GoldItemScore, HitVia } from '../../../contract/index.js';
import { drugKey } from '../../knowledge/index.js';
import { headTerm } from './head-term.js';
import { matchForm, matchText, type MatchText } from './match-text.js';
import { negatedMentions } from './negation.js';

/**
 * QiZhen's three criteria, scored automatically: a gold item is hit when the answer mentions it,
 * not negated — by its own name, a synonym, or its head term (帕金森病 for 特发性帕金森病).
 *
 * A mention is the item's compared form anywhere in the answer's compared form (match-text.ts), so
 * a longer name containing it counts: 糖尿病 in 2型糖尿病, 二甲双胍 in 盐酸二甲双胍缓释片, and also
 * 肝炎 in 肝炎病毒检测 or 阿莫西林 in 阿莫西林克拉维酸钾 — accepted, as QiZhen's own substring scoring
 * does. Names that only look alike are not contained (高血压 / 低血压, 高血压 / 肺动脉高压). Two guards:
 * a form of one Chinese character (铁) counts only where a word ends with it, before punctuation, a
 * digit or the end (补充铁、钙, 硫酸亚铁。), never where a word goes on (铁蛋白, 补铁剂, 缺铁性贫血) —
 * Chinese words end with their head; a form starting or ending with a Latin letter or digit must
 * not continue a Latin word (CT in ACTH, 维生素B1 in 维生素B12).
 */

/** Names meaning the same as a term, the term itself first: the knowledge base's `sameAs`. */
export interface Thesaurus {
  sameAs(term: string): string[];
}

/** Best first: a hit reports the best way it was found. */
const VIA_RANK: Record<HitVia, number> = { name: 0, synonym: 1, head: 2 };

interface Form {
  text: string;
  via: HitVia;
}

interface CompiledItem {
  item: string;
  forms: Form[];
}

interface Mention {
  item: number;
  via: HitVia;
  span: [number, number];
}

/**
 * The forms each gold item is found by, worked out once per case (the thesaurus is asked here,
 * not per answer). For 'disease-drug' the gold items are drugs, compared without dosage form and
 * salt (阿莫西林胶囊 → 阿莫西林); other kinds are not, and stripping "forms" there would cut names
 * (脑血栓 is no 栓剂).
 */
export function criteriaMatcher(gold: readonly string[], kind: CriteriaKind, thesaurus: Thesaurus): (answer: string) => GoldItemScore[] {
  const drugs = kind === 'disease-drug';
  const compiled: CompiledItem[] = gold.map((item) => {
    const forms = new Map<string, HitVia>();
    const add = (name: string, via: HitVia) => {
      for (const text of new Set([matchForm(name), ...(drugs ? [matchForm(drugKey(name))] : [])])) {
        const known = forms.get(text);
        if (text && (known === undefined || VIA_RANK[via] < VIA_RANK[known])) forms.set(text, via);
      }
    };
    add(item, 'name');
    // A drug's synonyms may be filed under its generic name (阿莫西林, not 阿莫西林胶囊).
    for (const name of new Set(drugs ? [item, drugKey(item)] : [item])) for (const synonym of thesaurus.sameAs(name).slice(1)) add(synonym, 'synonym');
    const head = headTerm(item);
    if (head) add(head, 'head');
    return { item, forms: [...forms].map(([text, via]) => ({ text, via })) };
  });
  return (answer) => {
    const text = matchText(answer);
    const mentions: Mention[] = [];
    compiled.forEach(({ forms }, item) => {
      for (const form of forms) for (const span of occurrences(text, form.text)) mentions.push({ item, via: form.via, span });
    });
    const negated = negatedMentions(answer, kind, mentions.map((m) => m.span));
    return compiled.map(({ item }, index) => {
      const own = mentions.filter((m, i) => m.item === index && !negated[i]);
      const mentioned = mentions.some((m) => m.item === index);
      const via = own.reduce<HitVia | null>((best, m) => (best === null || VIA_RANK[m.via] < VIA_RANK[best] ? m.via : best), null);
      return { item, hit: own.length > 0, via, spans: union(own.map((m) => m.span)), negated: mentioned && own.length === 0 };
    });
  };
}

/** One answer against a case's gold items. To score many answers of one case, use `criteriaMatcher` once. */
export function scoreCriteria(answer: string, gold: readonly string[], kind: CriteriaKind, thesaurus: Thesaurus): GoldItemScore[] {
  return criteriaMatcher(gold, kind, thesaurus)(answer);
}

/** QiZhen's criteria for one answer: at least one item hit, at least half, at least two thirds (compared exactly: 2 of 3 meets it). */
export function criteriaMet(items: readonly { hit: boolean }[]): { any: boolean; half: boolean; twoThirds: boolean } {
  const n = items.length;
  const hits = items.filter((i) => i.hit).length;
  // With no gold item (the schema forbids it) nothing is met.
  return { any: hits >= 1, half: n > 0 && 2 * hits >= n, twoThirds: n > 0 && 3 * hits >= 2 * n };
}

const isLatin = (char: string | undefined): boolean => char !== undefined && ((char >= 'a' && char <= 'z') || (char >= '0' && char <= '9'));
const isDigit = (char: string | undefined): boolean => char !== undefined && char >= '0' && char <= '9';

/** Where `form` occurs in the answer, as spans of the original text, with the guards above. */
function occurrences(text: MatchText, form: string): [number, number][] {
  const spans: [number, number][] = [];
  const single = form.length === 1 && !isLatin(form);
  const latinStart = isLatin(form[0]);
  const latinEnd = isLatin(form[form.length - 1]);
  for (let at = text.text.indexOf(form); at >= 0; at = text.text.indexOf(form, at + 1)) {
    const end = at + form.length;
    const openBefore = at === 0 || text.gapBefore[at] === 1;
    const openAfter = end === text.text.length || text.gapBefore[end] === 1;
    if (single && !openAfter && !isDigit(text.text[end])) continue;
    if (latinStart && !openBefore && isLatin(text.text[at - 1])) continue;
    if (latinEnd && !openAfter && isLatin(text.text[end])) continue;
    spans.push([text.from[at]!, text.to[end - 1]!]);
  }
  return spans;
}

/** Overlapping or nested spans made one, in order. */
function union(spans: [number, number][]): [number, number][] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last && start < last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}
