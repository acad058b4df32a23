import { describe, expect, it } from 'vitest';
import { megabytes } from './format.js';

describe('megabytes', () => {
  it('shows a backup’s size in MB with one decimal, a tiny one as under 0.1', () => {
    expect(megabytes('zh-CN', 5 * 1024 ** 2 + 300 * 1024)).toBe('5.3');
    expect(megabytes('en', 1536 * 1024 ** 2)).toBe('1,536.0');
    expect(megabytes('zh-CN', 20 * 1024)).toBe('< 0.1');
    expect(megabytes('zh-CN', 0)).toBe('0.0');
  });
});
