import { describe, expect, it } from 'vitest';
import { errorCodes, XinglinError } from '../../src-main/contract/index.js';
import { en, enErrorCodes } from '../../src-renderer/lib/i18n/en.js';
import { formatError, toUiError, translate } from '../../src-renderer/lib/i18n/index.js';
import { zhCN, zhErrorCodes } from '../../src-renderer/lib/i18n/zh-CN.js';
import { FrameBatcher } from '../../src-renderer/lib/state/frame.js';
import { renderMarkdown } from '../../src-renderer/lib/ui/markdown.js';
import { splitSnippet } from '../../src-renderer/lib/ui/snippet.js';

describe('renderer i18n', () => {
  it('has the same keys in both languages, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
    for (const table of [zhCN, en] as Record<string, string>[]) for (const value of Object.values(table)) expect(value.trim()).not.toBe('');
    expect(Object.keys(enErrorCodes).sort()).toEqual([...errorCodes].sort());
    for (const code of Object.keys(zhErrorCodes)) expect(errorCodes).toContain(code);
  });

  it('fills parameters', () => {
    expect(translate('zh-CN', 'sessions.messageCount', { count: 3 })).toBe('3 条消息');
    expect(translate('en', 'search.none', { query: '痛风' })).toBe('Nothing found for “痛风”.');
  });

  it('shows the server message in Chinese and the code with details in English', () => {
    const error = toUiError(new XinglinError('PROMPT_TOO_LONG', '问题过长：超过上下文 4096 个词元。', { tokens: 5000, contextSize: 4096 }));
    expect(formatError('zh-CN', error)).toBe('问题过长：超过上下文 4096 个词元。');
    expect(formatError('en', error)).toBe(`${enErrorCodes.PROMPT_TOO_LONG} (tokens: 5000, contextSize: 4096)`);
    expect(formatError('en', { code: 'NO_MODEL', message: '还没有加载模型' })).toBe(enErrorCodes.NO_MODEL);
    expect(formatError('en', { code: 'WHATEVER', message: 'x' })).toMatch(/WHATEVER/);
    expect(toUiError(new Error('boom'))).toEqual({ code: 'INTERNAL', message: 'boom' });
  });
});

describe('renderer markdown', () => {
  it('escapes raw HTML', () => {
    const html = renderMarkdown('<script>alert(1)</script> <img src=x onerror=alert(1)>');
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('&lt;script&gt;');
  });

  it('never renders images: alt text only', () => {
    const html = renderMarkdown('![胸片](http://example.com/x.png)');
    expect(html).not.toMatch(/<img|example\.com/);
    expect(html).toContain('[胸片]');
  });

  it('renders links as inert text and does not linkify', () => {
    const html = renderMarkdown('[指南](https://example.com/a) 与 https://example.org 与 <https://example.net>');
    expect(html).not.toMatch(/<a\b|href=/);
    expect(html).toContain('<span class="md-link" title="https://example.com/a">指南</span>');
    expect(html).toContain('https://example.org');
    expect(renderMarkdown('[x](javascript:alert(1))')).not.toMatch(/<a\b|href=/);
  });

  it('renders the usual answer structure', () => {
    const html = renderMarkdown('## 处理\n\n1. 休息\n2. **补液**\n\n| 药物 | 剂量 |\n| --- | --- |\n| 布洛芬 | 0.2 g |');
    expect(html).toContain('<h2>处理</h2>');
    expect(html).toContain('<strong>补液</strong>');
    expect(html).toContain('<table>');
  });
});

describe('renderer snippets', () => {
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

describe('renderer frame batcher', () => {
  it('flushes once per frame however many requests arrive', () => {
    const frames: Array<() => void> = [];
    let flushes = 0;
    const batcher = new FrameBatcher(() => flushes++, (callback) => frames.push(callback));
    for (let i = 0; i < 500; i++) batcher.request();
    expect(frames).toHaveLength(1);
    frames.shift()!();
    expect(flushes).toBe(1);
    batcher.request();
    batcher.flushNow();
    expect(flushes).toBe(2);
  });
});
