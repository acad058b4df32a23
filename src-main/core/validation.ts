import type { z } from 'zod';
import { XinglinError } from '../contract/index.js';

/** One Chinese sentence per schema problem, naming the field, so a bad payload says what is wrong. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length ? issue.path.join('.') : '请求体';
  switch (issue.code) {
    case 'invalid_type':
      return `${field} 类型错误（应为 ${issue.expected}）`;
    case 'too_small':
      return issue.origin === 'string' && Number(issue.minimum) <= 1 ? `${field} 不能为空` : `${field} 小于下限 ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'string' ? `${field} 过长（最多 ${issue.maximum} 个字符）` : `${field} 超过上限 ${issue.maximum}`;
    case 'unrecognized_keys':
      return `包含未知字段：${issue.keys.join('、')}`;
    case 'invalid_value':
      return `${field} 的取值无效`;
    default:
      return `${field} 无效`;
  }
}

export function invalidInput(method: string, error: z.ZodError): XinglinError {
  const reasons = error.issues.map(describeIssue);
  return new XinglinError('INVALID_INPUT', `请求参数无效（${method}）：${reasons.join('；')}`, { method, fields: error.issues.map((i) => i.path.join('.') || '(root)').join(',') });
}
