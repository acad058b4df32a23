import type { KbSupport } from '../../../contract/index.js';

/** The plain label each answer carries, in the UI and in `ask --json`. */
export const SUPPORT_LABELS: Record<KbSupport, string> = {
  knowledge: '依据知识库',
  partial: '部分依据知识库',
  'model-only': '仅模型生成，未经知识库核实',
  none: '未作回答',
};

export interface SupportCheck {
  support: KbSupport;
  /** Source numbers [n] the answer uses for a statement the source bears out. */
  cited: number[];
  /** Statements that cite nothing (or cite a source that does not say it). */
  uncited: string[];
}

/** Sentences that state no clinical fact: what the base lacks, reminders, how a class was read. */
const NEUTRAL = /知识库中?(?:没有|未)|未记载|没有记载|未收录|按药品类别理解|待药剂科审核|仅供参考|请咨询|请查阅|请核对|请以说明书/u;
const CITE = /\[(\d{1,3})\]/gu;
/** A sentence must share this many two-character pieces with the source it cites. */
const MIN_SHARED = 2;

/**
 * Checks an answer statement by statement against the sources it was given: a statement is
 * supported when it cites a source [n] that exists and says something the statement says
 * (shared wording); a chip is shown only for such a source. `sources[n - 1]` is source [n]'s text.
 */
export function checkSupport(answer: string, sources: readonly string[]): SupportCheck {
  const cited = new Set<number>();
  const uncited: string[] = [];
  let supported = 0;
  for (const sentence of answer ? statements(answer) : []) {
    const content = sentence.replace(CITE, '');
    const refs = [...sentence.matchAll(CITE)].map((m) => Number(m[1])).filter((n) => n >= 1 && n <= sources.length);
    const backing = refs.filter((n) => shared(content, sources[n - 1]!) >= MIN_SHARED);
    if (backing.length > 0) {
      supported += 1;
      backing.forEach((n) => cited.add(n));
    } else if (!NEUTRAL.test(content) && informative(content)) uncited.push(sentence.trim());
  }
  const support: KbSupport = supported === 0 ? 'model-only' : uncited.length > 0 ? 'partial' : 'knowledge';
  return { support, cited: [...cited].sort((a, b) => a - b), uncited };
}

/**
 * The statements of an answer: its sentences and list items (Markdown markers removed), each cut
 * after its last citation, so a clause added after the cited part ("首选非布司他 [2]，也可用…")
 * is a statement of its own.
 */
function statements(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/(?<=[。！？!?；;])|\n/u)) {
    const sentence = line.replace(/^\s*(?:[-*+]|\d+[.、)]|#+)\s*/u, '').trim();
    const last = [...sentence.matchAll(CITE)].at(-1);
    const cut = last ? last.index + last[0].length : sentence.length;
    for (const part of [sentence.slice(0, cut), sentence.slice(cut).replace(/^[\s\p{P}]+/u, '')]) if (part.trim()) out.push(part.trim());
  }
  return out;
}

/** A sentence says something when it has a few characters of content (not a heading like "禁忌："). */
function informative(sentence: string): boolean {
  return (sentence.match(/[\p{Script=Han}\p{L}\d]/gu) ?? []).length >= 6;
}

function bigrams(text: string): Set<string> {
  const chars = [...text.replace(/[^\p{Script=Han}\p{L}\d]/gu, '')];
  const out = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  return out;
}

function shared(sentence: string, source: string): number {
  const theirs = bigrams(source);
  let count = 0;
  for (const piece of bigrams(sentence)) if (theirs.has(piece)) count += 1;
  return count;
}
