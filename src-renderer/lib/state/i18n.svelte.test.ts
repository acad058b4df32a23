import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { I18nState } from './i18n.svelte.js';

describe('I18nState', () => {
  it('defaults to Chinese, switches, and remembers the choice', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    const i18n = new I18nState(storage);
    expect(i18n.locale).toBe('zh-CN');
    expect(i18n.t('chat.send')).toBe('发送');
    i18n.toggle();
    expect(i18n.t('chat.send')).toBe('Send');
    expect(new I18nState(storage).locale).toBe('en');
  });

  it('re-renders what reads `t` when the language switches', () => {
    const i18n = new I18nState(null);
    const seen: string[] = [];
    const stop = $effect.root(() => {
      $effect(() => {
        seen.push(i18n.t('sessions.new'));
      });
    });
    flushSync();
    i18n.set('en');
    flushSync();
    stop();
    expect(seen).toEqual(['新建会话', 'New session']);
  });
});
