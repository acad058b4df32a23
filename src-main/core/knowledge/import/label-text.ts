import type { KbInteraction } from '../../../contract/index.js';

/**
 * Package-insert prose → lists of single named conditions, the way a pharmacist annotates a label:
 * "用于急、慢性支气管炎，上、下呼吸道感染及轻、中度疼痛。" → 急性支气管炎, 慢性支气管炎, 上呼吸道感染,
 * 下呼吸道感染, 轻度疼痛, 中度疼痛. Rules, in order: numbered items and sentences; top-level commas;
 * framing removed (本品用于 …); enumerations split on 、/及/和/与/或/等 outside brackets; elliptical
 * coordination expanded (急、慢性 …, 严重肝、肾功能不全者); a shared frame distributed
 * (对A、B过敏者 → 对A过敏者, 对B过敏者). Qualifiers inside an item (严重, 2型, 痛风患者) stay.
 */

export type ListSection = 'indications' | 'contraindications' | 'adverseReactions';

/** Brackets hide their content from every split: "（单用或与其他药物合用）" stays with its item. */
const OPEN = '(（[【《〔';
const CLOSE = ')）]】》〕';
const MASK = '\uE001';

export function masked(text: string): string {
  let depth = 0;
  let out = '';
  for (const c of text) {
    if (OPEN.includes(c)) depth += 1;
    out += depth > 0 ? MASK.repeat(c.length) : c;
    if (CLOSE.includes(c) && depth > 0) depth -= 1;
  }
  return out;
}

