import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { RecordKind, RecordTemplate, SectionKey, TemplateSection, XinglinError } from '../../../contract/index.js';

/**
 * The record templates are data (records/templates/*.json), not code: `general.json` holds the
 * sections of 病历书写基本规范 for 初诊 and 复诊; a department's file lists only the sections it adds
 * and where they go, so a change to the standard sections reaches every department at once.
 */

const BASE_ID = 'general';

/** One section a department adds, after a section the template already has, for the kinds it names. */
const TemplateAddition = z.object({ after: SectionKey, kinds: z.array(RecordKind).min(1), section: TemplateSection }).strict();
const DepartmentTemplate = z.object({
  id: RecordTemplate.shape.id,
  department: z.string().min(1),
  add: z.array(TemplateAddition).min(1),
}).strict();
type DepartmentTemplate = z.infer<typeof DepartmentTemplate>;

/** Beside the bundle when the build copied them there (dist/main/record-templates), else the source folder. */
export function defaultTemplatesDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const bundled = path.join(here, 'record-templates');
  return fs.existsSync(bundled) ? bundled : path.join(here, '..', 'templates');
}

class TemplateError extends Error {}

function issueText(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return issue.path.length ? `${issue.path.join('.')}：${issue.message}` : issue.message;
}

function checkUniqueKeys(template: RecordTemplate): void {
  for (const kind of RecordKind.options) {
    const seen = new Set<string>();
    for (const section of template.sections[kind]) {
      if (seen.has(section.key)) throw new TemplateError(`${kind}的章节键“${section.key}”重复`);
      seen.add(section.key);
    }
  }
}

function extend(base: RecordTemplate, department: DepartmentTemplate): RecordTemplate {
  const sections = { 初诊: [...base.sections.初诊], 复诊: [...base.sections.复诊] };
  for (const { after, kinds, section } of department.add) {
    for (const kind of kinds) {
      const list = sections[kind];
      const at = list.findIndex((s) => s.key === after);
      if (at < 0) throw new TemplateError(`${kind}没有章节“${after}”，无法在其后加入“${section.title}”`);
      if (list.some((s) => s.key === section.key)) throw new TemplateError(`${kind}已有章节“${section.key}”`);
      list.splice(at + 1, 0, section);
    }
  }
  return { id: department.id, department: department.department, sections };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new TemplateError(`不是有效的 JSON（${(cause as Error).message}）`);
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new TemplateError(issueText(result.error));
  return result.data;
}

/** Reads every template of the folder, `general` first, then the departments by id; a broken file is STARTER_INVALID naming it. */
export function loadTemplates(dir: string = defaultTemplatesDir()): RecordTemplate[] {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const guard = <T>(file: string, work: () => T): T => {
    try {
      return work();
    } catch (cause) {
      if (!(cause instanceof TemplateError)) throw cause;
      throw new XinglinError('STARTER_INVALID', `病历模板 ${file} 有误：${cause.message}（请重新安装或修正该文件）`, { file });
    }
  };
  const baseFile = `${BASE_ID}.json`;
  if (!files.includes(baseFile)) throw new XinglinError('STARTER_INVALID', `病历模板目录 ${dir} 缺少 ${baseFile}（全科标准章节）`, { file: baseFile });
  const base = guard(baseFile, () => {
    const template = parse(RecordTemplate.strict(), readJson(path.join(dir, baseFile)));
    if (template.id !== BASE_ID) throw new TemplateError(`id 应为“${BASE_ID}”`);
    checkUniqueKeys(template);
    return template;
  });
  const departments = files.filter((f) => f !== baseFile).map((file) => guard(file, () => {
    const department = parse(DepartmentTemplate, readJson(path.join(dir, file)));
    if (`${department.id}.json` !== file) throw new TemplateError(`id“${department.id}”应与文件名一致`);
    return extend(base, department);
  }));
  return [base, ...departments];
}

/** The template with this id; NOT_FOUND lists the ids there are. */
export function templateById(id: string, templates: RecordTemplate[] = loadTemplates()): RecordTemplate {
  const template = templates.find((t) => t.id === id);
  if (template) return template;
  const known = templates.map((t) => `${t.id}（${t.department}）`).join('、');
  throw new XinglinError('NOT_FOUND', `没有病历模板“${id}”（可用：${known}）`, { templateId: id });
}
