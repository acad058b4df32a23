/** Where the host's refusal of a set file starts listing its problems: a line, or the whole file. */
const FIRST_PROBLEM = /第 \d+ 行：|病例共 \d+ 个|文件中没有/u;

/**
 * The host's refusal of a set file (IMPORT_INVALID) as a sentence and the problems it lists:
 * "评测集 a.jsonl 无法导入，未保存任何内容：第 2 行：缺少 gold；第 5 行：…；另有 3 处问题".
 */
export function importProblems(message: string): { head: string; problems: string[] } {
  const at = message.search(FIRST_PROBLEM);
  if (at < 0) return { head: message, problems: [] };
  return { head: message.slice(0, at).replace(/[：:]\s*$/u, ''), problems: message.slice(at).split(/；(?=第 \d+ 行：|另有 \d+ 处问题|文件中没有)/u) };
}
