import type { ErrorDetails } from '../../../src-main/contract/index.js';
import { errorCodes, XinglinError } from '../../../src-main/contract/index.js';
import { en, enErrorCodes } from './en.js';
import { zhCN, zhErrorCodes, type MessageKey } from './zh-CN.js';

export type { MessageKey };
export type Locale = 'zh-CN' | 'en';
export const locales: readonly Locale[] = ['zh-CN', 'en'];
export const DEFAULT_LOCALE: Locale = 'zh-CN';
export type Params = Record<string, string | number>;

const tables: Record<Locale, { readonly [K in MessageKey]: string }> = { 'zh-CN': zhCN, en };

export function isLocale(value: unknown): value is Locale {
  return value === 'zh-CN' || value === 'en';
}

/** `t('chat.failed', { message })`: looks the key up and fills `{name}` parameters. */
export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  const text = tables[locale][key] ?? zhCN[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** An error as the UI keeps it: the wire shape, from whatever was thrown or received. */
export interface UiError {
  code: string;
  message: string;
  details?: ErrorDetails;
}

export function toUiError(error: unknown): UiError {
  if (error instanceof XinglinError) {
    return error.details ? { code: error.code, message: error.message, details: error.details } : { code: error.code, message: error.message };
  }
  if (typeof error === 'object' && error !== null) {
    const record = error as Record<string, unknown>;
    if (typeof record['code'] === 'string' && typeof record['message'] === 'string') {
      const details = record['details'];
      const base = { code: record['code'], message: record['message'] };
      return typeof details === 'object' && details !== null ? { ...base, details: details as ErrorDetails } : base;
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: message || zhErrorCodes.INTERNAL || zhCN['error.generic'] };
}

function isKnownCode(code: string): code is keyof typeof enErrorCodes {
  return (errorCodes as readonly string[]).includes(code);
}

function formatDetails(details: ErrorDetails | undefined): string {
  if (!details) return '';
  const parts = Object.entries(details)
    .filter(([key]) => key !== 'reason' && key !== 'stack')
    .map(([key, value]) => `${key}: ${String(value)}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/**
 * What the user reads. In Chinese: the server's own message (it names the cause). In English:
 * the English text for the code plus the details, since the server's message is Chinese.
 */
export function formatError(locale: Locale, error: UiError): string {
  if (locale === 'zh-CN') {
    if (error.message) return error.message;
    return (isKnownCode(error.code) ? zhErrorCodes[error.code] : undefined) ?? `${zhCN['error.generic']}（${error.code}）`;
  }
  const text = isKnownCode(error.code) ? enErrorCodes[error.code] : `${en['error.generic']} (${error.code}).`;
  return `${text}${formatDetails(error.details)}`;
}
