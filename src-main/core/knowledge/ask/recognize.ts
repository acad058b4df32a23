import type { KbChoice, KbEntry, KbEntryRef, KbIntent } from '../../../contract/index.js';
import { detectIntents, intentSpans, intentType } from './intent.js';
import { INTENT_MASK, mentionRuns, type Run } from './mentions.js';
import type { NameHit, NameIndex, NameKind, NameMatch } from './name-index.js';
import { drugKey, drugPrefixBefore, drugSuffixAt, isLatin, lookupForm, stripDosageForm } from '../names.js';
import { substanceNamed, type Substance } from '../substances.js';

export interface RecognizedEntity extends KbEntryRef {
  /** How the question named it: its name, an alias, a brand, or a class it belongs to (头孢). */
  matchedBy: NameKind | 'class';
  /** The words of the question that named it. */
  surface: string;
}

export interface Recognition {
  question: string;
  intents: KbIntent[];
  /** Entries named exactly; a class's members follow the entries named by their own names. */
  entities: RecognizedEntity[];
  /** Entries the doctor may have meant: a name denoting several, or near a name the base lacks. */
  choices: KbChoice[];
  /** Names as written that the base has no entry for. */
  unknown: string[];
  /** Classes named (头孢 → its members among `entities`). */
  classes: Array<{ term: string; ids: string[] }>;
  /** Substances named beside the drugs (酒 → 乙醇). */
  substances: Substance[];
}

/** What retrieval hands to an answer: the recognition and the matched entries with their facts. */
export interface Retrieval extends Recognition {
  entries: KbEntry[];
}

const CLASS_SUFFIX = /(?:类药物|类药|类)$/u;
/** A long pasted text names its entries exactly; near names are for a typed question. */
const MAX_NEAR_QUESTION = 200;

/**
 * Finds the entries a question names and what it asks about them. Names are found exactly
 * (leftmost-longest, outside the intent's own words); a name answers only for a mention it covers
 * whole (see mentions.ts). A mention no name covers is a class (头孢), a substance (酒), or a name
 * the base does not know: then the exact names inside it and the names one edit from it are
 * offered as choices, and nothing is said about any of them.
 */
