/**
 * Fitting a conversation into the model's context window before generating. A question that
 * cannot fit even alone is refused (the doctor must shorten it); a long conversation loses its
 * oldest turns instead, so a long consultation keeps working. Doing it here, rather than letting
 * node-llama-cpp shift the context mid-answer, keeps what the model saw explicit and reproducible.
 */
import { XinglinError } from '../../contract/index.js';

export interface ChatTurn {
  role: 'user' | 'assistant';
  text: string;
}

export interface ContextPlan {
  /** The turns that fit, oldest first. */
  history: ChatTurn[];
  droppedTurns: number;
  /** Tokens of the rendered prompt (system, kept history, question, the reply's opening). */
  promptTokens: number;
  /** Most tokens the reply may take without overflowing the context. */
  maxReplyTokens: number;
}

export interface FitOptions {
  history: readonly ChatTurn[];
  contextSize: number;
  /** The reply's requested length (Sampling.maxTokens). */
  maxTokens: number;
  /** Tokens of the whole rendered prompt for a given history (the question is always included). */
  countTokens: (history: readonly ChatTurn[]) => number;
}

/**
 * Room kept for the reply: what was asked for, but never more than a quarter of the context,
 * so a large maxTokens does not turn every question on a small model into PROMPT_TOO_LONG.
 */
export function replyReserve(contextSize: number, maxTokens: number): number {
  return Math.max(1, Math.min(maxTokens, Math.floor(contextSize / 4)));
}

export function fitToContext({ history, contextSize, maxTokens, countTokens }: FitOptions): ContextPlan {
  const reserve = replyReserve(contextSize, maxTokens);
  const budget = contextSize - reserve;

  const alone = countTokens([]);
  if (alone > budget) {
    throw new XinglinError(
      'PROMPT_TOO_LONG',
      `问题过长：问题本身约 ${alone} 个词元，而模型上下文只有 ${contextSize} 个词元（还需为回答预留 ${reserve} 个），请缩短问题或分几次提问`,
      { promptTokens: alone, contextSize, reserved: reserve },
    );
  }

  let kept = [...history];
  let tokens = kept.length > 0 ? countTokens(kept) : alone;
  while (tokens > budget && kept.length > 0) {
    kept = kept.slice(1);
    // A conversation the model sees should open with the doctor's turn, not an orphaned answer.
    while (kept[0]?.role === 'assistant') kept = kept.slice(1);
    tokens = kept.length > 0 ? countTokens(kept) : alone;
  }
  return {
    history: kept,
    droppedTurns: history.length - kept.length,
    promptTokens: tokens,
    maxReplyTokens: Math.max(1, Math.min(maxTokens, contextSize - tokens)),
  };
}
