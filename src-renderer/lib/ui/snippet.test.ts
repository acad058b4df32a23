import { describe, expect, it } from 'vitest';
import { splitSnippet } from './snippet.js';

describe('snippets', () => {
  it('splits U+0001…U+0002 marks into parts', () => {
    expect(splitSnippet('患者\u0001痛风\u0002发作，\u0001尿酸\u0002高')).toEqual([
      { text: '患者', mark: false },
      { text: '痛风', mark: true },
      { text: '发作，', mark: false },
      { text: '尿酸', mark: true },
      { text: '高', mark: false },
    ]);
    expect(splitSnippet('<b>x</b>')).toEqual([{ text: '<b>x</b>', mark: false }]);
    expect(splitSnippet('a\u0002b\u0001c')).toEqual([
      { text: 'ab', mark: false },
      { text: 'c', mark: true },
    ]);
  });
});
