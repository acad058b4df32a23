import type { Locale } from '../../i18n/index.js';

const MB = 1024 ** 2;

/** A backup's size in MB, one decimal (a fresh data folder's backup is well under one MB). */
export function megabytes(locale: Locale, bytes: number): string {
  const value = bytes / MB;
  if (bytes > 0 && value < 0.1) return `< ${new Intl.NumberFormat(locale, { minimumFractionDigits: 1 }).format(0.1)}`;
  return new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value);
}
