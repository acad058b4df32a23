import type { KbImportFormat } from '$contract';

/**
 * One example file per import format, offered for download in the Knowledge pane as a template
 * (docs/knowledge-import.md describes the formats in full). Made-up drugs, so nobody mistakes a
 * template for knowledge.
 */
export interface ImportExample {
  file: string;
  label: 'kb.import.example.jsonl' | 'kb.import.example.csv' | 'kb.import.example.mapping' | 'kb.import.example.label';
  format: KbImportFormat;
  mime: string;
  content: string;
}

const line = (value: unknown): string => `${JSON.stringify(value)}\n`;

export const IMPORT_EXAMPLES: readonly ImportExample[] = [
  {
    file: '示例-本院知识.jsonl',
    label: 'kb.import.example.jsonl',
    format: 'jsonl',
    mime: 'application/x-ndjson',
    content:
      line({ type: 'drug', name: '示例替尼片', aliases: ['示例替尼'], class: '激酶抑制剂', category: '抗肿瘤药', indications: ['示例病（成人；复发或难治）'], contraindications: ['对本品过敏者'], allergyClass: [] }) +
      line({ type: 'disease', name: '示例病', aliases: [], departments: ['血液科'], symptoms: ['乏力'], drugs: ['示例替尼片'] }),
  },
  {
    file: '示例-本院知识.csv',
    label: 'kb.import.example.csv',
    format: 'csv',
    mime: 'text/csv',
    content: '通用名,别名,适应症,禁忌\n示例替尼片,示例替尼,示例病,对本品过敏者；妊娠期妇女\n',
  },
  {
    file: '示例-列映射.json',
    label: 'kb.import.example.mapping',
    format: 'csv',
    mime: 'application/json',
    content: `${JSON.stringify({ type: 'drug', columns: { 通用名: 'name', 别名: 'aliases', 适应症: 'indications', 禁忌: 'contraindications' } }, null, 2)}\n`,
  },
  {
    file: '示例-药品说明书.jsonl',
    label: 'kb.import.example.label',
    format: 'label',
    mime: 'application/x-ndjson',
    content: line({
      name: '示例替尼片',
      aliases: ['示例替尼'],
      label: {
        适应症: '本品适用于18岁及以上成人复发或难治性示例病。本品的疗效基于一项单臂临床研究。',
        禁忌: '对本品任何成分过敏者禁用。孕妇禁用。',
        不良反应: '常见恶心、腹泻及转氨酶升高。',
      },
    }),
  },
];

/** A data: URL the browser saves as the file (no server round trip, works offline). */
export function exampleHref(example: ImportExample): string {
  return `data:${example.mime};charset=utf-8,${encodeURIComponent(example.content)}`;
}
