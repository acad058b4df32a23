import type { KbCitation } from '../../contract/index.js';
import { flatten } from './kb-store.js';
import type { NameIndex } from './name-index.js';
import { normalizeName } from './names.js';
import { FIELD_LABELS } from './record.js';
import type { Retrieval } from './recognize.js';
import { statementsFor } from './statements.js';

export interface GroundedPrompt {
  /** The system text for the model: instructions and the numbered sources [1], [2] … */
  system: string;
  /** citations[n - 1] is source [n]. */
  citations: KbCitation[];
}

const RULES = [
  '你是杏林临床助手，为医生回答用药和疾病问题。',
  '只依据下面编号的知识库条目作答，每个陈述后用 [编号] 标注出处，例如 [1]。',
  '条目没有覆盖的内容，直接说明“知识库未收录”，不要凭记忆补充药名、剂量、适应症或结论。',
  '来源为“入门知识库（待药剂科审核）”的条目尚未经本院药剂科审核，请在回答中提醒。',
].join('\n');

/**
 * Grounded LLM mode: the context the model answers from, each fact numbered for citation. `fits`
 * says whether a system text still leaves the model room for the question and its answer; the
 * facts kept are the most central ones (from the start) that fit.
 */
export function groundedPrompt(question: string, retrieval: Retrieval, fits: (system: string) => boolean = () => true): GroundedPrompt {
  const { statements, note } = statementsFor(retrieval);
  if (statements.length === 0) {
    const missing = retrieval.entries.length ? `知识库收录了${retrieval.entries.map((e) => `“${e.name}”`).join('、')}，但没有记载问题所问的内容。` : '知识库中没有与问题相关的条目。';
    return { system: `${RULES}\n\n${missing}请告诉医生知识库未收录，不要凭记忆作答。\n\n问题：${question}`, citations: [] };
  }
  const render = (count: number): GroundedPrompt => {
    const kept = statements.slice(0, count);
    const sources = kept.map((s, i) => `[${i + 1}] ${s.text}（${FIELD_LABELS[s.citation.field]}，来源：${s.citation.source}）`);
    return { system: [RULES, '', '知识库条目：', ...(note ? [note] : []), ...sources].join('\n'), citations: kept.map((s) => s.citation) };
  };
  // Fitting is monotonic in the number of sources: search for the most that fit (at least one),
  // since each check tokenizes the whole prompt.
  let [low, high] = [1, statements.length];
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(render(mid).system)) low = mid;
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
  const text = normalizeName(answer);
  const flagged = new Set<string>();
  for (const match of index.scan(text)) {
    if (match.hits.some((h) => retrieved.has(h.id)) || context.includes(match.norm)) continue;
    flagged.add(text.slice(match.start, match.end));
  }
  return [...flagged];
}
