/**
 * Option likelihoods for multiple-choice evaluation: the log-probability the model gives each
 * candidate continuation of its answer, read from its logits instead of sampled. The question is
 * rendered by the template as a user turn and the answer opened with `prefix`, exactly as an
 * answer to it would be; the part all candidates share is evaluated once, then each candidate's
 * tokens on top of it, erased again before the next.
 */
import type { ControlledEvaluateIndexOutput, ControlledEvaluateInputItem, Token } from 'node-llama-cpp';
import { XinglinError } from '../../../contract/index.js';
import { errorText } from './load.js';
import { promptRenderer } from './generate.js';
import type { Slot } from './slot.js';
import type { RuntimeVariant } from './variant.js';

export interface ScoreRequest {
  system?: string;
  prompt: string;
  /** The opening of the answer the candidates continue (e.g. "答案："); may be empty. */
  prefix: string;
  candidates: string[];
  variant?: RuntimeVariant;
  /** As GenerateRequest.lane. */
  lane?: number;
}

/** The logits wanted of one evaluated token: those of `next`, the highest, and the normaliser. */
function asking(token: Token, next: readonly Token[]): ControlledEvaluateInputItem {
  return [token, { generateNext: { logits: { filter: { tokens: next, includeTop: 1 } }, totalLogitWeight: true } }];
}

/** log p(token) from one evaluated position: logit − max logit − log Σ exp(logit − max logit). */
function logProbabilities(output: ControlledEvaluateIndexOutput | undefined): (token: Token) => number {
  const logits = output?.next.logits;
  const total = output?.next.totalLogitWeight;
  if (!logits || total === undefined) throw new XinglinError('GENERATION_FAILED', '选项评分失败：llama.cpp 没有给出该位置的 logits');
  // includeTop: 1 put the highest logit among the returned ones.
  const max = Math.max(...logits.values());
  const normaliser = max + Math.log(total);
  return (token) => (logits.get(token) ?? Number.NEGATIVE_INFINITY) - normaliser;
}

function commonLength(a: readonly Token[], b: readonly Token[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n += 1;
  return n;
}

/** A scoring stopped by its signal (the caller, or an unload or reload). */
export const scoringCancelled = (): XinglinError => new XinglinError('CANCELLED', '选项评分已取消');

function cancelled(signal: AbortSignal): void {
  if (signal.aborted) throw scoringCancelled();
}

/**
 * Each candidate's log-probability after the prompt and `prefix`, in the candidates' order. No
 * sampling is involved, and the sequence is cleared first rather than reusing what it holds: the
 * same request evaluates the same batches and gives the same numbers, which a reused prefix
 * (other batch shapes) would not guarantee to the last bit. Evaluated beside other lanes, in
 * batches shared with them, the numbers agree to about 1e-6 (llama.cpp sums in another order).
 */
export async function scoreOptions(slot: Slot, request: ScoreRequest, signal: AbortSignal): Promise<number[]> {
  if (request.candidates.length === 0 || request.candidates.some((candidate) => candidate.length === 0)) {
    throw new XinglinError('INVALID_INPUT', '选项评分需要至少一个非空的候选项');
  }
  const context = promptRenderer(slot, request).render([]);
  const tokenize = (answer: string) => context.concat(answer).tokenize(slot.model.tokenizer);
  const opened = tokenize(request.prefix);
  const full = request.candidates.map((candidate) => tokenize(`${request.prefix}${candidate}`));
  const longest = Math.max(...full.map((tokens) => tokens.length));
  if (longest > slot.contextSize) {
    throw new XinglinError('PROMPT_TOO_LONG', `问题过长：问题与选项约 ${longest} 个词元，而模型上下文只有 ${slot.contextSize} 个词元，请缩短问题`, { promptTokens: longest, contextSize: slot.contextSize });
  }
  // Evaluated once for all: what every candidate's tokens begin with, up to the opened answer and
  // short of each candidate's last token (a candidate whose text merges with the prefix's last
  // token is scored from before that token).
  const shared = Math.min(opened.length, ...full.map((tokens) => Math.min(commonLength(tokens, full[0]!), tokens.length - 1)));
  const { sequence } = slot;
  cancelled(signal);
  try {
    await sequence.clearHistory();
    const firsts = full.map((tokens) => tokens[shared]!);
    const head = full[0]!.slice(0, shared);
    const evaluated = await sequence.controlledEvaluate([...head.slice(0, -1), asking(head.at(-1)!, firsts)]);
    const first = logProbabilities(evaluated.at(-1));
    const scores: number[] = [];
    for (const tokens of full) {
      cancelled(signal);
      let score = first(tokens[shared]!);
      const rest = tokens.slice(shared);
      if (rest.length > 1) {
        const outputs = await sequence.controlledEvaluate(rest.slice(0, -1).map((token, i) => asking(token, [rest[i + 1]!])));
        for (let i = 1; i < rest.length; i += 1) score += logProbabilities(outputs[i - 1])(rest[i]!);
        await sequence.eraseContextTokenRanges([{ start: shared, end: sequence.nextTokenIndex }]);
      }
      scores.push(score);
    }
    return scores;
  } catch (error) {
    if (error instanceof XinglinError) throw error;
    throw new XinglinError('GENERATION_FAILED', `选项评分失败：${errorText(error)}`);
  }
}
