import { DEFAULT_SESSION_TITLE } from '$contract';
import type { MessageKey } from '../../i18n/index.js';

/**
 * A session's name as the sidebar, search results and header show it. The host names a new
 * session DEFAULT_SESSION_TITLE (Chinese, until its first question names it): shown in the
 * interface language, like an empty title.
 */
export function sessionTitle(title: string, t: (key: MessageKey) => string): string {
  const trimmed = title.trim();
  return trimmed === '' || trimmed === DEFAULT_SESSION_TITLE ? t('sessions.untitled') : trimmed;
}
