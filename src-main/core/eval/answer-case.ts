import type { CaseResult, ChoiceCase, CriteriaCase, EvalCase } from '../../contract/index.js';
import { answerGrounded, shownText } from '../chat/index.js';
import type { KnowledgeService } from '../knowledge/index.js';
import type { Provider } from '../llm/index.js';
import { parseChoice, scoreChoice } from './scoring/choice.js';
import { scoreCriteria } from './scoring/criteria.js';

/** What answers a run's cases for one target: the knowledge base alone, or a profile's provider. */
export type Answerer = { kind: 'knowledge' } | { kind: 'model'; provider: Provider };

/** An answered case before it is saved: the result without its case id and target. */
export type Scored = Omit<CaseResult, 'caseId' | 'target' | 'review' | 'ms'>;

const isChoice = (c: EvalCase): c is ChoiceCase => 'options' in c;

/** A multiple-choice question as a doctor would put it to the assistant: the stem, the lettered options, and how to answer. */
export function choicePrompt(c: ChoiceCase, multiple: boolean): string {
  const options = Object.entries(c.options).map(([letter, text]) => `${letter}. ${text}`);
  return [c.question, ...options, multiple ? '（可能有多个正确选项）请只回答正确选项的字母。' : '请只回答正确选项的字母。'].join('\n');
}

/**
 * One case, answered the way chat answers (the grounded path: retrieval, sources, the profile's
 * template and sampling) and scored. A single-answer choice question, on a backend that can score
 * continuations, is answered by the options' likelihoods instead: the letter the model finds most
 * likely after "答案：", which needs no parsing of free text. One likelihood picks one letter, so a
 * question with several right options is answered in words and its letters parsed.
 */
export async function answerCase(
  knowledge: KnowledgeService,
  answerer: Answerer,
  c: EvalCase,
  options: { signal: AbortSignal; lane: number },
): Promise<Scored> {
  if (!isChoice(c)) {
    const answer = await criteriaAnswer(knowledge, answerer, c, options);
    return { status: 'done', answer, error: null, items: scoreCriteria(answer, c.gold, c.kind, knowledge), choice: null };
  }
  if (answerer.kind !== 'model') throw new Error('choice sets need a model (refused when the run starts)');
  const { provider } = answerer;
  // Exams say whether a question has several right options (CMB's question_type, 多选 in the stem): the prompt says so too.
  const multiple = c.answer.length > 1;
  const prompt = choicePrompt(c, multiple);
  const letters = Object.keys(c.options);
  if (provider.scoreOptions && !multiple) {
    const scores = await provider.scoreOptions({ prompt, prefix: '答案：', candidates: letters, signal: options.signal, lane: options.lane });
    const best = letters[scores.indexOf(Math.max(...scores))] ?? null;
    const shown = letters.map((letter, i) => `${letter} ${scores[i]!.toFixed(2)}`).join('，');
    return { status: 'done', answer: `答案：${best ?? '（无）'}（按各选项的对数似然选择：${shown}）`, error: null, items: null, choice: { chosen: best, via: 'likelihood', correct: scoreChoice(best, c.answer) } };
  }
  const grounded = await answerGrounded(knowledge, provider, { question: prompt, history: [], sampling: provider.sampling, signal: options.signal, lane: options.lane });
  const answer = shownText(grounded);
  const chosen = parseChoice(answer, c.options);
  return { status: 'done', answer, error: null, items: null, choice: { chosen, via: chosen === null ? null : 'parsed', correct: scoreChoice(chosen, c.answer) } };
}

async function criteriaAnswer(knowledge: KnowledgeService, answerer: Answerer, c: CriteriaCase, options: { signal: AbortSignal; lane: number }): Promise<string> {
  if (answerer.kind === 'knowledge') return knowledge.ask(c.instruction).answer;
  const { provider } = answerer;
  return shownText(await answerGrounded(knowledge, provider, { question: c.instruction, history: [], sampling: provider.sampling, signal: options.signal, lane: options.lane }));
}
