import { enumeration, masked, NUMBERING, splitTop, trimPunctuation } from './label-text.js';

/**
 * A label's 适应症 as a pharmacist annotates it: each indication one named condition with its
 * qualifiers beside it (who, how severe, caused by what, prevention or treatment), and the sentences
 * that are not indications — evidence (疗效基于…研究), limits (不适用于…), combination advice
 * (与…联合使用) — kept as notes. The rules read the grammar of Chinese inserts, never one drug's text.
 */

export interface LabelIndication {
  name: string;
  /** Qualifiers in the label's words, joined by ；: 轻至中度；敏感菌所致. */
  qualifier?: string;
}

export interface ParsedIndications {
  conditions: LabelIndication[];
  notes: string[];
}

/** Sentences that report evidence or limit use: notes, never conditions. */
const NOTE_ONLY = /基于.{0,40}(?:研究|试验)|疗效基于|确立是基于|不适用|不宜|不应|不能(?:取代|替代|用于)|不可|无效|不用于|尚未|仅用于|仅限|仅适用|不超过|应在|应作为|为减少|由于|改用本品/u;
/** Combination or monotherapy advice: the sentence is kept as a note, its indications still read. */
const COMBINATION = /联合使用|联合应用|合用|联用|单独使用|基础上联合/u;
/** 本品可单用 : monotherapy advice, no indication. */
const MONOTHERAPY = /^(?:本品)?(?:可|也可)?(?:作为)?(?:单用|单独使用|单药治疗)$/u;

/** Clauses that qualify every indication of their sentence. */
const SENTENCE_QUALIFIER = /^(?:本品)?(?:配合.+|在.+基础上|作为.+(?:辅助|替代).*)$/u;
/** 对青霉素类过敏的患者，… : the population the sentence's indications are for. */
const POPULATION_CLAUSE = /^对(?!本品).+(?:患者|者)$/u;
/** …，由A或B引起 : the cause of the clause before. */
const CAUSE_CLAUSE = /^由(.+?)(?:引起|所致)$/u;
/** …，以降低…风险 : the aim of treatment, not an indication of its own. */
const PURPOSE_CLAUSE = /^(?:以便|用以|从而|以(?!及)|根除)(?=\p{Script=Han})/u;
/** 本品为A与B组成的复方制剂 : what the product is. */
const COMPOSITION_CLAUSE = /^本品(?:为|由).+(?:制剂|组成)$/u;
/** 当…时, 对于…患者, 正在…的患者 : a context that belongs to a note. */
const CONTEXT_CLAUSE = /^(?:当|对于|正在|如果|如|若)|时$/u;

const LEADING: RegExp[] = [
  /^(?:本品|本药|本剂)/u,
  /^(?:以及|及|和|也|亦|还|主要|临床上?|并)/u,
  /^(?:可|能)(?=用于|适用|作为)/u,
  /^(?:作为)/u,
  /^(?:用于|适用于|适用)/u,
  /^(?:治疗|控制|缓解|改善)/u,
];
/** A route named before the verb (本品口服可用于…) qualifies the indication. */
const ROUTE = /^(口服|静脉给药|静脉滴注|外用|局部给药)(?=可?(?:用于|适用))/u;
const PREVENTION = /^预防(?!性)/u;

/** 的…治疗 / 的预防 / 的症状 at the end: framing, with what it says about the use kept. */
const TRAILING = /的([^的，]{0,8}?)(治疗|预防|用药|复发)(?:药物)?$|的(?:症状|血糖控制|发生)$|(?<=\p{Script=Han}{2})(预防)$/u;
const WHEN_TREATED = /(经.+时)$/u;