export function recognize(index: NameIndex, question: string): Recognition {
  // Latin words keep their gaps ("_"): "amphotericin_b" is found whole, "as" is not found in "a_story".
  const text = lookupForm(question);
  const spans = intentSpans(text);
  const insideIntentWords = (start: number, end: number): boolean => spans.some(([a, b]) => start >= a && end <= b);
  const matches = index.scan(text, (s, e) => !insideIntentWords(s, e)).map((m) => withDrugAffixes(index, text, m));
  const intents = detectIntents(mask(text, matches));
  const type = intents.map(intentType).find(Boolean);

  const entities = new Map<string, RecognizedEntity>();
  const choices = new Map<string, KbChoice>();
  const unknown: string[] = [];
  const classes: Recognition['classes'] = [];
  const substances: Substance[] = [];
  const accept = (hits: NameHit[], said: string): void => {
    const candidates = resolve(index, hits, type);
    if (candidates.length > 1) offer(candidates, said, 'ambiguous');
    else if (!entities.has(candidates[0]!.id)) entities.set(candidates[0]!.id, { ...index.entries.get(candidates[0]!.id)!, matchedBy: candidates[0]!.kind, surface: said });
  };
  const offer = (hits: NameHit[], said: string, reason: KbChoice['reason']): void => {
    for (const hit of hits) {
      const ref = index.entries.get(hit.id)!;
      if (!choices.has(hit.id) && !entities.has(hit.id)) choices.set(hit.id, { ...ref, for: said, what: index.what(hit.id), reason, ask: reask(question, said, ref.name) });
    }
  };

  const unmatched: Run[] = [];
  const runs = mentionRuns(text, matches, spans);
  runs.forEach((run, k) => {
    const inside = matches.filter((m) => m.start >= run.start && m.end <= run.end);
    const said = text.slice(run.start, run.end);
    const covered = inside.length === 1 && inside[0]!.start === run.start && inside[0]!.end === run.end ? inside[0]!.hits : null;
    // Leftmost-longest may take the wrong name first (盐酸硫胺|素): the whole mention, read as a drug's package name, decides.
    const whole = covered ?? (inside.length > 0 ? namedWhole(index, said) : null);
    const widened = whole ? widenedNear(index, text, runs, k) : null;
    if (widened) {
      // 妊娠糖尿病 is 妊娠期糖尿病 missing a character, not a pregnancy question about 糖尿病.
      unknown.push(widened.said);
      offer(widened.hits, widened.said, 'near');
      offer(whole!, widened.said, 'near');
      return;
    }
    if (whole) return accept(whole, said);
    if (inside.length === 0) return void unmatched.push(run);
    // The mention one edit from a name is that name mistyped (原默性高血压), before any name inside it answers;
    // so is the text across a shape word (社区获|的|得性肺炎 is 社区获得性肺炎 with a character added).
    const mistyped = nearNames(index, said, text.length);
    const across = widenedNear(index, text, runs, k, true);
    if (mistyped.length > 0 || across) {
      const written = mistyped.length > 0 ? said : across!.said;
      unknown.push(written);
      offer(mistyped, written, 'near');
      if (across) offer(across.hits, written, 'near');
      offer(index.namesInside(said), written, 'near');
      return;
    }
    // Names among other words (洛赛克|长期吃): each answers unless it is glued to more name.
    inside.forEach((match, i) => {
      const from = inside[i - 1]?.end ?? run.start;
      const to = inside[i + 1]?.start ?? run.end;
      const left = gluedTo(index, match, text.slice(from, match.start), inside[i - 1] !== undefined, 'left');
      const right = gluedTo(index, match, text.slice(match.end, to), inside[i + 1] !== undefined, 'right');
      if (!left && !right) return accept(match.hits, text.slice(match.start, match.end));
      // A known name inside a longer one the base lacks: 福尔可定 is not 可定.
      const longer = text.slice(left ? from : match.start, right ? to : match.end);
      unknown.push(longer);
      offer(nearNames(index, longer, text.length, entities.size === 0), longer, 'near');
      offer(index.namesInside(longer), longer, 'near');
    });
  });

  for (const run of unmatched) {
    const said = text.slice(run.start, run.end);
    // A two-character mention one character off (肤炎) is only worth offering when it is the question's subject.
    const near = nearNames(index, said, text.length, entities.size === 0);
    // 酒 beside a drug is what the patient drinks; 酒精 asked about alone may be 酒精肝 mistyped.
    const substance = substanceNamed(said);
    if (substance && (intents.includes('interactions') || near.length === 0)) {
      substances.push(substance);
      continue;
    }
    // A broader term (糖尿病, 胰腺炎) is not any one of its kinds: the kinds the base holds are offered.
    // Names one edit away stay among the choices (型肝炎 may be 甲型肝炎 missing a character).
    const kinds = index.narrowerThan(said).map((id) => ({ id, kind: 'name' as const }));
    if (kinds.length > 0) {
      if (kinds.length === 1) unknown.push(said);
      offer([...kinds, ...near], said, kinds.length > 1 ? 'ambiguous' : 'near');
      continue;
    }
    // A near name the term is missing characters of beats a class: 利福 is 利福平 missing a character
    // before it is the rifamycins. One with a character changed does not: 头孢 is the cephalosporins, not 头癣.
    const members = index.classMembers(said.replace(CLASS_SUFFIX, ''));
    const cutShort = new Set(members.length < 2 ? [] : index.cutShortOf(said).map((h) => h.id));
    const holdsTerm = (hit: NameHit): boolean => members.length < 2 || cutShort.has(hit.id);
    const nearer = near.filter(holdsTerm);
    const widened = widenedNear(index, text, runs, runs.indexOf(run), true);
    const widenedHits = widened?.hits.filter(holdsTerm) ?? [];
    if (nearer.length > 0 || widenedHits.length > 0) {
      unknown.push(nearer.length ? said : widened!.said);
      offer(nearer, said, 'near');
      offer(widenedHits, nearer.length ? said : widened!.said, 'near');
      continue;
    }
    if (members.length >= 2 || (members.length === 1 && CLASS_SUFFIX.test(said))) classes.push({ term: said, ids: members });
  }
  // Nothing recognised at all: the one mention left is what the doctor asked about.
  if (entities.size === 0 && classes.length === 0 && unknown.length === 0 && choices.size === 0) {
    const named = unmatched.map((run) => text.slice(run.start, run.end)).filter((said) => said.length >= 2 && !substanceNamed(said));
    if (named.length === 1) unknown.push(named[0]!);
  }
  // 吃甲硝唑能喝酒吗: a drug and something the patient takes beside it is an interaction question.
  if (substances.length > 0 && intents.length === 1 && intents[0] === 'overview') intents.splice(0, 1, 'interactions');
  for (const { term, ids } of classes) {
    for (const id of ids) if (!entities.has(id)) entities.set(id, { ...index.entries.get(id)!, matchedBy: 'class', surface: term });
  }
  return { question, intents, entities: [...entities.values()], choices: [...choices.values()], unknown: [...new Set(unknown)], classes, substances };
}

