import type { FindingStatus } from '../../../contract/index.js';
import type { Mention } from './mentions.js';

/**
 * What one mention asserts, from the words around it. The sides follow how records (and MIE) read
 * a consultation: the patient's account (患者: 有/没有, 做过/没做过, 在吃/没吃), the doctor's own
 * statement (医生: 考虑心肌缺血, 建议做心脏彩超, 不是心衰), a question waiting for its answer, or
 * only mentioned (未知: 如果出现胸闷…, 是不是心衰?).
 */
export type Reading =
  | { side: '患者' | '医生'; status: Exclude<FindingStatus, '未知'> }
  | { side: 'unknown' }
  /** Asked, waiting for the answer; `invert` when it asks whether the item is abnormal (睡眠不好吗？ 嗯 → 睡眠 阴性). */
  | { side: 'question'; invert: boolean }
  | { side: 'none' };

// Interrogative words are read before negation: 有没有 contains 没有, 是不是 contains 不是.
const ASKING = /有没有|是不是|会不会|是否|有无|算不算|要不要|需不需要|需要不需要|能不能|可不可以|用不用|该不该/gu;
const CONTRAST = /但是|但|可是|就是|只是|只有|而是|还是|却|不过/gu;
const CONDITION = /如果|假如|要是|万一|一旦|若是|若|假设|的话|以防|以免|防止|预防|避免/u;

/** Negation before the term: the cue, and how far before the term it may stand. */
const NEG_BEFORE: readonly [RegExp, number][] = [
  [/否认|从来没有|从来没|从没有|从没|从未|并无|并未|并没有|未曾|没有|没|无|未|别|非|勿/gu, 10],
  [/不/gu, 4],
];
// Words that start like a negation and are not one: 无明显诱因出现胸痛, 不舒服的时候胸闷, 没事.
const NOT_NEGATION = /^(?:无明显诱因|无诱因|无缘无故|无意|无论|不舒服|不适|不好|不行|不管|不知道|不知|不过|不停|不断|不止|不了|不到|不少|不能|不得|不久|没事|没多久|没几天|没过多久|没想到|没办法|没法|不用说|无法|没好|没有好|未好|没见好|没缓解|没有缓解|未缓解|没消|没有消|没退|没有退|没减轻|没有减轻|不见好)/u;

const PATIENT_UNSURE_BEFORE = /如何|(?<!为)什么(?!时候)|怕|担心|害怕|可能|疑似|怀疑|不确定|会引起|预防|咨询|问一下|请问|怎么(?:办|治|预防|避免|才能|样)/u;
// 为什么/怎么会 ask the cause of what the patient has (为什么走路就呼吸困难): the symptom is presupposed, not doubted.
// A first-person account after a cue (请问我最近老是感觉头晕) asserts what follows it.
const PATIENT_ACCOUNT = /我(?:最近|近来|这几天|现在|平时|经常|老是|总是|一直|有时|偶尔)*(?:感觉|觉得|出现|老是|总是|经常|有点|有些|一直)|感觉|觉得/gu;
// Asking what a condition is (冠心病有什么症状, 早搏正常吗, 和冠心病有区别吗) is about the condition, not the patient.
const KNOWLEDGE_AFTER = /^(?:的)?(?:有什么|有哪些|是什么|是怎么|什么原因|的定义|定义是|会有哪些|正常吗|严重吗|有关吗|有关系吗|有区别|区别是|死亡率|发病率|能根治|可以根治|能治好|会遗传)/u;
// Said in a question only: 是感冒引起的么？ asks the cause, 感冒引起的胸闷 states it.
const KNOWLEDGE_QUESTION_AFTER = /^(?:的)?(?:原因|表现|症状是|的症状|引起的|导致的)/u;
const UNSURE_AFTER = /^(?:了)?(?:吗|么|嘛|呢|吧)|^(?:的)?(?:可能|风险)/u;
// 胸痛以外的不适: the term only marks an exception.
const EXCEPT_AFTER = /^(?:以外|之外)/u;
// 有心衰没？ asks; 心电图没有 (a statement) denies.
const ASKED_AFTER = /^(?:了)?(?:没|没有)$/u;

