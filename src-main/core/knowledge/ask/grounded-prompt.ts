import { KB_FIELD_LABELS, type KbCitation } from '../../../contract/index.js';
import { flatten } from '../kb-store.js';
import type { NameIndex } from './name-index.js';
import { lookupForm, normalizeName } from '../names.js';
import type { Retrieval } from './recognize.js';
import { leadLines } from './answer.js';
import { statementsFor } from './statements.js';

/**
 * The rules are the same for every question, so a session's system text and history stay a prefix
 * the model has already read (its KV cache is reused across turns); what changes with the question
 * — the numbered sources and what the base lacks — goes in the last turn, before the question.
 */
export interface GroundedPrompt {
  /** The system text for the model: the grounding rules, the same for every question. */
  system: string;
  /** The numbered sources [1], [2] … (after what the base lacks), read right before the question. */
  sources: string;
  /** citations[n - 1] is source [n]. */
  citations: KbCitation[];
  /** facts[n - 1] is what source [n] says, for checking the answer against it. */
  facts: string[];
}

/** The grounding rules: the model's system text for every grounded question. */
export const GROUNDING_RULES = [
  '你是杏林临床助手，为医生回答用药和疾病问题。',
  '只依据下面编号的知识库条目作答，每个陈述后用 [编号] 标注出处，例如 [1]。',
  '条目没有覆盖的内容，直接说明“知识库未收录”，不要凭记忆补充药名、剂量、适应症或结论。',
  '问题中的药品或疾病若知识库没有，不要用名称相近的其他药品或疾病的资料回答它。',
  '来源为“入门知识库（待药剂科审核）”的条目尚未经本院药剂科审核，请在回答中提醒。',
].join('\n');

/** Whether a sources text leaves the model room for the question and its answer (the model process counts its tokens). */
export type SourcesFit = (sources: string) => boolean | Promise<boolean>;

/**
 * Grounded LLM mode: the context the model answers from, each fact numbered for citation, after
 * what the base lacks (a near-miss name is named as missing, and its near names are not sources).
 * `fits` says whether a sources text still leaves the model room for the question and its answer;
 * the facts kept are the most central ones (from the start) that fit.
 */
export async function groundedPrompt(retrieval: Retrieval, fits: SourcesFit = () => true): Promise<GroundedPrompt> {
  const { statements, notes } = statementsFor(retrieval);
  const missing = [...leadLines(retrieval), ...notes];
  if (statements.length === 0) {
    const none = retrieval.entries.length ? `知识库收录了${retrieval.entries.map((e) => `“${e.name}”`).join('、')}，但没有记载问题所问的内容。` : '知识库中没有与问题相关的条目。';
    return { system: GROUNDING_RULES, sources: [...missing, `${none}请告诉医生知识库未收录，不要凭记忆作答。`].join('\n'), citations: [], facts: [] };
  }
  const render = (count: number): GroundedPrompt => {
    const kept = statements.slice(0, count);
    const numbered = kept.map((s, i) => `[${i + 1}] ${s.text}（${KB_FIELD_LABELS[s.citation.field]}，来源：${s.citation.source}）`);
    return { system: GROUNDING_RULES, sources: [...missing, '知识库条目：', ...numbered].join('\n'), citations: kept.map((s) => s.citation), facts: kept.map((s) => s.text) };
  };
  // Fitting is monotonic in the number of sources: search for the most that fit (at least one),
  // since each check tokenizes the whole prompt.
  let [low, high] = [1, statements.length];
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (await fits(render(mid).sources)) low = mid;
    else high = mid - 1;
  }
  return render(low);
}

/**
 * Drug and disease names (from the base's name index) that an answer mentions but that appear
 * neither in the retrieved entries (their names and facts) nor in the question: claims the
 * retrieval does not support.
 */
export function findUnsupported(index: NameIndex, answer: string, retrieval: Retrieval, question: string): string[] {
  const retrieved = new Set(retrieval.entries.map((e) => e.id));
  const context = normalizeName(
    [question, ...retrieval.entries.flatMap((e) => [e.name, ...e.names.map((n) => n.name), ...e.facts.flatMap((f) => flatten(f.value))])].join('\n'),
  );
  const text = lookupForm(answer);
  const flagged = new Set<string>();
  for (const match of index.scan(text)) {
    if (match.hits.some((h) => retrieved.has(h.id)) || context.includes(match.norm)) continue;
    flagged.add(text.slice(match.start, match.end));
  }
  return [...flagged];
}