/** A disease name is longer when what follows it ends as one does: 糖尿病|肾病, 痛风|性关节炎. */
const DISEASE_ENDING = /(?:病|症|炎|癌|瘤|征)$/u;

/**
 * Whether the words beside a name within one mention continue it. Words before a name do (福尔|可定,
 * 急性|脑梗死 may be another entry) unless the entry's own name holds them; words after it do not
 * when they begin with a word of the base's prose (洛赛克|长期吃, 地高辛|中毒), unless, after a disease, they end as a disease name does
 * (糖尿病|肾病). Another name right against it continues it too (阿司匹林华法林 is no drug's name).
 * A change of script separates (Ceftriaxone|新生儿).
 */
function gluedTo(index: NameIndex, match: NameMatch, beside: string, nameBeyond: boolean, side: 'left' | 'right'): boolean {
  if (beside === '') return nameBeyond;
  const chars = [...beside];
  const touching = side === 'left' ? chars.at(-1) : chars[0];
  if (isLatin(touching) !== isLatin(side === 'left' ? match.norm[0] : match.norm.at(-1))) return false;
  // 急性|心梗 is 急性心肌梗死 itself: a word the entry's own name begins with does not make it another.
  if (side === 'left') return !match.hits.some((h) => lookupForm(index.entries.get(h.id)!.name).includes(chars.slice(-2).join('')));
  if (match.hits.some((h) => index.entries.get(h.id)?.type === 'disease') && DISEASE_ENDING.test(beside)) return true;
  return !index.isProse(chars.slice(0, 2).join(''));
}

/** Shape words that can glue to a name: letters only (punctuation and spaces always separate). */
const GLUE = /^[\p{Script=Han}]{1,6}$/u;
const MAX_WIDENED = 24;

/**
 * A name followed or preceded by a shape word may be part of a longer name the base knows better:
 * 功能|消化不良 is 功能性消化不良 with a character missing, 带状疱疹|后|神经 is 带状疱疹后神经痛
 * cut short, 妊娠|糖尿病 is 妊娠期糖尿病. Widened over the shape word (and the mention beyond it),
 * the text is checked against the base's names: a name one edit away means the doctor wrote that
 * longer name, not this one (even when both are names of one entry: 功能消化不良 is not 消化不良).
 * For a mention already unknown, it finds the name a question word cut in two (妊娠|期丛尿病).
 */
