import type { Finding, RecordKind, RecordSection, RecordSentence, RecordTemplate, Turn } from '../../../contract/index.js';
import { isDiseaseTerm } from './disease-terms.js';
import { doseWords, examStatements } from './doctor-words.js';

/**
 * The draft without a model: a 门诊病历 assembled from the findings, every sentence citing the turns
 * of the findings it names, so no sentence is unsupported by construction. It states only what the
 * findings state (no 阵发性, no 否认 without a denial); a section it cannot fill stays empty for the
 * doctor to complete.
 */

export interface FindingsDraftInput {
  kind: RecordKind;
  template: RecordTemplate;
  turns: readonly Turn[];
  findings: readonly Finding[];
}

/** One item with all its findings of one category and status (said by both speakers, or twice). */
interface Item {
  name: string;
  findings: Finding[];
  /** The turn that first supports it: the draft follows the order of the consultation. */
  first: number;
  duration: string | null;
}

const CHIEF_COMPLAINT_MAX = 20;
/** A duration that is a span of time (三天, 半年, 2周, 3年余), so that 「…前出现」 reads right. */
const SPAN = /天|日|周|星期|礼拜|月|年|小时|分钟|钟头/u;
/** A span of a month or more: a medicine taken that long is a long-term one (既往史). */
const LONG_SPAN = /月|年/u;
/**
 * A doctor's turn that advises (建议查一下心彩超), as opposed to one reading a result aloud (心电图考虑
 * 心肌缺血, 可以看出…): only words that ask for something to be done.
 */
const ADVICE = /建议|需要|应该|应当|最好|复查|再查|再做|去查|去做|查一?下|查个|做一?下|做个|预约|约个|完善|可以做|可以查/u;
/** A doctor's turn that offers an operation as an option (可以考虑射频消融, 可以微创封堵); the plan says 可考虑, no more. */
const OPTION = /建议|需要|应该|可以|考虑/u;

/** How 个人史 states a general item: 阳性 for 吸烟/饮酒/妊娠/哺乳 means present; for the others, that it is normal (the vocabulary's meaning). */
const GENERAL_PHRASES: Record<string, { 阳性: string; 阴性: string }> = {
  精神状态: { 阳性: '精神状态可', 阴性: '精神状态差' },
  睡眠: { 阳性: '睡眠可', 阴性: '睡眠差' },
  饮食: { 阳性: '饮食可', 阴性: '饮食差' },
  大小便: { 阳性: '大小便正常', 阴性: '大小便异常' },
  吸烟: { 阳性: '有吸烟史', 阴性: '否认吸烟史' },
  饮酒: { 阳性: '有饮酒史', 阴性: '否认饮酒史' },
  妊娠: { 阳性: '妊娠期', 阴性: '否认妊娠' },
  哺乳: { 阳性: '哺乳期', 阴性: '非哺乳期' },
};

/** Where each part of the draft goes, in order of preference: a 复诊 has 病史 in place of 现病史 and the histories. */
const PLACES = {
  chiefComplaint: ['chiefComplaint'],
  presentIllness: ['presentIllness', 'history'],
  pastHistory: ['pastHistory', 'history', 'presentIllness'],
  allergyHistory: ['allergyHistory', 'pastHistory', 'history'],
  personalHistory: ['personalHistory', 'history', 'presentIllness'],
  physicalExam: ['physicalExam'],
  auxiliaryExams: ['auxiliaryExams'],
  diagnosis: ['diagnosis'],
  plan: ['plan'],
} as const;
type Part = keyof typeof PLACES;

