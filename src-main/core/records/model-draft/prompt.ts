/**
 * The prompt of a model draft: the rules of the record, the consultation with its turn numbers, the
 * findings already extracted, and what the knowledge base says about the medicines it names. The model
 * is told to write only what these state; the evidence of each sentence is found afterwards, never
 * taken from the model's word.
 */
import type { Finding, RecordKind, TemplateSection, Turn } from '../../../contract/index.js';
import { CHIEF_COMPLAINT_CHARS, type DraftLimits } from './schema.js';

/** One knowledge-base fact about a medicine the consultation names, as the prompt cites it. */
export interface DrugFact {
  drug: string;
  field: string;
  text: string;
}

const FACT_CHARS = 160;

export function draftPrompt(input: { kind: RecordKind; sections: readonly TemplateSection[]; turns: readonly Turn[]; findings: readonly Finding[]; facts: readonly DrugFact[]; limits: DraftLimits }): { system: string; prompt: string } {
  const { kind, sections, turns, findings, facts, limits } = input;
  const system = [
    `你是门诊病历书写助手。请按《病历书写基本规范》根据问诊对话写一份${kind}门诊病历草稿，由医生审阅、修改并签名。`,
    '只写对话、已提取的发现和知识库条目中有的内容；对话没有提到的部分写空数组 []，不要编造症状、时间、检查结果、诊断或用药。',
    '阴性发现写成“无××”或“否认××”。用药只写医生在对话中提出的。',
    `每个部分是句子数组，每句不超过 ${limits.sentenceChars} 字，每部分最多 ${limits.sentences} 句；主诉一句，写主要症状和持续时间，不超过 ${CHIEF_COMPLAINT_CHARS} 字。`,
  ].join('\n');
  const lines = [
    `病历部分（JSON 键：标题）：${sections.map((s) => `${s.key}：${s.title}`).join('；')}`,
    '',
    '问诊对话：',
    ...turns.map((turn) => `[${turn.index + 1}] ${turn.speaker}：${turn.text}`),
    '',
    '已提取的发现：',
    ...(findings.length ? findings.map(describe) : ['（无）']),
  ];
  if (facts.length) lines.push('', '知识库中对话所提药品的条目：', ...facts.map((f) => `${f.drug}·${f.field}：${f.text.length > FACT_CHARS ? `${f.text.slice(0, FACT_CHARS)}…` : f.text}`));
  lines.push('', '请输出 JSON。');
  return { system, prompt: lines.join('\n') };
}

function describe(finding: Finding): string {
  const duration = finding.duration ? `，${finding.duration}` : '';
  return `${finding.category}：${finding.item}（${finding.status}${duration}，${finding.speaker}所述，第 ${finding.evidence.map((i) => i + 1).join('、')} 轮）`;
}
