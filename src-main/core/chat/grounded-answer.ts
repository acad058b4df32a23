import type { KbAskResult, Sampling } from '../../contract/index.js';
import type { KnowledgeService } from '../knowledge/index.js';
import type { ChatTurn, GenerateResult, Provider } from '../llm/index.js';

export interface GroundedAnswer {
  result: KbAskResult;
  /** Null when the model was not asked (the doctor must choose first, or policy refused). */
  reply: GenerateResult | null;
}

/**
 * How a question is answered by the model, in the order it happens: the knowledge base retrieves
 * the entries the question names and numbers their facts as sources (as many as the context
 * holds), the model answers from them, and the answer is checked against them. The rules go in
 * the system text and the sources in the last turn, before the question, so a session's system
 * text and history stay the prefix the model already read. The caller holds the model (a grant
 * of the model queue).
 */
export async function answerGrounded(
  knowledge: KnowledgeService,
  provider: Provider,
  request: { question: string; history: readonly ChatTurn[]; sampling: Sampling; signal: AbortSignal; onText?: (text: string) => void; lane?: number },
): Promise<GroundedAnswer> {
  const { question, sampling } = request;
  const plan = await knowledge.planGrounded(question, (system) => provider.systemBudget(question, sampling.maxTokens, system));
  if (plan.composeInstead) return { result: plan.composeInstead, reply: null };
  const reply = await provider.generate({
    history: request.history,
    system: plan.prompt.system,
    sources: plan.prompt.sources,
    prompt: question,
    sampling,
    signal: request.signal,
    ...(request.onText ? { onText: request.onText } : {}),
    ...(request.lane === undefined ? {} : { lane: request.lane }),
  });
  return { result: knowledge.reviewGrounded(plan, question, reply), reply };
}

/**
 * The text the doctor is shown: the model's, unless it was not asked (a choice between entries) or
 * the administrator's policy replaced it with what the base records.
 */
export function shownText({ result, reply }: GroundedAnswer): string {
  return reply && result.mode === 'llm' ? reply.text : result.answer;
}
