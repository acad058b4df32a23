/**
 * What a model draft's prompt is told about the medicines of a consultation: only what the starter
 * knowledge base records for entries named exactly; a near name or a class brings nothing.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src-main/contract/index.js';
import { KnowledgeService } from '../../src-main/core/knowledge/index.js';
import { drugFacts } from '../../src-main/core/records/model-draft/drug-facts.js';
import { STARTER_DIR, tempDir } from '../helpers/env.js';

let kb: KnowledgeService;

beforeAll(() => {
  kb = KnowledgeService.open({ file: path.join(tempDir('xinglin-facts-'), 'knowledge.db'), starterDir: STARTER_DIR });
});

afterAll(() => kb?.close());

const drug = (item: string, status: Finding['status'] = '阳性'): Finding => ({ category: '药物', item, status, speaker: '医生', duration: null, evidence: [0] });

describe('drug facts for the draft prompt', () => {
  it('gives the recorded facts of a medicine named exactly, each as the entry states it', () => {
    const facts = drugFacts(kb, [drug('阿莫西林')]);
    expect(new Set(facts.map((f) => f.drug))).toEqual(new Set(['阿莫西林']));
    const entry = kb.entry(kb.retrieve('阿莫西林').entities[0]!.id);
    const allergy = entry.facts.find((f) => f.field === 'allergyClass')!.value as string[];
    expect(facts.find((f) => f.field === '过敏类别')?.text).toBe(allergy.join('；'));
  });

  it('gives nothing for a name one character off, a denied medicine, or none', () => {
    expect(drugFacts(kb, [drug('阿莫西休')])).toEqual([]);
    expect(drugFacts(kb, [drug('阿莫西林', '阴性')])).toEqual([]);
    expect(drugFacts(kb, [])).toEqual([]);
  });
});
