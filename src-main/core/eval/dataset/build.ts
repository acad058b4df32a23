import { setImmediate as nextTurn } from 'node:timers/promises';
import { XinglinError, type DatasetFormat, type KbEntry, type MethodOutput } from '../../../contract/index.js';
import type { KnowledgeService } from '../../knowledge/index.js';
import { answerFor } from './answers.js';
import { throwIfCancelled } from './cancel.js';
import { redactor, readNames } from './deidentify.js';
import { exampleLine, Examples, type Example } from './examples.js';
import { readQaPairs } from './qa-pairs.js';
import { splitGroups } from './split.js';
import { NAME_SLOT, readTemplatesFile, templates } from './templates.js';

export interface DatasetSources {
  knowledge: Pick<KnowledgeService, 'entries' | 'entry' | 'version'>;
  /** Signed records' final text as drafting examples: dialogue → record sections; the lead will pass a function built on the records slice. */
  signedRecords?: () => Iterable<{ dialogue: string; record: string }>;
}

export interface DatasetRequest {
  format: DatasetFormat;
  /** The training share of the groups, 0.5 to 1. */
  split: number;
  seed: number;
  templatesPath?: string;
  qaPath?: string;
  namesPath?: string;
  records: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

const QA_COUNT_KEY = 'qa';
const RECORDS_COUNT_KEY = 'records';
export const RECORD_INSTRUCTION = '根据以下问诊对话书写门诊病历';

/** Entries read between two looks at the signal and the progress, and a turn of the event loop for a cancel to arrive. */
const ENTRIES_PER_STEP = 50;

/**
 * Instruction data from the knowledge base (every template's phrasings for every entry that
 * records the field), the hospital's question–answer pairs and signed records (de-identified),
 * deduplicated and split by group. The files the user gives are read first: a bad one refuses the
 * build before any work.
 */
export async function buildDataset(sources: DatasetSources, request: DatasetRequest): Promise<MethodOutput<'dataset.build'>> {
  const { signal, onProgress } = request;
  throwIfCancelled(signal);
  const chosen = templates(request.templatesPath ? readTemplatesFile(request.templatesPath) : {});
  const redact = redactor(request.namesPath ? await readNames(request.namesPath, signal) : []);
  const pairs = request.qaPath ? await readQaPairs(request.qaPath, signal) : [];

  const { knowledge } = sources;
  const version = knowledge.version();
  const refs = [...knowledge.entries()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const total = refs.length + (request.qaPath ? 1 : 0) + (request.records ? 1 : 0);
  const examples = new Examples();
  const counts: Record<string, number> = Object.fromEntries(chosen.map((t) => [t.id, 0]));
  if (request.qaPath) counts[QA_COUNT_KEY] = 0;
  if (request.records) counts[RECORDS_COUNT_KEY] = 0;
  let redactions = 0;
  // Redactions are counted in the examples kept: what the files would otherwise have held.
  const keep = (example: Example, redacted = 0): void => {
    if (!examples.add(example)) return;
    counts[example.template] = (counts[example.template] ?? 0) + 1;
    redactions += redacted;
  };

  for (const [done, ref] of refs.entries()) {
    if (done % ENTRIES_PER_STEP === 0) {
      onProgress?.(done, total);
      await nextTurn();
      throwIfCancelled(signal);
    }
    const entry = entryOf(knowledge, ref.id);
    for (const template of chosen) {
      if (template.kind !== entry.type) continue;
      const output = answerFor(entry, template);
      if (output === null) continue;
      for (const phrasing of template.phrasings) keep({ group: entry.id, template: template.id, instruction: phrasing.replaceAll(NAME_SLOT, entry.name), input: '', output });
    }
  }
  // An import that finished meanwhile would mix two versions of the base in one file.
  if (knowledge.version() !== version) throw changedMeanwhile();
  let done = refs.length;

  if (request.qaPath) {
    pairs.forEach((pair, i) => {
      const [instruction, input, output] = [redact(pair.instruction), redact(pair.input), redact(pair.output)];
      keep({ group: `qa:${i}`, template: QA_COUNT_KEY, instruction: instruction.text, input: input.text, output: output.text }, instruction.count + input.count + output.count);
    });
    onProgress?.(++done, total);
  }
  if (request.records && sources.signedRecords) {
    let i = 0;
    for (const { dialogue, record } of sources.signedRecords()) {
      if (++i % ENTRIES_PER_STEP === 0) throwIfCancelled(signal);
      if (!dialogue.trim() || !record.trim()) continue;
      const [input, output] = [redact(dialogue), redact(record)];
      keep({ group: `record:${i}`, template: RECORDS_COUNT_KEY, instruction: RECORD_INSTRUCTION, input: input.text, output: output.text }, input.count + output.count);
    }
  }
  throwIfCancelled(signal);
  onProgress?.(total, total);

  const byGroup = new Map<string, Example[]>();
  for (const example of examples.kept) {
    const group = byGroup.get(example.group);
    if (group) group.push(example);
    else byGroup.set(example.group, [example]);
  }
  const { train, test } = splitGroups(byGroup.keys(), request.split, request.seed);
  const file = (side: 'train' | 'test', groups: string[]) => {
    const lines = groups.flatMap((group) => byGroup.get(group) ?? []).map((example) => exampleLine(example, request.format));
    return { fileName: `instructions-${request.format}-${side}.jsonl`, count: lines.length, content: lines.length ? `${lines.join('\n')}\n` : '' };
  };
  return { train: file('train', train), test: file('test', test), counts, duplicatesRemoved: examples.duplicatesRemoved, redactions };
}

function entryOf(knowledge: DatasetSources['knowledge'], id: string): KbEntry {
  try {
    return knowledge.entry(id);
  } catch (cause) {
    if (cause instanceof XinglinError && cause.code === 'NOT_FOUND') throw changedMeanwhile();
    throw cause;
  }
}

function changedMeanwhile(): XinglinError {
  return new XinglinError('BUSY', '生成指令数据期间知识库被更新（导入或删除了来源），为免混入两个版本，未写出任何文件：请重新生成');
}
