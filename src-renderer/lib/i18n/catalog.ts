/**
 * The type of the message catalog, filled in by the domains: each `lib/i18n/<domain>/zh-CN.ts`
 * adds its table to `Catalog` (declaration merging) and index.ts merges the tables at run time
 * (`import.meta.glob`). A new pane brings `lib/i18n/<pane>/zh-CN.ts` and `en.ts` and touches
 * nothing else here; `en.ts` is typed by its zh-CN keys, so a missing or extra key is a type error.
 */
export interface Catalog {}

/** Every key of every domain (zh-CN is the reference key set). */
export type MessageKey = { [Domain in keyof Catalog]: keyof Catalog[Domain] & string }[keyof Catalog];

/** One language's whole table. */
export type MessageTable = { readonly [Key in MessageKey]: string };
