import { describe, expect, it } from 'vitest';
import type { Rate } from '$contract';
import { translate } from '../../i18n/index.js';
import { criteriaScores } from '../../state/test-api.js';
import { formatRate, headline, shortRate } from './format.js';

const zh = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate('zh-CN', key, params);
const en = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate('en', key, params);

describe('rates', () => {
  it('reads a share with its 95 % interval, and a dash where nothing was scored', () => {
    const rate: Rate = { count: 4, n: 6, rate: 4 / 6, low: 0.4012, high: 0.8523 };
    expect(formatRate(zh, rate)).toBe('66.7%（95% CI 40.1–85.2）');
    expect(formatRate(en, rate)).toBe('66.7% (95% CI 40.1–85.2)');
    expect(shortRate(zh, rate)).toBe('66.7%');
    expect(formatRate(zh, null)).toBe('—');
    expect(shortRate(zh, { count: 0, n: 0, rate: 0, low: 0, high: 0 })).toBe('—');
  });

  it('heads a three-criteria run with “hit ≥1 item” and a choice run with its accuracy', () => {
    const scores = criteriaScores(3, 4);
    expect(headline('criteria', scores)).toBe(scores.any);
    expect(headline('choice', { ...scores, correct: scores.half })).toBe(scores.half);
  });
});
