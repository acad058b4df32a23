/** Fitting a conversation into the context: refuse an oversized question, drop the oldest turns otherwise. */
import { describe, expect, it } from 'vitest';
import { XinglinError } from '../../src-main/contract/index.js';
import { fitToContext, replyReserve, type ChatTurn } from '../../src-main/core/llm/index.js';

/** One token per character, plus 10 for the question and the template around it. */
const counter = (question: string) => (history: readonly ChatTurn[]) => 10 + question.length + history.reduce((n, t) => n + t.text.length, 0);

const turns = (...texts: string[]): ChatTurn[] => texts.map((text, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', text }));

describe('fitToContext', () => {
  it('keeps everything that fits and caps the reply to the room left', () => {
    const plan = fitToContext({ history: turns('aaaa', 'bbbb'), contextSize: 100, maxTokens: 20, countTokens: counter('q') });
    expect(plan).toEqual({ history: turns('aaaa', 'bbbb'), droppedTurns: 0, promptTokens: 19, maxReplyTokens: 20 });
  });

  it('drops the oldest turns, never leaving an answer without its question first', () => {
    const history = turns('x'.repeat(30), 'y'.repeat(30), 'z'.repeat(10), 'w'.repeat(10));
    const plan = fitToContext({ history, contextSize: 100, maxTokens: 25, countTokens: counter('q') });
    expect(plan.droppedTurns).toBe(2);
    expect(plan.history.map((t) => t.text[0])).toEqual(['z', 'w']);
    expect(plan.promptTokens).toBeLessThanOrEqual(100 - replyReserve(100, 25));
  });

  it('refuses a question that cannot fit alone, naming both numbers in Chinese', () => {
    let error: unknown;
    try {
      fitToContext({ history: turns('a', 'b'), contextSize: 100, maxTokens: 25, countTokens: counter('q'.repeat(80)) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(XinglinError);
    expect((error as XinglinError).code).toBe('PROMPT_TOO_LONG');
    expect((error as XinglinError).message).toContain('90 个词元');
    expect((error as XinglinError).message).toContain('100 个词元');
  });

  it('reserves at most a quarter of a small context for the reply', () => {
    expect(replyReserve(512, 1024)).toBe(128);
    expect(replyReserve(8192, 512)).toBe(512);
  });
});