const SYMPTOM_NEG_AFTER = /^(?:也|都|倒|还|就|已经|现在|基本|完全)?(?:没有了|没了|没有|没|无|不明显|消失了|消失|好了|不再|不存在|没再犯|没再)(?!有?(?:别的|其他|其它)|好|缓解|消|退|减轻)/u;
// Asking whether it has gone (感冒好了吗？水肿消退了没有？) takes for granted that it was there.
const RECOVERY_ASKED_AFTER = /^(?:有没有|是否|有无|[\u{E000}]+)?(?:慢慢|已经|都|还)?(?:好了|好转|消退|消失|缓解|减轻|退了|消了)/u;
const DOCTOR_NEG_AFTER = /^(?:的)?(?:其实|应该|可能|也|都|并)?(?:可能性不大|可能性小|可能不大|关系不大|没关系|没有关系|无关|不大|不明显|不支持|不太像|不像|不考虑|没有|的可能不大)/u;
const DOCTOR_NEG_BEFORE = /(?:不是|不像|不考虑|看不出来?|不支持|不属于|不算|并非|未见|没看到|没有|没|无|不)(?:什么|明显的?|典型的?|一个)?$/u;
const DOCTOR_HYPOTHESIS = /出现|会|可能会|容易|注意|警惕|排除|看看|观察|明确|引起|导致|诱发|一般|通常|常见|多见|很少|多是|比如|例如|或者|怕|担心|要看|是不是|是否|有没有|以后|将来|避免|预防|防止|风险|有的人|有些人|很多人|典型|治疗|与|和|跟/u;
const DOCTOR_HYPOTHESIS_AFTER = /^(?:会|可能|时|的时候|的话|也会|都会|患者|病人|的人|的患者|的病人|是一种|是指|一般|通常|主要)/u;
// The doctor's own conclusion, said just before the term (考虑心肌缺血, 你这是房颤) or just after it (心衰比较重).
// A short qualifier may stand between the cue and the term (有频繁的室性早搏, 是偶发的早搏).
const DOCTOR_ASSERT_BEFORE = /(?:考虑|诊断为?|属于|符合|提示|确诊为?|就是|应该是|可能是|考虑是|考虑为|是|有|存在|合并|伴有?|患有?|得了|还有)(?:一个|个|了|点|些|轻度|中度|重度|明显的?|典型的?|[^，。的]{1,3}的)?$/u;
// How much or how bad, said of the patient's condition (室性早搏多, 心衰比较重).
const DOCTOR_ASSERT_AFTER = /^(?:的)?(?:表现|症状|比较重|很重|很严重|严重|已经|诊断明确|明确|可能性大|可能大|无疑|加重|(?:比较|很|较|非常|挺)?(?:多|频繁|频发))/u;

// A list of tests that goes on to a verdict (心电图，没问题) reports results, not orders.
const LIST_NOT_ORDER = /正常|问题|异常|提示|显示|结果|报告|做过|做了|查过|没|不|未|吗|？|\?/u;
const ORDER_NEG = /不用|不需要|没必要|不建议|不要|别|停用|停掉|停药|停了|暂时不|无需|不必|禁用|不能用|不能吃|不宜/u;
const ORDER = /建议|可以|需要|需|要|应该|应|最好|先|再|去|做个|做一下|查一下|查个|复查|完善|安排|预约|开|吃|服|加用|加|换|用|继续|坚持|配合|联合|必须|一定|考虑|行|尽快|住院/u;
const RESULT = /显示|提示|报告|结果|看|这|你的|你这|您的|您这|从|做的|做了|做过|查了|查过|单子|示|上/u;
// Words that tie a test to its result at once (心电图提示…, 根据超声…): a test already done.
const RESULT_AFTER = /^(?:的)?(?:报告|结果|提示|显示|报的|报|示|上|单|图片|检查结果|没有问题|没问题|没什么问题|没有大问题|没有多大问题|正常|未见异常|有问题|有点问题|异常|看不出)/u;
const RESULT_BEFORE = /(?:根据|从|你的|您的|你这|您这|这个|这|看了?|拿)$/u;
const PATIENT_DONE_NEG_AFTER = /^(?:也|都|还|就|已经|现在)?(?:没做|没有做|没查|没有查|未做|没检查|没吃|没有吃|没用|没有用|停了|停药|不吃了|没有(?!问题|异常|事|大碍|什么|通过|发现|查出)|没(?!问题|事|什么|通过|发现|查出))/u;
// 没有体检出来, 没查出: done, and nothing found.
const FOUND_AFTER = /^(?:出来|出|查出|检查出|发现)/u;
const PATIENT_ASKS_ORDER = /要不要|需不需要|需要|用不用|能不能|可不可以|可以|能否|是否|怎么|如何|什么|哪|还要/u;

