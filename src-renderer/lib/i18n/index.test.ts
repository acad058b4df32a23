import { describe, expect, it } from 'vitest';
import { errorCodes, XinglinError } from '$contract';
import { domainFiles, en, enErrorCodes, formatError, mergeDomains, toUiError, translate, zhCN, zhErrorCodes } from './index.js';

describe('i18n', () => {
  it('has the same keys in both languages, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
    for (const table of [zhCN, en] as Record<string, string>[]) for (const value of Object.values(table)) expect(value.trim()).not.toBe('');
    expect(Object.keys(enErrorCodes).sort()).toEqual([...errorCodes].sort());
    for (const code of Object.keys(zhErrorCodes)) expect(errorCodes).toContain(code);
  });

  it('merges one file per domain and language, each domain in both languages', () => {
    const domains = (files: Record<string, unknown>) => Object.keys(files).map((file) => file.split('/')[1]).sort();
    expect(domains(domainFiles['zh-CN'])).toEqual(domains(domainFiles.en));
    expect(domains(domainFiles['zh-CN'])).toEqual(expect.arrayContaining(['chat', 'errors', 'knowledge', 'models', 'shell']));
    for (const [file, messages] of Object.entries(domainFiles['zh-CN'])) {
      const twin = domainFiles.en[file.replace(/zh-CN\.ts$/, 'en.ts')]!;
      expect(Object.keys(twin).sort(), file).toEqual(Object.keys(messages).sort());
    }
  });

  it('refuses a key two domains define', () => {
    expect(() => mergeDomains({ './a/zh-CN.ts': { 'x.y': '甲' }, './b/zh-CN.ts': { 'x.y': '乙' } })).toThrow(/x\.y.*\.\/a\/zh-CN\.ts.*\.\/b\/zh-CN\.ts/);
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