const CHINESE_DIGITS: Record<string, number> = { 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const DIGIT = '[一二两三四五六七八九]';

/** One run of Chinese numerals as digits (五 → 5, 二十 → 20, 两三 → 2～3), or the run as it is when it is not that simple (十几). */
function numeral(run: string): string {
  const digit = (c: string | undefined): number => (c ? CHINESE_DIGITS[c]! : 0);
  if (new RegExp(`^${DIGIT}$`, 'u').test(run)) return String(digit(run));
  const tens = new RegExp(`^(${DIGIT})?十(${DIGIT})?$`, 'u').exec(run);
  if (tens) return String((tens[1] ? digit(tens[1]) : 1) * 10 + digit(tens[2]));
  const range = new RegExp(`^(${DIGIT})(${DIGIT})$`, 'u').exec(run);
  if (range && digit(range[2]) === digit(range[1]) + 1) return `${digit(range[1])}～${digit(range[2])}`;
  return run;
}

/** 三天 → 3天, 十余年 → 10余年, 两三天 → 2～3天: a record writes numbers as digits. 半年 stays. */
export function compactDuration(duration: string): string {
  return duration.replace(/[一二两三四五六七八九十百几数]+/gu, numeral);
}

/** 3天 → 3天前, 近半年 → 约半年前, 一周左右 → 约1周前; a duration that is no span of time gives no onset. */
function onsetOf(duration: string | null): string {
  if (!duration || !SPAN.test(duration)) return '';
  const compact = compactDuration(duration);
  const plain = compact.replace(/^(?:大约|将近|差不多|近|约)|左右$/gu, '');
  return `${plain === compact ? '' : '约'}${plain}前`;
}

function evidenceOf(findings: Finding[]): number[] {
  return [...new Set(findings.flatMap((f) => f.evidence))].sort((a, b) => a - b);
}

function sentence(text: string, items: Item[]): RecordSentence {
  return { text, evidence: evidenceOf(items.flatMap((i) => i.findings)), origin: 'draft' };
}

/** Findings grouped by item, in the order the consultation first supports them. */
function itemsOf(findings: Finding[]): Item[] {
  const byName = new Map<string, Item>();
  for (const finding of findings) {
    const first = Math.min(...finding.evidence);
    const item = byName.get(finding.item);
    if (!item) {
      byName.set(finding.item, { name: finding.item, findings: [finding], first, duration: finding.duration });
      continue;
    }
    item.findings.push(finding);
    item.first = Math.min(item.first, first);
    item.duration ??= finding.duration;
  }
  return [...byName.values()].sort((a, b) => a.first - b.first);
}

const names = (items: Item[]): string => items.map((i) => i.name).join('、');
const saidBy = (item: Item, speaker: Finding['speaker']): boolean => item.findings.some((f) => f.speaker === speaker);
const onset = (item: Item): string => onsetOf(item.duration);
/** 心电图 → 心电图检查; 体检 and 血常规检查 are named as they are. */
const examNames = (items: Item[]): string => items.map((i) => (/检查?$/u.test(i.name) ? i.name : `${i.name}检查`)).join('、');
const operationNames = (items: Item[]): string => items.map((i) => (i.name.endsWith('术') ? i.name : `${i.name}手术`)).join('、');
const allergenNames = (items: Item[]): string => items.map((i) => i.name.replace(/过敏史?$/u, '') || '药物').join('、');

/** The main symptom: the patient's first complaint, the most supported on a tie. */
function mainSymptom(symptoms: Item[]): Item | undefined {
  const own = symptoms.filter((s) => saidBy(s, '患者'));
  return [...(own.length ? own : symptoms)].sort((a, b) => a.first - b.first || evidenceOf(b.findings).length - evidenceOf(a.findings).length)[0];
}

/**
 * 主诉: the main symptom and its duration; symptoms the same turn names with the same duration
 * (胸闷、气短半年) join it while it stays within 20 characters.
 */
function chiefComplaint(main: Item, symptoms: Item[]): RecordSentence {
  const duration = main.duration ? compactDuration(main.duration) : '';
  const chosen = [main];
  for (const companion of symptoms.filter((s) => s !== main && s.first === main.first && s.duration === main.duration)) {
    if ([...`${names([...chosen, companion])}${duration}`].length <= CHIEF_COMPLAINT_MAX) chosen.push(companion);
  }
  const complaint = `${names(chosen)}${duration}`;
  return [...complaint].length <= CHIEF_COMPLAINT_MAX ? sentence(complaint, chosen) : sentence(main.name, [main]);
}

/** One sentence naming all the items, or none. */
const allOf = (items: Item[], text: (names: string) => string, naming: (items: Item[]) => string = names): RecordSentence[] =>
  items.length ? [sentence(text(naming(items)), items)] : [];

/** 现病史: onset of the main symptom with those that accompany it, the symptoms and recent diseases with their own onset, denials, medicines, tests. */
function presentIllness(main: Item | undefined, p: {
  symptoms: Item[]; recent: Item[]; denied: Item[]; taken: Item[]; notTaken: Item[]; examsDone: Item[]; examsNotDone: Item[];
}): RecordSentence[] {
  const { symptoms, recent, denied } = p;
  const out: RecordSentence[] = [];
  if (main) {
    const ownOnset = symptoms.filter((s) => s !== main && onset(s) && onset(s) !== onset(main));
    const accompanying = symptoms.filter((s) => s !== main && !ownOnset.includes(s));
    out.push(sentence(`患者${onset(main)}出现${main.name}${accompanying.length ? `，伴${names(accompanying)}` : ''}。`, [main, ...accompanying]));
    for (const symptom of ownOnset) out.push(sentence(`${onset(symptom)}出现${symptom.name}。`, [symptom]));
  }
  for (const disease of recent) out.push(sentence(`${onset(disease)}出现${disease.name}。`, [disease]));
  return [
    ...out,
    ...allOf(denied, () => `${denied.map((d) => `无${d.name}`).join('，')}。`),
    ...allOf(p.taken, (n) => `已服用${n}。`),
    ...allOf(p.notTaken, (n) => `未服用${n}。`),
    ...allOf(p.examsDone, (n) => `曾行${n}。`, examNames),
    ...allOf(p.examsNotDone, (n) => `未行${n}。`, examNames),
  ];
}

function pastHistory({ diseases, deniedDiseases, operations, deniedOperations, longTerm }: {
  diseases: Item[]; deniedDiseases: Item[]; operations: Item[]; deniedOperations: Item[]; longTerm: Item[];
}): RecordSentence[] {
  return [
    ...allOf(diseases.filter((d) => !d.duration), (n) => `有${n}病史。`),
    ...diseases.filter((d) => d.duration).map((d) => sentence(`有${d.name}病史${compactDuration(d.duration!)}。`, [d])),
    ...allOf(deniedDiseases, (n) => `否认${n}病史。`),
    ...allOf(operations, (n) => `有${n}史。`, operationNames),
    ...allOf(deniedOperations, (n) => `否认${n}史。`, operationNames),
    ...longTerm.map((m) => sentence(`服用${m.name}${compactDuration(m.duration!)}。`, [m])),
  ];
}

function personalHistory(general: Finding[]): RecordSentence[] {
  const items = itemsOf(general.filter((f) => f.status !== '未知'));
  if (!items.length) return [];
  const clauses = items.flatMap((item) => {
    // An item stated both ways (睡眠可 early, 睡眠差 later) keeps the later statement: the account as it ended.
    const last = [...item.findings].sort((a, b) => Math.max(...a.evidence) - Math.max(...b.evidence)).at(-1)!;
    const status = last.status as '阳性' | '阴性';
    return [GENERAL_PHRASES[item.name]?.[status] ?? `${item.name}：${status}`];
  });
  return [sentence(`${clauses.join('，')}。`, items)];
}

/** Whether a doctor's turn that supports it says `cue` (a test to do, rather than one read out). */
function advised(item: Item, turns: readonly Turn[], cue: RegExp): boolean {
  return item.findings.some((f) => f.speaker === '医生' && f.evidence.some((i) => turns[i]?.speaker === '医生' && cue.test(turns[i]!.text)));
}

export function draftFromFindings({ kind, template, turns, findings }: FindingsDraftInput): RecordSection[] {
  // A finding no turn supports cannot be cited: it stays out of the draft (the findings panel still lists it).
  const cited = findings.filter((f) => f.evidence.length > 0);
  const pick = (category: Finding['category'], status: Finding['status'], speaker?: Finding['speaker']) =>
    cited.filter((f) => f.category === category && f.status === status && (!speaker || f.speaker === speaker));

  const positiveSymptoms = pick('症状', '阳性');
  const symptoms = itemsOf(positiveSymptoms.filter((f) => !isDiseaseTerm(f.item)));
  const deniedSymptoms = itemsOf(pick('症状', '阴性', '患者').filter((f) => !isDiseaseTerm(f.item)));
  const reported = itemsOf(positiveSymptoms.filter((f) => isDiseaseTerm(f.item) && f.speaker === '患者'));
  // A disease the patient has had for days (感冒2天) is the present illness, not the past history.
  const recent = reported.filter((d) => onset(d) && !LONG_SPAN.test(d.duration!));
  const history = reported.filter((d) => !recent.includes(d));
  const diagnoses = itemsOf(positiveSymptoms.filter((f) => isDiseaseTerm(f.item) && f.speaker === '医生'));
  const deniedDiseases = itemsOf(pick('症状', '阴性', '患者').filter((f) => isDiseaseTerm(f.item)));

  const medicinesTaken = itemsOf(pick('药物', '阳性', '患者'));
  const longTerm = medicinesTaken.filter((m) => m.duration && LONG_SPAN.test(m.duration));
  const prescribed = itemsOf(pick('药物', '阳性', '医生'));

  const doctorExams = itemsOf(pick('检查', '阳性', '医生'));
  const examsAdvised = doctorExams.filter((e) => advised(e, turns, ADVICE));
  const examsDone = itemsOf([...pick('检查', '阳性', '患者'), ...doctorExams.filter((e) => !examsAdvised.includes(e)).flatMap((e) => e.findings)]);
  const examsNotDone = itemsOf(pick('检查', '阴性', '患者'));
  const operationsOffered = itemsOf(pick('手术', '阳性', '医生')).filter((o) => advised(o, turns, OPTION));

  const main = mainSymptom(symptoms);

  const parts: Record<Part, RecordSentence[]> = {
    chiefComplaint: main ? [chiefComplaint(main, symptoms)] : [],
    presentIllness: presentIllness(main, {
      symptoms, recent, denied: deniedSymptoms,
      taken: medicinesTaken.filter((m) => !longTerm.includes(m)), notTaken: itemsOf(pick('药物', '阴性', '患者')),
      examsDone, examsNotDone,
    }),
    pastHistory: pastHistory({
      diseases: history, deniedDiseases, operations: itemsOf(pick('手术', '阳性', '患者')), deniedOperations: itemsOf(pick('手术', '阴性', '患者')), longTerm,
    }),
    allergyHistory: [
      ...allOf(itemsOf(pick('过敏', '阳性')), (n) => `有${n}过敏史。`, allergenNames),
      ...allOf(itemsOf(pick('过敏', '阴性')), (n) => `否认${n}过敏史。`, allergenNames),
    ],
    personalHistory: personalHistory(cited.filter((f) => f.category === '一般信息')),
    physicalExam: examStatements(turns),
    auxiliaryExams: allOf(examsDone, (n) => `已行${n}。`, examNames),
    diagnosis: diagnoses.map((d) => sentence(d.name, [d])),
    plan: [
      ...allOf(examsAdvised, (n) => `建议行${n}。`, examNames),
      ...allOf(operationsOffered, (n) => `可考虑${n}。`),
      // Each medicine with its dose as the doctor said it, so the dose check can read the draft.
      ...prescribed.map((m) => sentence(`用药：${m.name}${doseWords(m.name, turns, m.findings.flatMap((f) => f.evidence))}。`, [m])),
    ],
  };

  const sections = template.sections[kind];
  const keys = new Set(sections.map((s) => s.key));
  const placed = new Map<string, RecordSentence[]>();
  for (const part of Object.keys(PLACES) as Part[]) {
    const key = PLACES[part].find((k) => keys.has(k));
    if (key) placed.set(key, [...(placed.get(key) ?? []), ...parts[part]]);
  }
  return sections.map((s) => ({ key: s.key, title: s.title, required: s.required, sentences: placed.get(s.key) ?? [] }));
}
