import type { KbAskResult, KbCitation } from '../../contract/index.js';
import { fieldsFor } from './intent.js';
import { FIELD_LABELS } from './record.js';
import type { Retrieval } from './recognize.js';
import { STARTER_LABEL } from './starter.js';
import { statementsFor } from './statements.js';

const TYPE_LABELS = { drug: '药品', disease: '疾病' } as const;

/**
 * Knowledge mode: the answer is composed from the matched entries only, every statement numbered
 * against its citation. Nothing found, or nothing on the asked point, is said plainly and the
 * answer is not grounded; nothing is filled in from anywhere else.
 */
export function composeAnswer(retrieval: Retrieval): KbAskResult {
  const result = (answer: string, citations: KbCitation[] = []): KbAskResult => ({
    mode: 'knowledge',
    intent: retrieval.intent,
    entities: retrieval.entities.map(({ id, type, name }) => ({ id, type, name })),
    choices: retrieval.choices,
    answer,
    citations,
    grounded: citations.length > 0,
    unsupported: [],
  });
  if (retrieval.choices.length > 0) {
    const options = retrieval.choices.map((c) => `${c.name}（${TYPE_LABELS[c.type]}）`).join('、');
    return result(`问题中的名称可能指不同的条目：${options}。请指明是哪一个后再问。`);
  }
  if (retrieval.entries.length === 0) {
    return result('知识库中没有与这个问题相关的条目，无法依据知识库回答。请核对药品或疾病名称，或查阅药品说明书与临床指南。');
  }

  const { statements, note } = statementsFor(retrieval);
  if (statements.length === 0) {
    const lines = retrieval.entries.map((entry) => {
      const asked = fieldsFor(entry.type, retrieval.intent).map((f) => FIELD_LABELS[f]);
      const known = [...new Set(entry.facts.map((f) => FIELD_LABELS[f.field]))];
      const what = asked.length ? asked.join('、') : '这方面的内容';
      return `知识库中“${entry.name}”条目没有记载${what}${known.length ? `（已记载：${known.join('、')}）` : ''}。`;
    });
    return result([note, ...lines].filter(Boolean).join('\n'));
  }

  const citations = statements.map((s) => s.citation);
  const body = statements.map((s, i) => `${s.text} [${i + 1}]`);
  const sources = citations.map((c, i) => `[${i + 1}] ${c.name} · ${FIELD_LABELS[c.field]} — ${c.source}`);
  const footer = citations.some((c) => c.source === STARTER_LABEL) ? ['注：标注为入门知识库的内容尚待本院药剂科审核，仅供参考。'] : [];
  return result([...(note ? [note] : []), ...body, '', '来源：', ...sources, ...footer].join('\n'), citations);
}