const RESULT_QUESTION_AFTER = /^(?:的)?(?:有问题|有没有问题|有什么问题|有异常|有没有异常|正常|结果|报告|提示|显示|怎么样|看看|单子)/u;
const RESULT_QUESTION_BEFORE = /(?:发个?|发一下|拍个?|拍一下|传个?|上传)$/u;
const GENERAL_NORMAL_AFTER = /^(?:也|都|还|一直|挺|很|比较|基本)?(?:正常|好|可以|还行|不错|规律|没问题|没什么问题|没有问题|ok)/u;
// Said of the habit itself (抽烟二十年, 每天喝酒, 有吸烟史): a general item asserted without a verdict word.
const GENERAL_HABIT_AFTER = /^(?:\d|[一二两三四五六七八九十半几]|很多|较多|比较多|多年|史|习惯|很凶|厉害)/u;
const GENERAL_HABIT_BEFORE = /(?:有|在|经常|偶尔|每天|天天|一直|常|爱|会|也|还|平时|平常|少量|大量)$/u;
// A circumstance, not an assertion: 紧张时心率快, 劳累后胸痛, 一紧张就心慌.
const CIRCUMSTANCE_AFTER = /^(?:时|的时候|之后|后|以后|了会|了就|就会|就)/u;
const CIRCUMSTANCE_BEFORE = /(?:一|稍微一|稍一|每次|一旦|每当)$/u;
const GENERAL_ABNORMAL_AFTER = /^(?:也|都|还|一直|有点|有些|比较|很|特别|太)?(?:不太好|不好|不行|差|不佳|不规律|不正常|异常|困难|不畅|干结|干燥|少|稀|不踏实|一般|不怎么样)/u;

/** The text before the mention in its clause, after the last contrast (但…) and with questions masked. */
function before(m: Mention): string {
  const pre = m.clause.slice(0, m.start);
  let cut = 0;
  for (const c of pre.matchAll(CONTRAST)) cut = c.index + c[0].length;
  return pre.slice(cut);
}
const after = (m: Mention): string => m.clause.slice(m.listEnd);
// Masked with a character speech never uses, so a plain 问 (问题, 请问) is not taken for an asking word.
const ASK_MARK = '\u{E000}';
const masked = (text: string): string => text.replace(ASKING, (w) => ASK_MARK.repeat(w.length));

function negatedBefore(pre: string): boolean {
  const text = masked(pre);
  for (const [cue, reach] of NEG_BEFORE) {
    for (const c of text.matchAll(cue)) {
      if (NOT_NEGATION.test(text.slice(c.index))) continue;
      if (text.length - (c.index + c[0].length) <= reach) return true;
    }
  }
  return false;
}

/** A sentence of short names only (血压，心电图，心脏彩超。), with no verdict in it. */
const isShortList = (sentence: string): boolean =>
  !LIST_NOT_ORDER.test(sentence) && sentence.replace(/[。！!；;…~\s]+$/u, '').split(/[，,、]/u).every((part) => part.length <= LIST_PART);
