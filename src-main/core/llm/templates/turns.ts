import { LlamaText, type ChatHistoryItem, type ChatWrapper } from 'node-llama-cpp';

/** A conversation as prompt formats without a system role see it: the system texts, then question/answer pairs. */
export interface Rounds {
  /** Every system text, in order, joined by a blank line ('' when none). */
  system: string;
  /** The last pair's answer is the one being written (usually empty). */
  pairs: Array<{ question: string; answer: string }>;
}

/**
 * Splits node-llama-cpp's history into rounds. Consecutive user texts make one question; an
 * answer without a question before it (never sent by the app) gets an empty one.
 */
export function toRounds(wrapper: ChatWrapper, history: readonly ChatHistoryItem[]): Rounds {
  const system: string[] = [];
  const pairs: Rounds['pairs'] = [];
  let question: string[] = [];
  for (const item of history) {
    if (item.type === 'system') {
      system.push(LlamaText.fromJSON(item.text).toString());
    } else if (item.type === 'user') {
      question.push(item.text);
    } else {
      pairs.push({ question: question.join('\n\n'), answer: wrapper.generateModelResponseText(item.response).toString() });
      question = [];
    }
  }
  // The session always ends with an opened answer; a history that ends on a question opens one.
  if (question.length > 0) pairs.push({ question: question.join('\n\n'), answer: '' });
  return { system: system.join('\n\n'), pairs };
}