/** Splits at every match of `separator` outside brackets; the separators are dropped. */
export function splitTop(text: string, separator: RegExp): string[] {
  const flags = separator.flags.includes('g') ? separator.flags : `${separator.flags}g`;
  const re = new RegExp(separator.source, flags);
  const parts: string[] = [];
  let last = 0;
  for (const m of masked(text).matchAll(re)) {
    parts.push(text.slice(last, m.index));
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** Numbered items "1、" "2." "(1)" "①" and sentence ends start a new statement. */
export const NUMBERING = /(?:^|(?<=[\s。；;：:，,]))\s*(?:[(（]\s*\d{1,2}\s*[)）]|\d{1,2}\s*[、．)）]|\d{1,2}\s*\.(?!\d)|[①-⑳])\s*/gu;
const SENTENCE_END = /[。；;！!？?\n]+/u;

/** Statements of a section: numbered items and sentences. */
export function statements(text: string): string[] {
  const numbered = text.replace(NUMBERING, '\n');
  return splitTop(numbered, SENTENCE_END).map(trimPunctuation).filter(Boolean);
}

const FRAMING: Record<ListSection, RegExp[]> = {
  indications: [
    /^(?:本品|本药|本剂)/u,
    /^(?:主要|临床上?|可|亦可|也可|还可|适合|适宜|单独或联合)?(?:用于|适用于)/u,
    // 预防 alone stays: prophylaxis and treatment are different indications.
    /^(?:预防和治疗|预防或治疗|预防及治疗|治疗和预防|辅助治疗|治疗|缓解|控制|改善)/u,
  ],
  contraindications: [
    /^(?:本品|本药|本剂)/u,
    /^(?:下列|以下)(?:情况|患者|人群)(?:禁用|禁忌)?/u,
    /^(?:禁用于|禁止用于|禁用|禁忌)/u,
  ],
  adverseReactions: [
    /^(?:本品|本药|本剂)/u,
    /^(?:最)?(?:常见|较常见|少见|罕见|偶见|偶有|偶可|极少数|少数|个别)(?:的)?/u,
    /^(?:患者)?(?:不良反应|副作用)?(?:主要)?(?:有|为|是|包括|表现为|可见|可出现|可能出现|可引起|出现|发生)?/u,
  ],
};

/** Leading words that introduce examples or continue a list ("，如…", "，及…"); not 并发症, 如何. */
const LIST_LEAD = /^(?:例如|比如|其他如|如(?![何此下])|包括|以及|及|或者|或|和|与|并(?![发用]))[:：]?/u;

const TRAILING: Record<ListSection, RegExp[]> = {
  indications: [/的(?:长期|辅助|对症|维持|短期)?(?:预防|治疗)$/u],
  contraindications: [/(?:禁用|禁服|禁忌|忌用|不宜使用|不得使用|不应使用)$/u],
  // 过敏反应, 胃肠道反应 are named reactions: nothing to strip.
  adverseReactions: [],
};

/**
 * Separators of an enumeration. 、 binds tighter than 及/和/与/或/等 ("上、下呼吸道感染及轻、中度疼痛"
 * is two groups); 及/和/与/等 inside words (涉及, 缓和, 参与, 中等) are not separators.
 */
const MINOR = /、/u;
const MAJOR = /以及|(?<![涉危波累顾普])及|(?<![饱缓中温调柔平])和|(?<![参给])与|或者|或|(?<![中同相平对均高低次])等(?:等)?/u;
const ENUMERATION = new RegExp(`${MINOR.source}|${MAJOR.source}`, 'u');

const DISTRIBUTIVE_PREFIXES = ['正在接受', '正在使用', '正在服用', '近期使用', '同时服用', '同时使用', '合并使用', '对', '使用', '服用', '接受'];
const DISTRIBUTIVE_SUFFIXES = ['治疗的患者', '治疗者', '的患者', '过敏者', '患者', '者'];
const QUALIFIERS = ['严重', '重度', '中度', '轻度', '中重度', '已知', '明显'];

/** A section's prose as a list of single named conditions. */
export function parseListSection(text: string, section: ListSection): string[] {
  const items: string[] = [];
  for (const statement of statements(text)) {
    for (const clause of purposeJoined(splitTop(statement, /[,，]/u))) {
      const body = stripTrailing(stripFraming(clause, section), section);
      if (body) items.push(...enumeration(body).map((item) => stripTrailing(stripFraming(item, section), section)));
    }
  }
  return [...new Set(items.filter(Boolean))];
}

/** "…成年患者，以预防静脉血栓形成": a purpose clause belongs to the clause before it. */
function purposeJoined(clauses: string[]): string[] {
  const out: string[] = [];
  for (const clause of clauses) {
    const purpose = /^(?:以便|用以|从而|以)(?=\p{Script=Han})/u.exec(clause);
    if (purpose && out.length) out[out.length - 1] += clause.slice(purpose[0].length);
    else out.push(clause);
  }
  return out;
}

/** One clause's enumeration: a frame shared by all parts, else groups on 及/和… each split on 、. */
export function enumeration(body: string): string[] {
  const shared = distribute(splitTop(body, ENUMERATION));
  if (shared) return shared;
  const groups = splitTop(body, MAJOR).map((group) => {
    const parts = splitTop(group, MINOR);
    return parts.length > 1 ? (elliptical(parts) ?? parts) : parts;
  });
  // 严重肝及肾功能不全者: the ellipsis spans the groups themselves.
  if (groups.length > 1 && groups.every((g) => g.length === 1)) return elliptical(groups.flat()) ?? groups.flat();
  return groups.flat();
}

function stripFraming(clause: string, section: ListSection): string {
  let text = trimPunctuation(clause);
  for (let changed = true; changed; ) {
    changed = false;
    for (const re of [...FRAMING[section], LIST_LEAD]) {
      const next = trimPunctuation(text.replace(re, ''));
      if (next !== text && next.length > 0) {
        text = next;
        changed = true;
      }
    }
  }
  return text;
}

function stripTrailing(text: string, section: ListSection): string {
  let out = trimPunctuation(text).replace(/(?:等)+$/u, '');
  for (const re of TRAILING[section]) {
    const next = out.replace(re, '');
    if (next.length >= 2) out = next;
  }
  return trimPunctuation(out);
}

/** 对A、B过敏者 → 对A过敏者, 对B过敏者; 正在接受硫唑嘌呤、巯嘌呤治疗的患者 likewise. */
function distribute(parts: string[]): string[] | null {
  const first = parts[0]!;
  const last = parts.at(-1)!;
  const prefix = DISTRIBUTIVE_PREFIXES.find((p) => first.startsWith(p) && first.length > p.length);
  const suffix = DISTRIBUTIVE_SUFFIXES.find((s) => last.endsWith(s) && last.length > s.length);
  if (!prefix || !suffix) return null;
  const cores = parts.map((p, i) => {
    let core = i === 0 ? p.slice(prefix.length) : p;
    if (i === parts.length - 1) core = core.slice(0, -suffix.length);
    return core;
  });
  return cores.every(Boolean) ? cores.map((c) => prefix + c + suffix) : null;
}

/**
 * Elliptical coordination: the heads before the last part share the last part's remainder, and a
 * qualifier before the first head applies to all. Heads of one character (急、慢性支气管炎,
 * 上、下呼吸道感染, 轻、中度疼痛, 严重肝、肾功能不全者: the qualifier must be a known one, so 痒、红肿
 * stays apart) or of two or three characters ending alike (轻度、中度疼痛, 原发性、继发性高血压,
 * 择期髋关节或膝关节置换手术). The shared remainder must be a word, two characters at least.
 */
function elliptical(parts: string[]): string[] | null {
  const first = parts[0]!;
  const last = parts.at(-1)!;
  const middle = parts.slice(1, -1);
  for (const n of [1, 2, 3]) {
    const head = last.slice(0, n);
    const rest = last.slice(n);
    const qualifier = first.slice(0, -n);
    const heads = [first.slice(-n), ...middle];
    if (first.length < n || rest.length < 2 || heads.some((h) => h.length !== n)) continue;
    if (n === 1 ? qualifier !== '' && !QUALIFIERS.includes(qualifier) : !heads.every((h) => h.at(-1) === head.at(-1))) continue;
    return [...heads.map((h) => qualifier + h + rest), qualifier + last];
  }
  return null;
}

const EDGE = /[\s\p{P}\p{S}]/u;

/** Punctuation off both ends, brackets that open or close the text kept: "2型糖尿病（成人）". */
export function trimPunctuation(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && EDGE.test(text[start]!) && !OPEN.includes(text[start]!)) start += 1;
  while (end > start && EDGE.test(text[end - 1]!) && !CLOSE.includes(text[end - 1]!)) end -= 1;
  return text.slice(start, end);
}

/** Sentences that name another drug become {with, effect}; the whole sentence is the effect. */
const WITH = /(?:与|和|同)(.+?)(?:合用|联用|同用|同服|并用|联合使用|联合应用|同时使用|同时服用|同时应用|配伍)/u;
const ACTS_ON = /^(.+?)(?:可|能|会|可能)?(?:增加|降低|减弱|增强|升高|减少|影响|抑制|诱导)本品/u;

export function parseInteractions(text: string): KbInteraction[] {
  const out: KbInteraction[] = [];
  for (const sentence of statements(text)) {
    const partner = WITH.exec(sentence)?.[1] ?? ACTS_ON.exec(sentence)?.[1];
    const names = partner ? splitTop(partner.replace(/^(?:其他|含有|含)/u, ''), /、|及|和|或/u) : [];
    if (names.length === 0) out.push({ with: '未注明', effect: sentence });
    for (const name of names) out.push({ with: trimPunctuation(name), effect: sentence });
  }
  return out;
}
