import type { KbEntityType, KbField, KbIntent } from '../../../contract/index.js';

/**
 * What a question asks, from its wording. Checked in order, first match wins: the specific before
 * the general ("哪些药物能治疗…" is a treatment question though it contains 能治; "副作用" before 作用).
 * Run on the question with entity names masked, so 妊娠期糖尿病 does not read as a pregnancy question.
 */
const PATTERNS: ReadonlyArray<[KbIntent, RegExp]> = [
  ['interactions', /相互作用|能否同服|能否(?:合用|联用|同用|一起)|可否(?:合用|同服|一起)|能不能一起|可以一起|一起(?:吃|服|用|喝|输)|同时(?:服用|使用|吃|用|喝|输)|合用|联用|同服|并用|间隔多久|隔多久|(?<![a-z])interactions?(?![a-z])/u],
  ['dosage', /用法用量|用法|用量|剂量|怎么(?:吃|服|用)(?!药)|如何(?:服用|使用)|吃多少|服多少|用多少|喂多少|一次(?:吃|服|用)?几|一天(?:吃|服|用)?几|一天(?:最多)?(?:能)?(?:吃|服|用)?几次|每天几次|每日几次|最多(?:能)?(?:吃|服|用)|(?<![a-z])dos(?:e|es|age|ing)(?![a-z])/u],
  ['contraindications', /禁忌|禁用|哪些人不能|什么人不能|不能用于|不宜使用|过敏(?:的人)?(?:能|可以)|(?<![a-z])contraindications?(?![a-z])/u],
  ['adverseReactions', /不良反应|副作用|副反应|坏处|危害|(?<![a-z])side_effects?(?![a-z])|(?<![a-z])adverse(?![a-z])/u],
  ['department', /挂(?:什么|哪个|哪一?个?)科|(?:哪个|什么|哪一)科|就诊科室|看什么科|科室/u],
  ['examinations', /检查|化验|检验|查什么|筛查|心电图|试验|(?<![a-z])tests?(?![a-z])|(?<![a-z])examinations?(?![a-z])/u],
  ['symptoms', /症状|临床表现|表现|征兆|症候|(?<![a-z])symptoms?(?![a-z])/u],
  ['differentials', /鉴别|区分|区别|分辨/u],
  ['treatments', /哪些药|什么药|用药|怎么治|如何治|怎样治|治疗方法|治疗方案|吃什么|用什么|治疗措施|怎么处理|如何处理|怎样处理|处理原则|怎么办|抢救|急救|首选|疗程|要吃多久|需要治疗|要治疗|怎么控制|饮食|(?<![a-z])treat(?:ment|ed)?(?![a-z])/u],
  ['specialPopulations', /孕妇|妊娠|怀孕|孕早期|孕期|备孕|哺乳|儿童|小孩|婴幼儿|新生儿|老年人|老人|肝功能不全|肾功能不全|肝功能不好|肾功能不好|(?<![a-z])pregnan(?:t|cy)(?![a-z])/u],
  ['cautions', /注意事项|注意|慎用|能停|要停|停药|停吗|停多久|突然停|掰开|嚼|静推|静脉推注|肌注|肌内注射|什么时候(?:吃|服|用|打)|饭前|饭后|空腹|漱口|监测|定期查|(?<![a-z])precautions?(?![a-z])/u],
  ['indications', /适应症|适应证|适应病症|适用于|适用|用于|主治|能治疗|可治疗|能治|治什么|治疗什么|治疗哪些|可治|功效|作用|(?<![a-z])indications?(?![a-z])|(?<![a-z])used_for(?![a-z])/u],
];

const GLOBAL_PATTERNS = PATTERNS.map(([intent, re]) => [intent, new RegExp(re.source, 'gu')] as const);

const MAY_TAKE = /能(?:吃|用|服)|能不能(?:吃|用|服)|可以(?:吃|用|服)|可不可以(?:吃|用|服)/u;

const ALL = new RegExp(PATTERNS.map(([, re]) => re.source).join('|'), 'gu');

/**
 * Every intent the question asks, in the order it asks them (禁忌和副作用 asks two). Patterns are
 * tried specific first; a match inside words an earlier pattern already claimed does not count
 * (治疗方案 is a treatment question, not an indications one).
 */
export function detectIntents(text: string): KbIntent[] {
  const claimed: Array<[number, number]> = [];
  const found: Array<[number, KbIntent]> = [];
  for (const [intent, re] of GLOBAL_PATTERNS) {
    for (const m of text.matchAll(re)) {
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
  if (intents.length) return intents;
  // 哮喘病人能用倍他乐克吗 asks nothing more specific: whether it may be taken, and with what care.
  return MAY_TAKE.test(text) ? ['contraindications', 'cautions'] : ['overview'];
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
    // 吃了X拉肚子怎么办 asks what to watch and do, not what X treats.
    treatments: ['cautions', 'adverseReactions'], symptoms: ['adverseReactions'], examinations: [], department: [], differentials: [],
    overview: ['class', 'indications', 'dosage', 'contraindications', 'cautions', 'adverseReactions'],
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
