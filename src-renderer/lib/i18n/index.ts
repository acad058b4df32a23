import type { ErrorDetails } from '$contract';
import { errorCodes, XinglinError } from '$contract';
import type { MessageKey, MessageTable } from './catalog.js';
import { codes as enErrorCodes } from './errors/en.js';
import { codes as zhErrorCodes } from './errors/zh-CN.js';

export type { MessageKey, MessageTable };
export { enErrorCodes, zhErrorCodes };
export type Locale = 'zh-CN' | 'en';
export const locales: readonly Locale[] = ['zh-CN', 'en'];
export const DEFAULT_LOCALE: Locale = 'zh-CN';
export type Params = Record<string, string | number>;

type Domains = Record<string, Readonly<Record<string, string>>>;

/**
 * One table per language, merged from the domains' files (`./<domain>/zh-CN.ts`, `./<domain>/en.ts`).
 * A key defined by two domains is a mistake that would silently shadow a string: it throws here.
 */
export function mergeDomains(domains: Domains): Record<string, string> {
  const table: Record<string, string> = {};
  const owner = new Map<string, string>();
  for (const [file, messages] of Object.entries(domains)) {
    for (const [key, text] of Object.entries(messages)) {
      const other = owner.get(key);
      if (other !== undefined) throw new Error(`i18n key ${key} is defined twice: ${other} and ${file}`);
      owner.set(key, file);
      table[key] = text;
    }
  }
  return table;
}

/** The domains' files as found, keyed by path (for the tests: both languages, every domain). */
export const domainFiles: Record<Locale, Domains> = {
  'zh-CN': import.meta.glob<Readonly<Record<string, string>>>('./*/zh-CN.ts', { eager: true, import: 'messages' }),
  en: import.meta.glob<Readonly<Record<string, string>>>('./*/en.ts', { eager: true, import: 'messages' }),
};

// The types guarantee every key in both languages (each en.ts is typed by its zh-CN.ts, the
// catalog by the zh-CN files); the merge only assembles what the types already checked.
export const zhCN = mergeDomains(domainFiles['zh-CN']) as MessageTable;
export const en = mergeDomains(domainFiles.en) as MessageTable;

const tables: Record<Locale, MessageTable> = { 'zh-CN': zhCN, en };

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