/** Words a person is named by, at the head of an indication: 成人和6岁及以上儿童…. */
const PERSON = /^(?:(?:\d+(?:～\d+)?岁(?:及以上|以上|以下)?|年满\d+岁|成人|成年女性|成年|儿童|青少年|婴幼儿|新生儿|妇女|男性|女性|老年人?|患者|人群)(?:和|及|或|、|的)?)+/u;
/** Severity and genotype before the name: 轻至中度原发性高血压, 基因1～6型慢性丙型肝炎病毒感染. */
const GRADE = /^(?:轻至中度|中至重度|轻、中度|中、重度|轻度|中度|重度|严重|反复发作性|基因\d+(?:～\d+)?型)(?:的)?(?=\p{Script=Han}{2})/u;
/** 在接触流感患者后: when the indication applies. */
const AFTER = /^在(.+?后)(?=\p{Script=Han}{2})/u;
/** 甲状腺癌术后: the stage of care, a qualifier. */
const AFTER_SURGERY = /((?:切除)?术后)$/u;
/** Organ coordination (骨和关节感染, 复杂性皮肤及软组织感染) is one name: its 和/及 is no separator. */
const ORGAN_AND = /(^|、)([^、及和与或，]{1,5}?)(和|及)(?=[^、及和与或，]{1,6}感染)/gu;
const JOINED: Record<string, string> = { 和: '\uE002', 及: '\uE003' };
const NAMED_GROUP = /^[^的]{1,12}?(?:患者|受者|者)(?=\p{Script=Han}{2})/u;
/** A phase named after its disease (双相情感障碍的躁狂发作): the disease is the indication. */
const PHASE = /^(?:躁狂发作|抑郁发作|急性发作|急性加重期?|维持期|缓解期)$/u;
/** A part of an enumeration that names a disease by itself; 骨和关节感染 is one indication. */
const DISEASE_END = /(?:炎|病|症|征|感染|热|痛|瘤|癌|疹|疮|溃疡|障碍|综合征|不全|衰竭|中毒|结石|出血|水肿|血症|腹泻|疟疾)$/u;

/**
 * The framing before an indication (本品也可用于治疗…) off, word by word. A header may be all framing
 * (本品适用于：); a clause keeps its last word rather than become empty.
 */
function withoutFraming(text: string, keepLastWord: boolean): string {
  let out = text;
  for (const re of LEADING) {
    const next = trimPunctuation(out.replace(re, ''));
    if (next || !keepLastWord) out = next;
  }
  return out;
}

function unique(parts: string[]): string[] {
  return [...new Set(parts.map((p) => trimPunctuation(p)).filter(Boolean))];
}

/** 由A引起 / A所致 / 伴有B, in one form: A所致, 伴B. */
function normalizeModifier(part: string): string[] {
  const out: string[] = [];
  let text = trimPunctuation(part);
  const cause = /^(.*?)由(.+?)(?:引起|所致)$/u.exec(text) ?? /^()(.+?)(?:引起|所致)$/u.exec(text);
  if (cause) {
    if (cause[1]) out.push(...normalizeModifier(cause[1]));
    out.push(`${cause[2]}所致`);
    return out;
  }
  text = text.replace(/^伴有/u, '伴').replace(/^(?:下列|以下)/u, '');
  return text ? [text] : [];
}

/** The qualifiers a clause's head carries before its condition names: who, and 严重/轻至中度. */
function splitPerson(head: string): { person: string[]; rest: string } {
  const person: string[] = [];
  let rest = head;
  const named = NAMED_GROUP.exec(rest);
  if (named) {
    person.push(named[0]);
    rest = rest.slice(named[0].length);
  }
  const people = PERSON.exec(rest);
  if (people && rest.length - people[0].length >= 2) {
    // 成人和6岁及以上儿童: the age bound says who; 年满12岁 is 12岁及以上.
    const age = /(\d+(?:～\d+)?岁(?:及以上|以上|以下)?)|年满(\d+)岁/u.exec(people[0]);
    person.push(age ? (age[1] ?? `${age[2]}岁及以上`) : trimPunctuation(people[0].replace(/(?:和|及|或|、|的)$/u, '')));
    rest = rest.slice(people[0].length);
  }
  return { person, rest };
}