const LIST_PART = 8;

/** The words before the mention after the patient's last first-person account of it, if any. */
function sinceAccount(pre: string): string {
  let cut = 0;
  for (const c of pre.matchAll(PATIENT_ACCOUNT)) cut = c.index + c[0].length;
  return pre.slice(cut);
}

/** 阴性 when the words name the item as abnormal (失眠 → 睡眠 阴性), and a negation turns it back. */
const polarity = (negated: boolean, abnormal: boolean): '阳性' | '阴性' => (negated !== abnormal ? '阴性' : '阳性');

export function readMention(m: Mention): Reading {
  const pre = before(m);
  const post = after(m);
  const sentencePre = masked(m.sentenceBefore + pre);
  const conditional = CONDITION.test(m.sentenceBefore + pre);
  if (m.speaker === '医生') {
    if (m.sentence.question) {
      // Asking about a test's result (心脏彩超有问题吗？发个心电图看看) takes for granted it was done.
      if (m.entry.category === '检查' && (RESULT_QUESTION_AFTER.test(post) || RESULT_QUESTION_BEFORE.test(pre))) return { side: '患者', status: '阳性' };
      const recovery = m.entry.category === '症状' && RECOVERY_ASKED_AFTER.test(masked(post));
      return { side: 'question', invert: recovery || m.abnormal || (m.entry.category === '一般信息' && GENERAL_ABNORMAL_AFTER.test(post)) };
    }
    // A doctor's sentence of bare terms names diagnoses (先天性心脏病。室间隔缺损).
    if (m.bare && m.entry.category === '症状' && !m.sentenceBefore && !/等/u.test(m.sentence.text)) return { side: '医生', status: '阳性' };
    // A doctor's sentence of bare test names lists what to do (心电图，心脏彩超。).
    if (m.bare && m.entry.category === '检查' && isShortList(m.sentence.text)) return { side: '医生', status: '阳性' };
    switch (m.entry.category) {
      case '一般信息':
        return { side: 'none' }; // advice (戒烟限酒, 注意睡眠) is not the patient's history
      case '症状':
      case '过敏':
        if (conditional) return { side: 'unknown' };
        if (DOCTOR_NEG_AFTER.test(post) || DOCTOR_NEG_BEFORE.test(masked(pre))) return { side: '医生', status: '阴性' };
        if (DOCTOR_HYPOTHESIS.test(pre) || DOCTOR_HYPOTHESIS_AFTER.test(post)) return { side: 'unknown' };
        if (DOCTOR_ASSERT_BEFORE.test(pre) || DOCTOR_ASSERT_AFTER.test(post)) return { side: '医生', status: '阳性' };
        return { side: 'unknown' };
      default:
        // A test the doctor reads (这个心电图…, 心电图提示…) is one the patient has had.
        if (RESULT_AFTER.test(post) || RESULT_BEFORE.test(pre)) return { side: '患者', status: '阳性' };
        if (ORDER_NEG.test(masked(pre)) || ORDER_NEG.test(post)) return { side: '医生', status: '阴性' };
        // An order stands even when conditional (如果胸闷加重，就得查心肌酶).
        if (ORDER.test(sentencePre) || ORDER.test(post)) return { side: '医生', status: '阳性' };
        if (conditional) return { side: 'unknown' };
        if (RESULT.test(pre) || RESULT.test(post)) return { side: '患者', status: '阳性' };
        return { side: 'unknown' };
    }
  }
  const circumstance = m.entry.category !== '检查' && m.entry.category !== '手术' && m.entry.category !== '药物' && (CIRCUMSTANCE_AFTER.test(post) || CIRCUMSTANCE_BEFORE.test(pre));
  if (EXCEPT_AFTER.test(post)) return { side: 'none' };
  const unsure = conditional || circumstance || masked(pre).includes(ASK_MARK) || UNSURE_AFTER.test(post) || PATIENT_UNSURE_BEFORE.test(sinceAccount(pre)) || KNOWLEDGE_AFTER.test(post) || (m.sentence.question && KNOWLEDGE_QUESTION_AFTER.test(post)) || (m.sentence.question && ASKED_AFTER.test(post));
  switch (m.entry.category) {
    case '检查':
    case '手术':
    case '药物':
      if (unsure || PATIENT_ASKS_ORDER.test(pre) || (m.sentence.question && PATIENT_ASKS_ORDER.test(post))) return { side: 'unknown' };
      if (FOUND_AFTER.test(post)) return { side: '患者', status: '阳性' };
      return { side: '患者', status: negatedBefore(pre) || PATIENT_DONE_NEG_AFTER.test(post) ? '阴性' : '阳性' };
    case '一般信息':
      // Asking about diet or sleep (饮食方面注意什么?) says nothing of the patient's.
      if (unsure || m.sentence.question) return { side: 'none' };
      if (GENERAL_ABNORMAL_AFTER.test(post)) return { side: '患者', status: negatedBefore(pre) ? '阳性' : '阴性' };
      if (GENERAL_NORMAL_AFTER.test(post)) return { side: '患者', status: polarity(negatedBefore(pre), m.abnormal) };
      if (m.abnormal || negatedBefore(pre) || SYMPTOM_NEG_AFTER.test(post)) return { side: '患者', status: polarity(negatedBefore(pre) || SYMPTOM_NEG_AFTER.test(post), m.abnormal) };
      // Named in passing (晚上睡觉的时候头晕) says nothing of how it is.
      return GENERAL_HABIT_AFTER.test(post) || GENERAL_HABIT_BEFORE.test(pre) ? { side: '患者', status: '阳性' } : { side: 'none' };
    default:
      if (m.sentence.question && RECOVERY_ASKED_AFTER.test(masked(post))) return { side: '患者', status: polarity(false, m.abnormal) };
      if (unsure) return { side: 'unknown' };
      // 除了流鼻涕没有别的症状: the exception is present.
      if (/除了/u.test(pre)) return { side: '患者', status: polarity(false, m.abnormal) };
      return { side: '患者', status: polarity(negatedBefore(pre) || SYMPTOM_NEG_AFTER.test(post), m.abnormal) };
  }
}

