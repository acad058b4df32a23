import type { KnowledgeProvenance, Message } from '$contract';
import type { MessageKey } from '../../i18n/index.js';
import type { Mark } from '../../ui/markdown.js';

/** What the knowledge base says about an assistant answer (its citations, flags); null for a question or a plain model answer. */
export function knowledgeOf(message: Message | null): KnowledgeProvenance | null {
  return message?.role === 'assistant' ? (message.provenance?.knowledge ?? null) : null;
}

/** The sources the answer uses, numbered as the text cites them (answers saved before `cited`: all). */
export function citedSources(knowledge: KnowledgeProvenance | null) {
  return (knowledge?.citations ?? []).map((citation, i) => ({ citation, n: i + 1 })).filter(({ n }) => !knowledge?.cited || knowledge.cited.includes(n));
}

/** What the answer's text marks: statements citing nothing (when only partly supported), and unsupported names. */
export function answerMarks(knowledge: KnowledgeProvenance | null, t: (key: MessageKey) => string): Mark[] {
  return [
    { kind: 'uncited', texts: knowledge?.support === 'partial' ? (knowledge.uncited ?? []) : [], title: t('chat.uncitedTitle') },
    { kind: 'flag', texts: knowledge?.unsupported ?? [], title: t('chat.unsupportedTitle') },
  ];
}
