import type { KbEntityType, KbField, KbIntent } from '../../contract/index.js';

/**
 * What a question asks, from its wording. Checked in order, first match wins: the specific before
 * the general ("哪些药物能治疗…" is a treatment question though it contains 能治; "副作用" before 作用).
 * Run on the question with entity names masked, so 妊娠期糖尿病 does not read as a pregnancy question.
 */
const PATTERNS: ReadonlyArray<[KbIntent, RegExp]> = [
  ['interactions', /相互作用|能否同服|能否(?:合用|联用|同用|一起)|可否(?:合用|同服|一起)|能不能一起|可以一起|一起(?:吃|服|用|喝)|同时(?:服用|使用|吃|用|喝)|合用|联用|同服|并用|\binteractions?\b/u],
  ['dosage', /用法用量|用法|用量|剂量|怎么(?:吃|服|用)(?!药)|如何(?:服用|使用)|吃多少|服多少|用多少|一次(?:吃|服|用)?几|一天(?:吃|服|用)?几|每天几次|每日几次|\bdos(?:e|es|age|ing)\b/u],
  ['contraindications', /禁忌|禁用|哪些人不能|什么人不能|不能用于|不宜使用|\bcontraindications?\b/u],
  ['adverseReactions', /不良反应|副作用|副反应|\bside[\s\uE000]effects?\b|\badverse\b/u],
  ['department', /挂(?:什么|哪个|哪一?个?)科|(?:哪个|什么|哪一)科|就诊科室|看什么科|科室/u],
  ['examinations', /检查|化验|检验|查什么|\btests?\b|\bexaminations?\b/u],
  ['symptoms', /症状|临床表现|表现|征兆|症候|\bsymptoms?\b/u],
  ['differentials', /鉴别/u],
  ['treatments', /哪些药|什么药|用药|怎么治|如何治|怎样治|治疗方法|治疗方案|吃什么|用什么|治疗措施|怎么处理|如何处理|怎样处理|处理原则|怎么办|\btreat(?:ment|ed)?\b/u],
  ['specialPopulations', /孕妇|妊娠|怀孕|哺乳|儿童|小孩|婴幼儿|老年人|老人|肝功能不全|肾功能不全|\bpregnan(?:t|cy)\b/u],
  ['cautions', /注意事项|注意什么|要注意|慎用|\bprecautions?\b/u],
  ['indications', /适应症|适应证|适应病症|适用于|适用|用于|主治|能治疗|可治疗|能治|治什么|治疗什么|治疗哪些|可治|功效|作用|\bindications?\b|\bused[\s\uE000]for\b/u],
];

const ALL = new RegExp(PATTERNS.map(([, re]) => re.source).join('|'), 'gu');

/**
 * Every intent the question asks, in the order it asks them (禁忌和副作用 asks two). Patterns are
 * tried specific first; a match inside words an earlier pattern already claimed does not count
 * (治疗方案 is a treatment question, not an indications one).
 */
export function detectIntents(text: string): KbIntent[] {
  const claimed: Array<[number, number]> = [];
  const found: Array<[number, KbIntent]> = [];
  for (const [intent, re] of PATTERNS) {
    for (const m of text.matchAll(new RegExp(re.source, 'gu'))) {
      const [start, end] = [m.index, m.index + m[0].length];
      if (claimed.some(([a, b]) => start < b && end > a)) continue;
      claimed.push([start, end]);
      if (!found.some(([, i]) => i === intent)) found.push([start, intent]);
    }
  }
  let intents = found.sort((a, b) => a[0] - b[0]).map(([, intent]) => intent);
  // 哪些药能治疗痛风 and 阿司匹林能治什么 ask one thing from either side: keep the side asked first.
  const first = intents.find((i) => i === 'treatments' || i === 'indications');
  const other = first === 'treatments' ? 'indications' : 'treatments';
  if (first && intents.includes(other)) intents = intents.filter((i) => i !== other);
  return intents.length ? intents : ['overview'];
}

/** Spans of every intent word in the text: entity names are not looked for inside them. */
export function intentSpans(text: string): Array<[number, number]> {
  return [...text.matchAll(ALL)].map((m) => [m.index, m.index + m[0].length]);
}

/** Intents that only make sense for one type: they settle which of two same-named entries is meant. */
const TYPE_OF_INTENT: Partial<Record<KbIntent, KbEntityType>> = {
  indications: 'drug', dosage: 'drug', contraindications: 'drug', adverseReactions: 'drug', interactions: 'drug', cautions: 'drug', specialPopulations: 'drug',
  symptoms: 'disease', examinations: 'disease', treatments: 'disease', department: 'disease', differentials: 'disease',
};

export function intentType(intent: KbIntent): KbEntityType | undefined {
  return TYPE_OF_INTENT[intent];
}

/** The fields that answer an intent for one type of entry; none when the question does not apply to it. */
const FIELDS: Record<KbEntityType, Record<KbIntent, KbField[]>> = {
  drug: {
    indications: ['indications'], dosage: ['dosage'], contraindications: ['contraindications'], adverseReactions: ['adverseReactions'],
    interactions: ['interactions'], cautions: ['cautions'], specialPopulations: ['specialPopulations'],
    treatments: ['indications'], symptoms: [], examinations: [], department: [], differentials: [],
    overview: ['class', 'indications', 'dosage', 'contraindications', 'adverseReactions'],
  },
  disease: {
    symptoms: ['symptoms'], examinations: ['examinations'], treatments: ['treatments', 'drugs', 'otherDrugs'],
    department: ['departments'], differentials: ['differentials'], indications: ['drugs', 'otherDrugs'],
    dosage: [], contraindications: [], adverseReactions: [], interactions: [], cautions: [], specialPopulations: [],
    overview: ['departments', 'symptoms', 'examinations', 'drugs', 'otherDrugs'],
  },
};

export function fieldsFor(type: KbEntityType, intent: KbIntent): KbField[] {
  return FIELDS[type][intent];
}
