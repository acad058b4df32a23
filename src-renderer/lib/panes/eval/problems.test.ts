import { describe, expect, it } from 'vitest';
import { importProblems } from './problems.js';

describe('importProblems', () => {
  it('lists each bad line the host names, and what it says of the rest', () => {
    const message = '评测集 bad.jsonl 无法导入，未保存任何内容：第 2 行：缺少 gold（标准答案）；第 5 行：不是有效的 JSON；另有 3 处问题';
    expect(importProblems(message)).toEqual({ head: '评测集 bad.jsonl 无法导入，未保存任何内容', problems: ['第 2 行：缺少 gold（标准答案）', '第 5 行：不是有效的 JSON', '另有 3 处问题'] });
  });

  it('keeps a whole-file problem apart, and a problem whose own text has a semicolon whole', () => {
    const message = '评测集 a.jsonl 无法导入，未保存任何内容：病例共 6000 个，超过上限 5000；第 3 行：答案 E 中的选项 E 不在 options 里（有：A、B）；说明';
    expect(importProblems(message).problems).toEqual(['病例共 6000 个，超过上限 5000', '第 3 行：答案 E 中的选项 E 不在 options 里（有：A、B）；说明']);
    expect(importProblems('评测集 a.csv 缺少 CMExam 的列：Answer')).toEqual({ head: '评测集 a.csv 缺少 CMExam 的列：Answer', problems: [] });
  });
});
