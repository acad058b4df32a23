/**
 * A gold item's head term: the item without the qualifiers that narrow it (特发性帕金森病 →
 * 帕金森病, 心电图（锯齿状F波） → 心电图). An answer naming the head names the item at the level a
 * clinician would accept; the reverse (head in gold, qualified name in the answer) needs no rule, as
 * the qualified name contains the head.
 */

/**
 * Leading words of onset, course, severity and known-or-unknown cause: they grade a condition
 * without changing which one it is. Left out on purpose: 先天性/遗传性 (先天性心脏病 is not any
 * 心脏病), 重症 (重症肌无力 is not 肌无力), 多发性 (多发性硬化 is not 硬化).
 */
const QUALIFIERS = [
  '原发性', '继发性', '特发性', '亚急性', '急性', '慢性', '轻中度', '中重度', '轻度', '中度', '重度', '严重',
  '早期', '晚期', '难治性', '复发性', '顽固性', '持续性', '阵发性', '单纯性',
];
const QUALIFIER = new RegExp(`^(?:${QUALIFIERS.join('|')})的?`, 'u');

// Notes in brackets qualify the item: 心电图（锯齿状F波）, 贫血（轻度）.
const NOTE = /[(（【[][^()（）【】[\]]*[)）】\]]/gu;

/** Words too broad to stand for an item on their own: 急性感染 is not hit by any 感染. */
const GENERIC = new Set(['疾病', '炎症', '感染', '中毒', '损伤', '肿瘤', '综合征', '综合症', '功能不全', '不全', '障碍', '异常', '发作']);
const MIN_HEAD_CHARS = 2;

/** The head term, or null where the item has no qualifier or its head would be too short or too broad. */
export function headTerm(item: string): string | null {
  let head = item.normalize('NFKC').replace(NOTE, '').trim();
  for (let next = head.replace(QUALIFIER, ''); next !== head && acceptable(next); next = head.replace(QUALIFIER, '')) head = next;
  return head !== item.trim() && acceptable(head) ? head : null;
}

const acceptable = (head: string): boolean => [...head].length >= MIN_HEAD_CHARS && !GENERIC.has(head);