/** One clause that names indications → conditions, each with the clause's qualifiers. */
function conditionsOf(clause: string): { conditions: LabelIndication[]; qualifiers: string[] } {
  const qualifiers: string[] = [];
  let text = trimPunctuation(clause);
  for (let before = ''; text !== before; ) {
    before = text;
    const route = ROUTE.exec(text);
    if (route) {
      qualifiers.push(route[1]!);
      text = text.slice(route[0].length);
    }
    text = withoutFraming(text, true);
    if (PREVENTION.test(text)) {
      qualifiers.push('预防');
      text = text.replace(PREVENTION, '');
    }
  }
  // 的治疗（患者应在…使用）: a bracket after the framing qualifies the whole clause.
  const late = /[（(]([^（）()]+)[)）]$/u.exec(text);
  if (late && /(?:治疗|预防)$/u.test(text.slice(0, late.index))) {
    qualifiers.push(late[1]!);
    text = text.slice(0, late.index);
  }
  let both = false;
  for (let trailing = TRAILING.exec(masked(text)); trailing; trailing = TRAILING.exec(masked(text))) {
    // 术后感染预防: what precedes 预防 is the name when it names a disease.
    const named = trailing[1] !== undefined && DISEASE_END.test(trailing[1]);
    const words = named ? trailing[2]! : trailing[0];
    text = named ? text.slice(0, -words.length) : text.slice(0, trailing.index);
    if (/治疗(?:和|及|与)预防|预防(?:和|及|与)治疗/u.test(words)) both = true;
    else if (/预防|复发/u.test(words)) {
      const relapse = text.endsWith('复发') || words.includes('复发');
      if (text.endsWith('复发')) text = text.slice(0, -2);
      qualifiers.push(relapse ? '预防复发' : '预防');
    }
    for (const w of ['长期', '短期']) if (words.includes(w)) qualifiers.push(w);
  }
  if (qualifiers.includes('预防') && text.endsWith('复发')) {
    text = text.slice(0, -2);
    qualifiers.splice(qualifiers.indexOf('预防'), 1, '预防复发');
  }
  const when = WHEN_TREATED.exec(text);
  if (when && when.index >= 2) text = text.slice(0, when.index);
  const surgery = AFTER_SURGERY.exec(text);
  if (surgery && surgery.index >= 2) {
    qualifiers.push(surgery[1]!);
    text = text.slice(0, surgery.index);
  }
  text = text.replace(/患者$/u, '');

  // [modifiers]的[names]: the names follow the last 的 outside brackets.
  const cut = masked(text).lastIndexOf('的');
  let modifiers = cut > 0 ? text.slice(0, cut) : '';
  let head = cut > 0 ? text.slice(cut + 1) : text;
  if (PHASE.test(head) && modifiers) {
    qualifiers.push(head);
    head = modifiers;
    modifiers = '';
  }
  const parts = modifiers ? splitTop(modifiers, /的/u).flatMap(normalizeModifier).flatMap((p) => {
    const { person: who, rest: what } = splitPerson(p);
    return who.length && what.length < 2 ? [...who, what] : [p];
  }).filter(Boolean) : [];
  const { person, rest } = splitPerson(head);
  const prevention = qualifiers.filter((q) => q.startsWith('预防'));
  const shared = [...prevention, ...person, ...parts, ...qualifiers.filter((q) => !q.startsWith('预防'))];
  const conditions = namesOf(rest).flatMap(({ name, own }) => {
    const all = unique([...shared, ...own]);
    const one = all.length ? { name, qualifier: all.join('；') } : { name };
    return both ? [one, { name, qualifier: unique(['预防', ...all]).join('；') }] : [one];
  });
  // 适用于单用A不能控制血压的患者: no name, only who — a qualifier of the sentence.
  return { conditions, qualifiers: conditions.length ? [] : unique([...parts, ...person]) };
}

/** An enumeration of names; each may carry its own qualifiers (轻至中度…, …（包括肺炎）). */
function namesOf(head: string): Array<{ name: string; own: string[] }> {
  const joined = head.replace(ORGAN_AND, (m, lead: string, organ: string, and: string) => (DISEASE_END.test(organ) ? m : `${lead}${organ}${JOINED[and]}`));
  if (!joined) return [];
  return enumeration(joined).map((item) => {
    const own: string[] = [];
    let name = trimPunctuation(item.replaceAll(JOINED['和']!, '和').replaceAll(JOINED['及']!, '及')).replace(/等$/u, '');
    for (let again = true; again; ) {
      again = false;
      for (const re of [GRADE, AFTER]) {
        const m = re.exec(name);
        if (m) {
          own.push((m[1] ?? m[0]).replace(/的$/u, ''));
          name = name.slice(m[0].length);
          again = true;
        }
      }
      const { person, rest } = splitPerson(name);
      if (person.length) {
        own.push(...person);
        name = rest;
        again = true;
      }
    }
    const bracket = /[（(]([^（）()]+)[)）]$/u.exec(name);
    if (bracket && bracket.index >= 2) {
      own.push(bracket[1]!);
      name = name.slice(0, bracket.index);
    }
    return { name: name.replace(/患者$/u, ''), own };
  }).filter((n) => n.name.length >= 2);
}

/** Sentences of a label section: numbered items and sentence ends; ；stays inside its sentence. */
function sentences(text: string): string[] {
  return splitTop(text.replace(NUMBERING, '\n'), /[。！？!?\n]+/u)
    .map((s) => trimPunctuation(s) + (/[：:]\s*$/u.test(s) ? '：' : ''))
    .filter((s) => s.replace('：', ''));
}

