import {
  DEFAULT_LOCALE,
  formatError,
  isLocale,
  toUiError,
  translate,
  type Locale,
  type MessageKey,
  type Params,
} from '../i18n/index.js';

export const LOCALE_STORAGE_KEY = 'xinglin.locale';

type LocaleStorage = Pick<Storage, 'getItem' | 'setItem'>;

function defaultStorage(): LocaleStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/**
 * The interface language: zh-CN by default, English on request, remembered in localStorage.
 * `t` and `error` read `locale`, so everything rendered through them follows a switch at once.
 */
export class I18nState {
  locale = $state<Locale>(DEFAULT_LOCALE);
  readonly #storage: LocaleStorage | null;

  constructor(storage: LocaleStorage | null = defaultStorage()) {
    this.#storage = storage;
    try {
      const saved = storage?.getItem(LOCALE_STORAGE_KEY);
      if (isLocale(saved)) this.locale = saved;
    } catch {
      // unreadable storage: keep the default
    }
  }

  readonly t = (key: MessageKey, params?: Params): string => translate(this.locale, key, params);

  /** A readable line for any error: the server's Chinese message, or English by code + details. */
  readonly error = (error: unknown): string => formatError(this.locale, toUiError(error));

  set(locale: Locale): void {
    this.locale = locale;
    try {
      this.#storage?.setItem(LOCALE_STORAGE_KEY, locale);
    } catch {
      // not persisted; the switch still applies to this window
    }
  }

  toggle(): void {
    this.set(this.locale === 'zh-CN' ? 'en' : 'zh-CN');
  }
}
