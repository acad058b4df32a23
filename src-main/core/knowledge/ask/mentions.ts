/**
 * Where the names in a question begin and end. A question is names held together by the words of
 * its shape — `{X}的适应症`, `{X}能治疗什么`, `{X}和{Y}能一起吃吗`, `吃了{X}…`, `{X}急性发作怎么处理` —
 * so the text between those words is a mention, and a name only answers for a mention it covers
 * whole: 可定 inside 福尔可定, or 阿莫西林 in 阿莫西林克拉维酸钾, is part of a longer name the base
 * does not know, never that name itself.
 */

/** Positions already claimed: intent words (boundaries) and names (not boundaries). */
export const INTENT_MASK = '\uE000';
const NAME_MASK = '\uE001';

/**
 * The words of a question's shape, longest first within each group. Single characters are only
 * those that never continue a drug or disease name next to one (的, 和, 吗 …); characters that do
 * (可 in 可的松, 对 in 对乙酰氨基酚, 他 in 他克莫司) count only inside longer words.
 */
const WORDS = [
  // asking
  '可不可以', '能不能', '会不会', '有没有', '是不是', '为什么', '是什么', '有哪些', '有什么', '是否', '能否', '可否', '可以', '请问',
  '什么', '哪些', '哪个', '怎么样', '怎么办', '怎么', '如何', '怎样', '多少', '多久', '几次', '几天', '一下', '介绍', '需要', '应该', '还是', '或者', '以及',
  // taking, having
  '正在服用', '服用', '使用', '用了', '吃了', '喝了', '打了', '口服', '静滴', '注射', '同时', '一起', '一同', '合用', '联用', '合并', '伴有',
  '患有', '得了', '患了', '确诊', '诊断为', '治疗', '预防', '控制', '缓解', '去看', '去挂',
  // who and when (after a disease: 痛风急性发作, 高血压患者)
  '急性发作期', '急性发作', '发作期', '发作时', '急性期', '慢性期', '缓解期', '稳定期', '期间', '的时候', '时候', '以后', '之后', '以前', '之前',
  '患者', '病人', '病史', '病情', '引起的', '引起', '导致的', '导致', '所致', '出现', '最近', '一直', '妈妈', '爸爸', '孩子', '老人',
];
const CHARS = '的了吗呢吧啊呀嘛和与跟及或是在还也都就吃喝用看挂查做后时我你您有能会要、';

const escape = (word: string): string => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const BOUNDARY = new RegExp(`[${INTENT_MASK}\\p{P}\\p{S}\\s\\d]|${[...WORDS].sort((a, b) => b.length - a.length).map(escape).join('|')}|[${CHARS}]`, 'gu');

export interface Run {
  start: number;
  end: number;
}

/**
 * The mentions of a question: the maximal runs of characters that are not words of its shape.
 * `names` are the exact names found (never cut by a shape word inside them); `intentWords` the
 * spans of its intent words.
 */
export function mentionRuns(text: string, names: ReadonlyArray<Run>, intentWords: ReadonlyArray<[number, number]>): Run[] {
  const chars = text.split('');
  for (const [start, end] of intentWords) chars.fill(INTENT_MASK, start, end);
  for (const { start, end } of names) chars.fill(NAME_MASK, start, end);
  const boundary = new Array<boolean>(text.length).fill(false);
  for (const m of chars.join('').matchAll(BOUNDARY)) boundary.fill(true, m.index, m.index + m[0].length);
  const runs: Run[] = [];
  for (let i = 0; i < text.length; ) {
    if (boundary[i]) {
      i += 1;
      continue;
    }
    let end = i;
    while (end < text.length && !boundary[end]) end += 1;
    runs.push({ start: i, end });
    i = end;
  }
  return runs;
}
