import { CRITERIA_KINDS, type CriteriaKind } from '../../../contract/index.js';

/**
 * Which mentions of an answer are negated (不用于高血压, 无发热, 孕妇禁用). A cue governs the
 * mentions after it to the end of its clause: a clause ends at 。；！？ or a line break, and at a
 * comma unless what follows continues the list (，或…, ，以及…); a contrast (而是, 但) or a double
 * negation (不能排除) ends it early. Cues that follow what they govern (X禁用, X除外, 对X无效) reach back
 * to the start of their clause part.
 */

type Role = 'before' | 'after' | 'both' | 'reset' | 'skip';

/** Saying a thing is not so: negated for every kind. */
const FACT_BEFORE = [
  '不是', '并不是', '并非', '不属于', '不包括', '无', '没有', '否认', '未见', '未发现', '未出现', '未检出', '未闻及', '未触及',
  '排除', '无需', '无须', '不需要', '不需', '不必', '没必要', '不用做', '不需做', '不用查', '不能治疗', '不治疗', '无法治疗',
];
const FACT_AFTER = ['无效'];
const FACT_BOTH = ['除外'];

/**
 * Saying a drug must not be used (不宜用于孕妇, 孕妇禁用): a negation of an indication, a symptom or
 * a drug, but the very answer to a contraindication question.
 */
const USAGE_BEFORE = [
  '不用于', '不适用于', '不适合', '不宜用于', '不宜', '不能用于', '不可用于', '不应用于', '不推荐用于', '不推荐', '不建议',
  '避免用于', '禁用于', '忌用于', '禁止用于', '禁用：', '禁用:', '忌用：', '不能吃', '不能服用', '不能使用', '不要用', '不要使用', '不用',
];
const USAGE_AFTER = ['禁用', '忌用', '不适用'];
// A heading (禁忌症：X) or a verdict (X为禁忌).
const USAGE_BOTH = ['禁忌', '禁忌症', '禁忌证'];

/** Words that end a negation: a double negation (still possible), a contrast, a use stated. */
const RESET = [
  '不能排除', '不排除', '无法排除', '难以排除', '不可排除', '未排除', '不能除外', '不除外', '而是', '但是', '但', '然而', '不过', '却',
  '可用于', '可以用于', '适用于', '主要用于', '常用于', '推荐用于', '可治疗', '能治疗',
];

/**
 * Words that hold a cue's characters without negating: 无 begins names and plain words (无菌性,
 * 无症状, 肌无力, 无尿), and a question (是不是, 有没有) asserts nothing. Matched as whole words so the
 * cue inside them is never read.
 */
const SKIP = [
  '无菌', '无痛', '无症状', '无力', '无法', '无论', '无关', '无明显诱因', '无诱因', '无意', '无尿', '无精', '无脉', '无汗', '无创',
  '无名', '无机', '无色', '无味', '无性', '无排卵', '是不是', '有没有', '不仅', '不但', '不用说',
];

function roles(kind: CriteriaKind): Map<string, Role> {
  const usage = kind === 'drug-contraindication';
  const map = new Map<string, Role>();
  const set = (words: readonly string[], role: Role) => words.forEach((w) => map.set(w, role));
  set(FACT_BEFORE, 'before');
  set(FACT_AFTER, 'after');
  set(FACT_BOTH, 'both');
  // For a contraindication question these state the answer, so they end a negation instead.
  set(USAGE_BEFORE, usage ? 'reset' : 'before');
  set(USAGE_AFTER, usage ? 'reset' : 'after');
  set(USAGE_BOTH, usage ? 'reset' : 'both');
  set(RESET, 'reset');
  set(SKIP, 'skip');
  return map;
}

interface Reader {
  roles: Map<string, Role>;
  cues: RegExp;
}

const readerFor = (kind: CriteriaKind): Reader => {
  const map = roles(kind);
  // Longest first: the alternation takes the first that matches, so 不能排除 wins over 排除.
  const words = [...map.keys()].sort((a, b) => b.length - a.length);
  return { roles: map, cues: new RegExp(`${words.join('|')}|[。；;！？!?\\n\\r]|[，,]\\s*(?:或者|或|以及|及|和|与|、)?|[（(）)]`, 'gu') };
};
const READERS = new Map(CRITERIA_KINDS.map((kind) => [kind, readerFor(kind)]));

const CLAUSE_END = /^[。；;！？!?\n\r]$/u;

/**
 * For each mention ([start, end) in `answer`), whether a negation governs it. Cues overlapping a
 * mention are part of a name (重症肌无力) and ignored.
 */
export function negatedMentions(answer: string, kind: CriteriaKind, mentions: readonly (readonly [number, number])[]): boolean[] {
  const reader = READERS.get(kind)!;
  const overlapsMention = (start: number, end: number) => mentions.some(([s, e]) => s < end && start < e);
  /** Stretches of the answer under a negation, [start, end). */
  const zones: [number, number][] = [];
  let forwardFrom = -1;
  // Where a cue after its mentions can reach back to: the start of the clause part.
  let partStart = 0;
  const closeForward = (at: number) => {
    if (forwardFrom >= 0) zones.push([forwardFrom, at]);
    forwardFrom = -1;
  };
  // A note in brackets is a scope of its own: 阿苯达唑（孕妇禁用） does not negate 阿苯达唑, and the 无
  // of 厄他培南（无骨髓炎时）、利奈唑胺 ends at its bracket. A negation from before the bracket goes on through it.
  const brackets: Array<{ outerForward: boolean; partStart: number }> = [];
  for (const m of answer.matchAll(reader.cues)) {
    const start = m.index;
    const end = start + m[0].length;
    const word = m[0];
    const first = word[0]!;
    if (first === '（' || first === '(') {
      brackets.push({ outerForward: forwardFrom >= 0, partStart });
      partStart = end;
      continue;
    }
    if (first === '）' || first === ')') {
      const outer = brackets.pop();
      if (!outer) continue;
      if (!outer.outerForward) closeForward(start);
      partStart = outer.partStart;
      continue;
    }
    if (CLAUSE_END.test(first)) {
      closeForward(start);
      partStart = end;
      continue;
    }
    if (first === '，' || first === ',') {
      // A comma followed by 或/及/和… continues the list under the same cue.
      if (word.trim().length === 1) closeForward(start);
      partStart = end;
      continue;
    }
    const role = reader.roles.get(word);
    if (role === undefined || role === 'skip' || overlapsMention(start, end)) continue;
    if (role === 'after' || role === 'both') zones.push([partStart, start]);
    if (role === 'reset') closeForward(start);
    if (role === 'before' || role === 'both') {
      if (forwardFrom < 0) forwardFrom = end;
    }
    partStart = end;
  }
  closeForward(answer.length);
  return mentions.map(([start, end]) => zones.some(([from, to]) => start >= from && end <= to));
}