const YES = /^(?:嗯+|恩+|有|是|对|会|经常|偶尔|一直|做过|做了|查过|查了|检查过|检查了|吃过|吃了|在吃|抽|喝|吸|好|挺好|还好|还行|还可以|可以|不错|规律|yes|ok)/u;
// 除了流鼻涕没有别的症状: everything else asked is denied.
const NONE_ELSE = /没有别的|没有其他|没有其它|别的没有|其他没有|其它没有|别的都没有|其他都没有|都没有/u;
const NO = /^(?:没|无|不|否|从来没|从没|都没|未|也没|暂时没|还没|no)/u;
// For a test or a general item, 正常 answers it (done, or normal).
const NORMAL = /^(?:正常|都正常|挺正常)/u;
const GREETING = /^(?:医生|大夫|你好|您好|嗯嗯|哦+|噢+)[，,\s]*/u;

/** A clause that answers yes or no. */
export const isReply = (clause: string): boolean => {
  const text = clause.trim().replace(GREETING, '');
  return YES.test(text) || NO.test(text) || NORMAL.test(text);
};

/** The patient's answer to a doctor's question: 有/是的/对 settle it as present, 没有/不 as absent, anything else leaves it open. */
export function readAnswer(clause: string | undefined, whole: string, abnormal: boolean, category: Mention['entry']['category']): Reading {
  if (clause === undefined) return NONE_ELSE.test(whole) ? { side: '患者', status: polarity(true, abnormal) } : { side: 'unknown' };
  const text = clause.trim().replace(GREETING, '');
  if (NO.test(text)) return { side: '患者', status: polarity(true, abnormal) };
  if (YES.test(text) || (NORMAL.test(text) && (category === '检查' || category === '一般信息'))) return { side: '患者', status: polarity(false, abnormal) };
  return { side: 'unknown' };
}
