import type { z } from 'zod';
import { XinglinError } from '../contract/index.js';

/** A refusal names the first few problems, fields and keys, each shortened: a hostile payload never comes back as a megabyte of error. */
const MAX_LISTED = 10;
const MAX_NAME_CHARS = 60;

function shortName(name: string): string {
  return name.length > MAX_NAME_CHARS ? `${name.slice(0, MAX_NAME_CHARS)}…` : name;
}

function listed(items: string[], separator: string): string {
  return items.length > MAX_LISTED ? `${items.slice(0, MAX_LISTED).join(separator)} 等 ${items.length} 项` : items.join(separator);
}

/** One Chinese sentence per schema problem, naming the field, so a bad payload says what is wrong. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length ? shortName(issue.path.join('.')) : '请求体';
  switch (issue.code) {
    case 'invalid_type':
      return `${field} 类型错误（应为 ${issue.expected}）`;
    case 'too_small':
      return issue.origin === 'string' && Number(issue.minimum) <= 1 ? `${field} 不能为空` : `${field} 小于下限 ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'string' ? `${field} 过长（最多 ${issue.maximum} 个字符）` : `${field} 超过上限 ${issue.maximum}`;
    case 'unrecognized_keys':
      return `包含未知字段：${listed(issue.keys.map(shortName), '、')}`;
    case 'invalid_value':
      return `${field} 的取值无效`;
    default:
      return `${field} 无效`;
  }
}

export function invalidInput(method: string, error: z.ZodError): XinglinError {
  const reasons = listed(error.issues.map(describeIssue), '；');
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
