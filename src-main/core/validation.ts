import { ZodArray, ZodDefault, ZodNullable, ZodNumber, ZodObject, ZodOptional, ZodPipe, ZodUnion, type z } from 'zod';
import { isMethodName, methods, XinglinError } from '../contract/index.js';

/** A refusal names the first few problems, fields and keys, each shortened: a hostile payload never comes back as a megabyte of error. */
const MAX_LISTED = 10;
const MAX_NAME_CHARS = 60;

function shortName(name: string): string {
  return name.length > MAX_NAME_CHARS ? `${name.slice(0, MAX_NAME_CHARS)}…` : name;
}

function listed(items: string[], separator: string): string {
  return items.length > MAX_LISTED ? `${items.slice(0, MAX_LISTED).join(separator)} 等 ${items.length} 项` : items.join(separator);
}

/**
 * The schema a path leads to: zod names only the bound a number crossed, and a refusal should give
 * the whole range. Union members are tried in turn (the first with the key wins).
 */
function schemaAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): z.core.$ZodType | null {
  if (schema instanceof ZodOptional || schema instanceof ZodNullable || schema instanceof ZodDefault) return schemaAt(schema.unwrap(), path);
  if (schema instanceof ZodPipe) return schemaAt(schema.in, path);
  if (schema instanceof ZodUnion) {
    for (const option of schema.options) {
      const found = schemaAt(option, path);
      if (found) return found;
    }
    return null;
  }
  const [key, ...rest] = path;
  if (key === undefined) return schema;
  if (schema instanceof ZodObject) {
    const child = typeof key === 'string' ? (schema.shape as Record<string, z.core.$ZodType>)[key] : undefined;
    return child ? schemaAt(child, rest) : null;
  }
  if (schema instanceof ZodArray && typeof key === 'number') return schemaAt(schema.element, rest);
  return null;
}

/** `（允许范围 a 到 b）` for a number field with both bounds, else nothing. */
function rangeOf(schema: z.core.$ZodType | null, path: readonly PropertyKey[]): string {
  const field = schema ? schemaAt(schema, path) : null;
  if (!(field instanceof ZodNumber)) return '';
  const { minValue, maxValue } = field;
  // An integer without its own bounds reports the safe-integer limits: no range worth naming.
  const bounded = (value: number | null): value is number => value !== null && Math.abs(value) < Number.MAX_SAFE_INTEGER;
  return bounded(minValue) && bounded(maxValue) ? `（允许范围 ${minValue} 到 ${maxValue}）` : '';
}

/** One Chinese sentence per schema problem, naming the field (and a number's range), so a bad payload says what is wrong. */
function describeIssue(issue: z.core.$ZodIssue, schema: z.core.$ZodType | null): string {
  const field = issue.path.length ? shortName(issue.path.join('.')) : '请求体';
  switch (issue.code) {
    case 'invalid_type':
      return `${field} 类型错误（应为 ${issue.expected}）`;
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? `${field} 不能为空` : `${field} 过短（至少 ${issue.minimum} 个字符）`;
      if (issue.origin === 'array') return `${field} 至少需要 ${issue.minimum} 项`;
      return `${field} 小于下限 ${issue.minimum}${rangeOf(schema, issue.path)}`;
    case 'too_big':
      if (issue.origin === 'string') return `${field} 过长（最多 ${issue.maximum} 个字符）`;
      if (issue.origin === 'array') return `${field} 最多 ${issue.maximum} 项`;
      return `${field} 超过上限 ${issue.maximum}${rangeOf(schema, issue.path)}`;
    case 'unrecognized_keys':
      return `包含未知字段：${listed(issue.keys.map(shortName), '、')}`;
    case 'invalid_value':
      return `${field} 的取值无效`;
    default:
      // The contract's own refinements and patterns carry a Chinese sentence; zod's defaults are English.
      return /[\u4e00-\u9fff]/.test(issue.message) ? `${field}：${issue.message}` : `${field} 无效`;
  }
}

/** `schema`: what was parsed, when it is not the method's own input (for the ranges). */
export function invalidInput(method: string, error: z.ZodError, schema: z.core.$ZodType | null = isMethodName(method) ? methods[method].input : null): XinglinError {
  const reasons = listed(error.issues.map((issue) => describeIssue(issue, schema)), '；');
  const fields = error.issues.slice(0, MAX_LISTED).map((i) => shortName(i.path.join('.')) || '(root)');
  return new XinglinError('INVALID_INPUT', `请求参数无效（${method}）：${reasons}`, { method, fields: fields.join(',') });
}

/** A UTF-16 surrogate without its pair: JSON and IPC carry it, but it is not text, and SQLite would store other characters. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function malformedTextPath(value: unknown, path: string[]): string[] | null {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : null;
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, child] of Object.entries(value)) {
    const found = malformedTextPath(child, [...path, key]);
    if (found) return found;
  }
  return null;
}

/** Validated input holding text that is not well-formed Unicode, as an error naming the field; null when all is text. */
export function malformedText(method: string, params: unknown): XinglinError | null {
  const path = malformedTextPath(params, []);
  if (!path) return null;
  const field = path.join('.') || '请求体';
  return new XinglinError('INVALID_INPUT', `请求参数无效（${method}）：${field} 含有无效的 Unicode 字符（不成对的代理项）`, { method, fields: field });
}
