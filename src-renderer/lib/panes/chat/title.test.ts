import { describe, expect, it } from 'vitest';
import { DEFAULT_SESSION_TITLE } from '$contract';
import { translate, type MessageKey } from '../../i18n/index.js';
import { sessionTitle } from './title.js';

describe('session titles', () => {
  it('shows the host’s default name, and no name, in the interface language', () => {
    const en = (key: MessageKey) => translate('en', key);
    const zh = (key: MessageKey) => translate('zh-CN', key);
    expect(sessionTitle(DEFAULT_SESSION_TITLE, en)).toBe('New session');
    expect(sessionTitle('  ', en)).toBe('New session');
    expect(sessionTitle(DEFAULT_SESSION_TITLE, zh)).toBe(translate('zh-CN', 'sessions.untitled'));
    expect(sessionTitle(' 痛风随访 ', en)).toBe('痛风随访');
  });
});