function widenedNear(index: NameIndex, text: string, runs: readonly Run[], k: number, unknownRun = false): { said: string; hits: NameHit[] } | null {
  const run = runs[k]!;
  const before = runs[k - 1];
  const after = runs[k + 1];
  const gapBefore = text.slice(before?.end ?? 0, run.start);
  const gapAfter = text.slice(run.end, after?.start ?? text.length);
  const tries: Array<[number, number, 'near' | 'one more']> = [];
  if (before && GLUE.test(gapBefore)) tries.push([before.start, run.end, 'near']);
  if (after && GLUE.test(gapAfter)) tries.push([run.start, after.end, 'near']);
  // With no mention beyond, up to six letters of the shape word next to it (甲基|吗啡 written 甲基吗).
  const letters = (gap: string): number => /^\p{Script=Han}*/u.exec(gap)![0].length;
  for (let n = 1; n <= Math.min(6, letters([...gapBefore].reverse().join(''))); n++) if (!before || !GLUE.test(gapBefore)) tries.push([run.start - n, run.end, 'one more']);
  for (let n = 1; n <= Math.min(6, letters(gapAfter)); n++) if (!after || !GLUE.test(gapAfter)) tries.push([run.start, run.end + n, 'one more']);
  const hits: NameHit[] = [];
  let first = '';
  for (const [start, end, how] of tries) {
    const said = text.slice(start, end);
    if (said.length > MAX_WIDENED) continue;
    // Beside a known name only a missing character counts (糖尿病有 is not 糖尿病足); an unknown mention takes any edit.
    const found = how === 'near' || unknownRun ? index.near(said) : index.withOneMore(said);
    if (found.length && !first) first = said;
    hits.push(...found);
  }
  return hits.length ? { said: first, hits } : null;
}

/** A drug name takes the salt and dosage form written around it: 注射用|头孢曲松|钠, 盐酸|二甲双胍|缓释片. */
function withDrugAffixes(index: NameIndex, text: string, match: NameMatch): NameMatch {
  if (!match.hits.some((h) => index.entries.get(h.id)?.type === 'drug')) return match;
  // A salt comes before the dosage form (头孢曲松钠片): after a form already taken, nothing more.
  const formTaken = match.end > match.start + match.norm.length;
  return { ...match, start: match.start - drugPrefixBefore(text, match.start), end: formTaken ? match.end : match.end + drugSuffixAt(text, match.end, match.norm) };
}

/** The entries a whole mention names exactly once its salt and dosage form are read off (盐酸硫胺素 → 硫胺素). */
function namedWhole(index: NameIndex, said: string): NameHit[] | null {
  const hits = index.lookup(lookupForm(drugKey(said))).filter((h) => index.entries.get(h.id)?.type === 'drug');
  return hits.length ? hits : null;
}

/** Names one edit from the mention as written, or from its generic name (dosage form and salt removed). */
function nearNames(index: NameIndex, said: string, questionLength: number, halfChanged = false): NameHit[] {
  if (questionLength > MAX_NEAR_QUESTION) return [];
  const forms = new Set([said, lookupForm(stripDosageForm(said)), lookupForm(drugKey(said))]);
  const hits = new Map<string, NameHit>();
  for (const form of forms) for (const hit of index.near(form, halfChanged)) if (!hits.has(hit.id)) hits.set(hit.id, hit);
  return [...hits.values()];
}

/**
 * One name, several entries: a primary name beats aliases, then the intent's type decides
 * (症状 → a disease); whatever is left is a genuine ambiguity.
 */
function resolve(index: NameIndex, hits: NameHit[], type: string | undefined): NameHit[] {
  const ids = new Map<string, NameHit>();
  for (const hit of hits) if (!ids.has(hit.id)) ids.set(hit.id, hit);
  let candidates = [...ids.values()];
  if (candidates.length < 2) return candidates;
  const primary = candidates.filter((h) => h.kind === 'name');
  if (primary.length === 1) return primary;
  if (primary.length > 1) candidates = primary;
  const ofType = type ? candidates.filter((h) => index.entries.get(h.id)?.type === type) : [];
  return ofType.length === 1 ? ofType : candidates;
}

/** The question asked again with the chosen name in place of the one written. */
function reask(question: string, said: string, name: string): string {
  const at = question.indexOf(said);
  if (at >= 0) return question.slice(0, at) + name + question.slice(at + said.length);
  // Written otherwise (full width, spaces, Latin case): ask in lookup form.
  return lookupForm(question).replace(said, name);
}

function mask(text: string, spans: ReadonlyArray<Run>): string {
  const chars = text.split('');
  for (const { start, end } of spans) chars.fill(INTENT_MASK, start, end);
  return chars.join('');
}
