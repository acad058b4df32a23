import type { KbAskResult, KbChoice, KbCitation } from '../../../contract/index.js';
import type { Retrieval } from './recognize.js';
import { STARTER_LABEL } from '../import/starter.js';
import { statementsFor } from './statements.js';
import { SUPPORT_LABELS, type SupportCheck } from './support.js';

export const STARTER_NOTE = '注：标注为入门知识库的内容尚待本院药剂科审核，仅供参考。';

/**
 * An answer's result, in either mode: what was recognised, the answer, its sources and how far
 * they support it.
 */
export function askResult(
  retrieval: Retrieval,
  answer: { mode: KbAskResult['mode']; text: string; citations: KbCitation[]; check: SupportCheck; truncated?: boolean; unsupported?: string[] },
): KbAskResult {
  return {
    mode: answer.mode,
    intents: retrieval.intents,
    entities: retrieval.entities.map(({ id, type, name }) => ({ id, type, name })),
    choices: retrieval.choices,
    unknown: retrieval.unknown,
    answer: answer.text,
    citations: answer.citations,
    cited: answer.check.cited,
    grounded: answer.check.cited.length > 0,
    support: answer.check.support,
    label: SUPPORT_LABELS[answer.check.support],
    uncited: answer.check.uncited,
    truncated: answer.truncated ?? false,
    unsupported: answer.unsupported ?? [],
  };
}

/**
 * What the answer must say first about the names it cannot answer for: the names the base lacks,
 * with the near names as choices (知识库中没有「利血平」。您是否要找：利福平（抗结核药）？), and names
 * that denote several entries.
 */
export function leadLines(retrieval: Retrieval): string[] {
  const lines: string[] = [];
  const byName = new Map<string, KbChoice[]>();
  for (const choice of retrieval.choices) byName.set(choice.for, [...(byName.get(choice.for) ?? []), choice]);
  const options = (choices: KbChoice[]): string => choices.map((c) => `${c.name}（${c.what}）`).join('、');
  for (const name of retrieval.unknown) {
    const near = byName.get(name) ?? [];
    lines.push(near.length ? `知识库中没有「${name}」。您是否要找：${options(near)}？` : `知识库中没有「${name}」的条目。`);
  }
  for (const [name, choices] of byName) {
    if (choices[0]!.reason === 'ambiguous') lines.push(`「${name}」可能指不同的条目：${options(choices)}。请指明是哪一个。`);
  }
  return lines;
}

/**
 * Knowledge mode: the answer is composed from the matched entries only, every statement numbered
 * against its citation. Nothing found, or nothing on the asked point, is said plainly and the
 * answer is not grounded; nothing is filled in from anywhere else. The sources themselves are
 * listed by the host (chips in the UI, lines in the CLI), not in the text.
 */
export function composeAnswer(retrieval: Retrieval): KbAskResult {
  const lead = leadLines(retrieval);
  const none: SupportCheck = { support: 'none', cited: [], uncited: [] };
  if (retrieval.entries.length === 0) {
    const onlyKinds = retrieval.unknown.length === 0 && retrieval.choices.length > 0;
    const text = lead.length
      ? [...lead, onlyKinds ? '请选择其中一个条目后再问。' : '未作回答：不会把其他药品或疾病的资料当作所问的内容。请确认名称后再问。'].join('\n')
      : '知识库中没有与这个问题相关的条目，无法依据知识库回答。请核对药品或疾病名称，或查阅药品说明书与临床指南。';
    return askResult(retrieval, { mode: 'knowledge', text, citations: [], check: none });
  }
  const { statements, notes } = statementsFor(retrieval);
  const citations = statements.map((s) => s.citation);
  const body = statements.map((s, i) => `${s.text} [${i + 1}]`);
  const footer = citations.some((c) => c.source === STARTER_LABEL) ? [STARTER_NOTE] : [];
  const text = [...lead, ...notes, ...body, ...footer].join('\n');
  const check: SupportCheck = statements.length ? { support: 'knowledge', cited: citations.map((_, i) => i + 1), uncited: [] } : none;
  return askResult(retrieval, { mode: 'knowledge', text, citations, check });
}