/** A header's qualifiers: 本品适用于18岁及以上成人由敏感菌所致的下列轻至中度感染 → 18岁及以上成人, 敏感菌所致, 轻至中度. */
function headerQualifiers(header: string): string[] {
  // 本品为…复方制剂，配合饮食控制，用于…： what the product is goes; a qualifying clause is kept whole.
  const clauses = splitTop(trimPunctuation(header), /[，,]/u);
  const sentenceQualifiers = clauses.filter((c) => SENTENCE_QUALIFIER.test(c)).map((c) => c.replace(/^本品/u, ''));
  let text = withoutFraming(clauses.filter((c) => !COMPOSITION_CLAUSE.test(c) && !SENTENCE_QUALIFIER.test(c)).join('，'), false);
  text = text.replace(/(?:下列|以下)?(?:[^的]{0,6}(?:感染|疾病|病症|情况))?$/u, (m) => {
    const severity = /(轻至中度|中至重度|轻、中度|中、重度|严重|重症)/u.exec(m);
    return severity ? `的${severity[1]}` : '';
  });
  const parts = splitTop(text, /的/u).flatMap(normalizeModifier).flatMap((p) => {
    const { person, rest } = splitPerson(p);
    return [...person, rest];
  });
  return unique([...sentenceQualifiers, ...parts.filter((p) => p !== '下列' && p !== '以下')]);
}

/**
 * One ；-part of a sentence: its clauses name conditions, or qualify them — the cause after them
 * (，由A引起), who they are for (对…过敏的患者，…), or the whole sentence (配合饮食控制，…).
 */
function readGroup(group: string, sentenceQualifiers: string[]): LabelIndication[] {
  const found: LabelIndication[][] = [];
  const who: string[] = [];
  const clauses = splitTop(group, /[，,]/u);
  clauses.forEach((clause, i) => {
    const cause = CAUSE_CLAUSE.exec(clause);
    if (cause && found.length) {
      for (const c of found.at(-1)!) c.qualifier = unique([...(c.qualifier?.split('；') ?? []), `${cause[1]}所致`]).join('；');
    } else if (SENTENCE_QUALIFIER.test(clause)) {
      sentenceQualifiers.push(clause.replace(/^本品/u, ''));
    } else if (POPULATION_CLAUSE.test(clause) || (/患者$/u.test(clause) && /用于|^以预防/u.test(clauses[i + 1] ?? ''))) {
      who.push(clause.replace(/^(?:本品)?(?:可|也可|亦可)?(?:用于|适用于)/u, '').replace(/^对/u, '').replace(/的?患者$/u, /^对/u.test(clause) ? '者' : '患者'));
    } else if (/^(?:以|用以)预防/u.test(clause)) {
      // …成年患者，以预防静脉血栓形成: what is prevented is the indication.
      found.push(conditionsOf(clause.replace(/^(?:以|用以)/u, '')).conditions);
    } else if (!(PURPOSE_CLAUSE.test(clause) || COMPOSITION_CLAUSE.test(clause) || MONOTHERAPY.test(clause) || CONTEXT_CLAUSE.test(clause) || COMBINATION.test(masked(clause)))) {
      for (const segment of splitTop(clause, /以及/u)) {
        const { conditions: named, qualifiers } = conditionsOf(segment);
        if (named.length) found.push(named);
        who.push(...qualifiers);
      }
    }
  });
  return found.flat().map((c) => ({ name: c.name, qualifier: unique([...who, ...(c.qualifier?.split('；') ?? [])]).join('；') }));
}

export function parseIndications(text: string): ParsedIndications {
  const conditions: LabelIndication[] = [];
  const notes: string[] = [];
  let listQualifiers: string[] = [];
  for (const sentence of sentences(text)) {
    const hidden = masked(sentence);
    if (NOTE_ONLY.test(hidden)) {
      notes.push(sentence);
      continue;
    }
    if (COMBINATION.test(hidden)) notes.push(sentence);
    const colon = hidden.search(/[：:]/u);
    const header = colon >= 0 ? sentence.slice(0, colon) : '';
    const body = colon >= 0 ? sentence.slice(colon + 1) : sentence;
    // 本品适用于敏感菌所致的下列感染： the header qualifies every item of the list after it.
    if (colon >= 0 && !trimPunctuation(body)) {
      listQualifiers = headerQualifiers(header);
      continue;
    }
    const sentenceQualifiers = [...(header ? headerQualifiers(header) : listQualifiers)];
    const found = splitTop(body, /[；;]/u).flatMap((group) => readGroup(group, sentenceQualifiers));
    for (const c of found) {
      const all = unique([...sentenceQualifiers, ...(c.qualifier?.split('；') ?? [])]);
      conditions.push(all.length ? { name: c.name, qualifier: all.join('；') } : { name: c.name });
    }
  }
  return { conditions, notes };
}
