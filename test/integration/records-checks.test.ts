import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KbEntry, RecordSection, RecordWarning } from '../../src-main/contract/index.js';
import { KnowledgeService } from '../../src-main/core/knowledge/index.js';
import { checkRecord } from '../../src-main/core/records/checks/index.js';
import { DRUG_CHECK_KINDS, drugCheckTable, readDrugCheckCases, runDrugCheckCase, type CaseResult } from '../fixtures/records/drug-check-cases.js';
import { STARTER_DIR, tempDir } from '../helpers/env.js';

/**
 * Pharmacy review on the shipped starter base: every case of drug-checks.json is caught by its
 * kind, the safe prescriptions raise nothing, and every drug warning quotes its entry word for word.
 */

let dir: string;
let kb: KnowledgeService;
let results: CaseResult[];

beforeAll(() => {
  dir = tempDir('xinglin-checks-');
  kb = KnowledgeService.open({ file: path.join(dir, 'knowledge.db'), starterDir: STARTER_DIR });
  results = readDrugCheckCases().map((c) => runDrugCheckCase(c, kb));
});

afterAll(() => {
  kb.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Every text an entry states in a field, as a warning may quote it. */
function statedTexts(entry: KbEntry, field: string): string[] {
  return entry.facts.filter((f) => f.field === field).flatMap((f) => {
    const v = f.value;
    if (typeof v === 'string') return [v];
    if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : `${x.with}：${x.effect}`));
    return Object.values(v);
  });
}

function quotesItsEntry(w: RecordWarning): boolean {
  if (!w.entry || !w.field || !w.quote) return false;
  const stated = statedTexts(kb.entry(w.entry.id), w.field);
  // A list field may be quoted as several of its items (青霉素类、头孢菌素类).
  return stated.includes(w.quote) || w.quote.split('、').every((part) => stated.includes(part));
}

const section = (key: string, title: string, text: string, evidence: number[] = [0], origin: 'draft' | 'doctor' = 'doctor'): RecordSection =>
  ({ key, title, required: false, sentences: text ? [{ text, evidence, origin }] : [] });

describe('drug checks: the cases of drug-checks.json', () => {
  it('has at least 10 cases of each kind and 50 safe prescriptions', () => {
    const table = drugCheckTable(results);
    for (const kind of DRUG_CHECK_KINDS) expect(table.kinds[kind].total, kind).toBeGreaterThanOrEqual(10);
    expect(table.safe.total).toBeGreaterThanOrEqual(50);
  });

  it.each(DRUG_CHECK_KINDS)('catches every %s case', (kind) => {
    const missed = results.filter((r) => r.case.expect === kind && !r.passed).map((r) => `${r.case.id}: ${r.case.note} → ${r.warnings.map((w) => w.message).join(' | ') || '无警示'}`);
    expect(missed).toEqual([]);
  });

  it('raises no drug warning on the safe prescriptions', () => {
    const alarms = results.filter((r) => r.case.expect === null && !r.passed).map((r) => `${r.case.id}: ${r.warnings.map((w) => w.message).join(' | ')}`);
    expect(alarms).toEqual([]);
  });

  it('cites, in every drug warning, the entry and the words it rests on', () => {
    const warnings = results.flatMap((r) => r.warnings);
    expect(warnings.length).toBeGreaterThan(60);
    for (const w of warnings) {
      expect(quotesItsEntry(w), `${w.message} — ${w.field}: ${w.quote}`).toBe(true);
      expect(w.message).toContain(`知识库“${w.entry!.name}”`);
      expect(w.drugs.length).toBeGreaterThan(0);
    }
  });

  it('gives allergies and contraindications as errors', () => {
    for (const r of results.filter((x) => x.case.expect === 'allergy' || x.case.expect === 'contraindication')) {
      expect(r.warnings.find((w) => w.kind === r.case.expect)?.severity, r.case.id).toBe('error');
    }
  });
});

describe('drug checks: reading the record', () => {
  const plan = (text: string) => section('plan', '处理意见', text);

  it('reads a denied allergy as none, and an affirmed one beside it as an allergy', () => {
    const denied = checkRecord({ kind: '初诊', sections: [section('allergyHistory', '过敏史', '否认药物过敏史'), plan('阿莫西林胶囊 0.5g 口服 tid')], findings: [], turns: [] }, kb);
    expect(denied.filter((w) => w.kind === 'allergy')).toEqual([]);
    const stated = checkRecord({ kind: '初诊', sections: [section('allergyHistory', '过敏史', '否认食物过敏史，青霉素过敏'), plan('阿莫西林胶囊 0.5g 口服 tid')], findings: [], turns: [] }, kb);
    expect(stated.filter((w) => w.kind === 'allergy')).toHaveLength(1);
  });

  it('takes an allergy finding only when it is positive', () => {
    const finding = (status: '阳性' | '阴性') => [{ category: '过敏' as const, item: '青霉素', status, speaker: '患者' as const, duration: null, evidence: [2] }];
    const run = (status: '阳性' | '阴性') => checkRecord({ kind: '初诊', sections: [plan('阿莫西林胶囊 0.5g 口服 tid')], findings: finding(status), turns: [] }, kb).filter((w) => w.kind === 'allergy');
    expect(run('阴性')).toEqual([]);
    expect(run('阳性')).toHaveLength(1);
  });

  it('does not read a medicine the plan stops as planned', () => {
    const warnings = checkRecord({ kind: '初诊', sections: [section('pastHistory', '既往史', '长期服用华法林'), plan('停用布洛芬，改对乙酰氨基酚片 0.5g 口服 必要时')], findings: [], turns: [] }, kb);
    expect(warnings.filter((w) => w.drugs.some((d) => d.includes('布洛芬')))).toEqual([]);
  });

  it('recognises names exactly: a name one character off is no medicine of the record', () => {
    const warnings = checkRecord({ kind: '初诊', sections: [section('allergyHistory', '过敏史', '青霉素过敏'), plan('阿莫西休胶囊 0.5g 口服 tid')], findings: [], turns: [] }, kb);
    expect(warnings.filter((w) => w.entry !== null)).toEqual([]);
  });

  it('says nothing without a planned medicine', () => {
    const warnings = checkRecord({ kind: '初诊', sections: [section('allergyHistory', '过敏史', '青霉素过敏'), section('diagnosis', '初步诊断', '消化性溃疡')], findings: [], turns: [] }, kb);
    expect(warnings.filter((w) => w.entry !== null)).toEqual([]);
  });
});
