import { z } from 'zod';
import { ChoiceCase, CriteriaCase, MAX_EVAL_CASES, XinglinError, type EvalCase, type EvalSetFormat } from '../../../contract/index.js';

/** Problems one refusal lists; a file with more is broken throughout and the first ones say how. */
const MAX_LISTED = 10;

/** One case as read from a file: where it was (line or row), and the object found there (or why none). */
export interface RawCase {
  line: number;
  value: unknown;
  /** Set when the line could not even be read as an object (bad JSON). */
  unreadable?: string;
}

/**
 * Checks every case of a file against the contract: one format for the whole file (the first
 * readable case decides), unique ids, an answer naming only options that exist, at least two
 * options. A single problem refuses the whole file, naming up to ten lines and their causes,
 * so a set is never silently smaller than the file it came from.
 */
export function checkCases(file: string, raw: readonly RawCase[]): { format: EvalSetFormat; cases: EvalCase[] } {
  const problems: string[] = [];
  const fail = (line: number, message: string) => problems.push(`第 ${line} 行：${message}`);
  const readable = raw.filter((r) => r.unreadable === undefined);
  const first = readable.find((r) => typeof r.value === 'object' && r.value !== null)?.value as Record<string, unknown> | undefined;
  const format: EvalSetFormat = first && 'options' in first ? 'choice' : 'criteria';
  const schema = format === 'choice' ? ChoiceCase : CriteriaCase;
  const seen = new Map<string, number>();
  const cases: EvalCase[] = [];
  for (const { line, value, unreadable } of raw) {
    if (unreadable !== undefined) {
      fail(line, unreadable);
      continue;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      fail(line, describe(parsed.error, format));
      continue;
    }
    const c = parsed.data;
    const earlier = seen.get(c.id);
    if (earlier !== undefined) fail(line, `id「${c.id}」与第 ${earlier} 行重复`);
    seen.set(c.id, line);
    if ('options' in c) {
      const letters = Object.keys(c.options);
      if (letters.length < 2) fail(line, `选项不足两个（只有 ${letters.join('、') || '无'}）`);
      const missing = [...c.answer].filter((letter) => !letters.includes(letter));
      if (missing.length) fail(line, `答案 ${c.answer} 中的选项 ${missing.join('、')} 不在 options 里（有：${letters.join('、')}）`);
    }
    cases.push(c);
  }
  if (raw.length === 0) problems.push('文件中没有任何病例');
  if (raw.length > MAX_EVAL_CASES) problems.unshift(`病例共 ${raw.length} 个，超过上限 ${MAX_EVAL_CASES}`);
  if (problems.length) {
    const more = problems.length > MAX_LISTED ? `；另有 ${problems.length - MAX_LISTED} 处问题` : '';
    throw new XinglinError('IMPORT_INVALID', `评测集 ${file} 无法导入，未保存任何内容：${problems.slice(0, MAX_LISTED).join('；')}${more}`, { file, problems: problems.length });
  }
  return { format, cases };
}

const FIELD_NAMES: Record<string, string> = { id: 'id', instruction: 'instruction（问题）', gold: 'gold（标准答案）', kind: 'kind（题型）', question: 'question（题干）', options: 'options（选项）', answer: 'answer（答案）' };

/** One Chinese sentence per schema problem, naming the field and, where it helps, what is allowed. */
function describe(error: z.ZodError, format: EvalSetFormat): string {
  return error.issues
    .map((issue) => {
      const [top, ...rest] = issue.path.map(String);
      const field = top === undefined ? '病例' : `${FIELD_NAMES[top] ?? top}${rest.length ? `.${rest.join('.')}` : ''}`;
      switch (issue.code) {
        case 'unrecognized_keys':
          return `包含未知字段 ${issue.keys.join('、')}（${format === 'choice' ? '选择题' : '三标准问题'}只有 ${Object.keys((format === 'choice' ? ChoiceCase : CriteriaCase).shape).join('、')}）`;
        case 'invalid_type':
          return issue.input === undefined ? `缺少 ${field}` : `${field} 类型错误`;
        case 'too_small':
          return top === 'gold' ? 'gold（标准答案）不能为空' : `${field} 不能为空`;
        case 'too_big':
          return `${field} 过长（上限 ${issue.maximum}）`;
        case 'invalid_value':
          return top === 'kind' ? `kind（题型）只能是 ${CriteriaCase.shape.kind.options.join('、')}` : `${field} 的取值无效`;
        case 'invalid_format':
          return top === 'answer' ? 'answer（答案）应为选项字母，如 "A" 或 "AB"' : `${field} 格式无效（选项字母为 A–J）`;
        case 'invalid_key':
          return 'options 的键应为选项字母 A–J';
        default:
          return `${field} 无效`;
      }
    })
    .join('，');
}
