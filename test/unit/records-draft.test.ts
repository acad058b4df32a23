import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordTemplate, sectionText, XinglinError, type Finding, type RecordSection, type Turn } from '../../src-main/contract/index.js';
import { compactDuration, draftFromFindings } from '../../src-main/core/records/draft/from-findings.js';
import { reviseSections, splitSentences } from '../../src-main/core/records/draft/sentences.js';
import { defaultTemplatesDir, loadTemplates, templateById } from '../../src-main/core/records/draft/templates.js';
import { parseDialogue } from '../../src-main/core/records/dialogue.js';
import { extractFindings, loadVocabulary } from '../../src-main/core/records/findings/index.js';

const keys = (sections: { key: string }[]) => sections.map((s) => s.key);
const section = (sections: RecordSection[], key: string) => sections.find((s) => s.key === key)!;
const texts = (sections: RecordSection[], key: string) => section(sections, key).sentences.map((s) => s.text);

function failure(work: () => unknown): XinglinError {
  try {
    work();
  } catch (error) {
    if (error instanceof XinglinError) return error;
    throw error;
  }
  throw new Error('expected an XinglinError');
}

/** A template folder with the shipped general.json and one more file. */
function folderWith(file: string, content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-templates-'));
  fs.copyFileSync(path.join(defaultTemplatesDir(), 'general.json'), path.join(dir, 'general.json'));
  fs.writeFileSync(path.join(dir, file), content);
  return dir;
}

describe('records: templates', () => {
  const templates = loadTemplates();

  it('loads general first with the sections of 病历书写基本规范, each coded with LOINC', () => {
    const general = templates[0]!;
    expect(general.id).toBe('general');
    expect(general.department).toBe('全科');
    expect(keys(general.sections.初诊)).toEqual(['chiefComplaint', 'presentIllness', 'pastHistory', 'allergyHistory', 'personalHistory', 'physicalExam', 'auxiliaryExams', 'diagnosis', 'plan']);
    expect(keys(general.sections.复诊)).toEqual(['chiefComplaint', 'history', 'physicalExam', 'auxiliaryExams', 'diagnosis', 'plan']);
    expect(general.sections.初诊.filter((s) => !s.required).map((s) => s.key)).toEqual(['personalHistory', 'auxiliaryExams']);
    expect(general.sections.复诊.filter((s) => s.required).map((s) => s.key)).toEqual(['chiefComplaint', 'history', 'diagnosis', 'plan']);
    expect(general.sections.初诊.find((s) => s.key === 'allergyHistory')).toEqual({ key: 'allergyHistory', title: '过敏史', required: true, loinc: '48765-2' });
  });

  it('merges a department\'s added sections into the standard ones, in place', () => {
    for (const template of templates) expect(RecordTemplate.parse(template)).toEqual(template);
    const cardiology = templateById('cardiology', templates);
    expect(cardiology.department).toBe('心血管内科');
    expect(keys(cardiology.sections.初诊)).toEqual(['chiefComplaint', 'presentIllness', 'pastHistory', 'allergyHistory', 'personalHistory', 'physicalExam', 'specialtyExam', 'auxiliaryExams', 'diagnosis', 'plan']);
    expect(keys(cardiology.sections.复诊)).toContain('specialtyExam');
    const pediatrics = templateById('pediatrics', templates);
    expect(keys(pediatrics.sections.初诊).slice(4, 7)).toEqual(['personalHistory', 'growthHistory', 'feedingHistory']);
    expect(keys(pediatrics.sections.复诊)).toEqual(keys(templates[0]!.sections.复诊));
    const gynecology = templateById('gynecology', templates);
    expect(gynecology.sections.初诊.find((s) => s.key === 'menstrualHistory')).toMatchObject({ title: '月经婚育史', loinc: '49033-4' });
  });

  it('refuses a broken template file as STARTER_INVALID naming the file', () => {
    const notJson = failure(() => loadTemplates(folderWith('broken.json', '{"id": "broken",')));
    expect(notJson.code).toBe('STARTER_INVALID');
    expect(notJson.message).toContain('broken.json');
    const nowhere = failure(() => loadTemplates(folderWith('ent.json', JSON.stringify({
      id: 'ent', department: '耳鼻喉科', add: [{ after: 'noSuchSection', kinds: ['初诊'], section: { key: 'specialtyExam', title: '专科检查', required: false, loinc: '29545-1' } }],
    }))));
    expect(nowhere.code).toBe('STARTER_INVALID');
    expect(nowhere.message).toMatch(/ent\.json.*noSuchSection/u);
    const badLoinc = failure(() => loadTemplates(folderWith('eye.json', JSON.stringify({
      id: 'eye', department: '眼科', add: [{ after: 'physicalExam', kinds: ['初诊'], section: { key: 'specialtyExam', title: '专科检查', required: false, loinc: 'abc' } }],
    }))));
    expect(badLoinc.message).toContain('eye.json');
    const misnamed = failure(() => loadTemplates(folderWith('skin.json', JSON.stringify({
      id: 'dermatology', department: '皮肤科', add: [{ after: 'physicalExam', kinds: ['初诊'], section: { key: 'specialtyExam', title: '专科检查', required: false, loinc: '29545-1' } }],
    }))));
    expect(misnamed.message).toContain('skin.json');
  });

  it('answers an unknown template id with NOT_FOUND listing the ids there are', () => {
    const error = failure(() => templateById('dentistry', templates));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('dentistry');
    expect(error.message).toContain('cardiology（心血管内科）');
  });
});

describe('records: sentences', () => {
  it('splits Chinese and English sentences, keeping their punctuation and decimals whole', () => {
    expect(splitSentences('患者3天前出现胸痛。无发热！是否咳嗽？体温37.5℃；\n胸痛3天')).toEqual(['患者3天前出现胸痛。', '无发热！', '是否咳嗽？', '体温37.5℃；', '胸痛3天']);
    expect(splitSentences('Chest pain for 3 days. Took 0.5 mg aspirin! No fever?')).toEqual(['Chest pain for 3 days.', 'Took 0.5 mg aspirin!', 'No fever?']);
    expect(splitSentences('他说：“胸口疼。”然后走了。')).toEqual(['他说：“胸口疼。”', '然后走了。']);
    expect(splitSentences('  \n ')).toEqual([]);
  });

  it('joins a section into text that splits back into the same sentences', () => {
    const sentences = ['冠心病', '高血压', '患者胸痛。', 'No fever.', '无咳嗽。'].map((text) => ({ text, evidence: [], origin: 'draft' as const }));
    const text = sectionText({ sentences });
    expect(text).toBe('冠心病\n高血压\n患者胸痛。No fever. 无咳嗽。');
    expect(splitSentences(text)).toEqual(sentences.map((s) => s.text));
  });

  const template = templateById('general', loadTemplates()).sections.初诊;
  const previous: RecordSection[] = template.map((t) => ({ key: t.key, title: t.title, required: t.required, sentences: [] }));
  section(previous, 'chiefComplaint').sentences = [{ text: '胸痛3天', evidence: [0], origin: 'draft' }];
  section(previous, 'presentIllness').sentences = [
    { text: '患者3天前出现胸痛，伴出汗。', evidence: [0, 2], origin: 'draft' },
    { text: '无发热。', evidence: [4], origin: 'draft' },
  ];

  it('keeps the evidence of sentences the doctor left alone and marks the rest as the doctor\'s', () => {
    const revised = reviseSections(previous, [{ key: 'presentIllness', text: '患者3天前出现胸痛，伴出汗。无发热，无咳嗽。活动后加重。' }], template);
    expect(keys(revised)).toEqual(keys(template));
    expect(section(revised, 'presentIllness').sentences).toEqual([
      { text: '患者3天前出现胸痛，伴出汗。', evidence: [0, 2], origin: 'draft' },
      { text: '无发热，无咳嗽。', evidence: [], origin: 'doctor' },
      { text: '活动后加重。', evidence: [], origin: 'doctor' },
    ]);
    expect(section(revised, 'chiefComplaint').sentences).toEqual(section(previous, 'chiefComplaint').sentences);
    const cleared = reviseSections(previous, [{ key: 'chiefComplaint', text: '  ' }], template);
    expect(section(cleared, 'chiefComplaint').sentences).toEqual([]);
  });

  it('refuses a section the template does not have, naming it', () => {
    const error = failure(() => reviseSections(previous, [{ key: 'surgeryNotes', text: '无' }], template));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('surgeryNotes');
  });
});

describe('records: the draft from findings', () => {
  const general = templateById('general', loadTemplates());
  const turns: Turn[] = [
    { index: 0, speaker: '患者', text: '医生你好，我胸口疼三天了，还出汗。' },
    { index: 1, speaker: '医生', text: '有没有发烧、咳嗽？喘气费劲吗？' },
    { index: 2, speaker: '患者', text: '不发烧，也不咳嗽，就是有点气短。' },
    { index: 3, speaker: '医生', text: '以前有高血压吗？对什么药过敏吗？' },
    { index: 4, speaker: '患者', text: '高血压十多年了，一直吃氨氯地平，没有药物过敏。前天做了心电图。' },
    { index: 5, speaker: '医生', text: '抽烟吗？' },
    { index: 6, speaker: '患者', text: '不抽烟，睡眠还行。' },
    { index: 7, speaker: '医生', text: '考虑冠心病，建议做冠脉造影，先吃阿司匹林。' },
  ];
  const f = (category: Finding['category'], item: string, status: Finding['status'], speaker: Finding['speaker'], evidence: number[], duration: string | null = null): Finding =>
    ({ category, item, status, speaker, duration, evidence });
  const findings: Finding[] = [
    f('症状', '胸痛', '阳性', '患者', [0], '三天'),
    f('症状', '出汗', '阳性', '患者', [0]),
    f('症状', '发热', '阴性', '患者', [1, 2]),
    f('症状', '咳嗽', '阴性', '患者', [1, 2]),
    f('症状', '气短', '阳性', '患者', [1, 2]),
    f('症状', '高血压', '阳性', '患者', [3, 4], '十多年'),
    f('药物', '氨氯地平', '阳性', '患者', [4]),
    f('过敏', '药物', '阴性', '患者', [3, 4]),
    f('检查', '心电图', '阳性', '患者', [4]),
    f('一般信息', '吸烟', '阴性', '患者', [5, 6]),
    f('一般信息', '睡眠', '阳性', '患者', [6]),
    f('症状', '冠心病', '阳性', '医生', [7]),
    f('检查', '造影', '阳性', '医生', [7]),
    f('药物', '阿司匹林', '阳性', '医生', [7]),
  ];
  const draft = draftFromFindings({ kind: '初诊', template: general, turns, findings });

  it('has every section of the template, with its title, in order', () => {
    expect(draft.map((s) => [s.key, s.title, s.required])).toEqual(general.sections.初诊.map((s) => [s.key, s.title, s.required]));
  });

  it('writes 主诉 as the main symptom and its duration within 20 characters', () => {
    expect(texts(draft, 'chiefComplaint')).toEqual(['胸痛3天']);
    expect(section(draft, 'chiefComplaint').sentences[0]!.evidence).toEqual([0]);
    const long = draftFromFindings({ kind: '初诊', template: general, turns, findings: [
      f('症状', '活动后胸骨后压榨样疼痛', '阳性', '患者', [0], '三个多月'),
      f('症状', '双下肢凹陷性水肿', '阳性', '患者', [0], '三个多月'),
    ] });
    const complaint = texts(long, 'chiefComplaint')[0]!;
    expect([...complaint].length).toBeLessThanOrEqual(20);
    expect(complaint).toBe('活动后胸骨后压榨样疼痛3个多月');
    const together = draftFromFindings({ kind: '初诊', template: general, turns, findings: [
      f('症状', '胸闷', '阳性', '患者', [0], '半年'),
      f('症状', '气短', '阳性', '患者', [0], '半年'),
      f('症状', '头晕', '阳性', '患者', [2], '半年'),
    ] });
    expect(texts(together, 'chiefComplaint')).toEqual(['胸闷、气短半年']);
    expect(section(together, 'chiefComplaint').sentences[0]!.evidence).toEqual([0]);
  });

  it('writes 现病史 in the order of the consultation, negatives as 无', () => {
    expect(texts(draft, 'presentIllness')).toEqual(['患者3天前出现胸痛，伴出汗、气短。', '无发热，无咳嗽。', '已服用氨氯地平。', '曾行心电图检查。']);
    expect(section(draft, 'presentIllness').sentences[1]!.evidence).toEqual([1, 2]);
  });

  it('writes the histories from what the patient reports, 否认 only where the patient denied', () => {
    expect(texts(draft, 'pastHistory')).toEqual(['有高血压病史10多年。']);
    expect(texts(draft, 'presentIllness').join('')).not.toContain('氨氯地平过敏');
    expect(texts(draft, 'allergyHistory')).toEqual(['否认药物过敏史。']);
    expect(section(draft, 'allergyHistory').sentences[0]!.evidence).toEqual([3, 4]);
    expect(texts(draft, 'personalHistory')).toEqual(['否认吸烟史，睡眠可。']);
    expect(texts(draft, 'auxiliaryExams')).toEqual(['已行心电图检查。']);
  });

  it('writes a disease of a few days in 现病史, one of years in 既往史', () => {
    const sections = draftFromFindings({ kind: '初诊', template: general, turns, findings: [
      f('症状', '感冒', '阳性', '患者', [0], '两天'),
      f('症状', '糖尿病', '阳性', '患者', [2], '十年'),
    ] });
    expect(texts(sections, 'presentIllness')).toEqual(['2天前出现感冒。']);
    expect(texts(sections, 'pastHistory')).toEqual(['有糖尿病病史10年。']);
  });

  it('takes the diagnosis and the plan from the doctor only', () => {
    expect(texts(draft, 'diagnosis')).toEqual(['冠心病']);
    expect(texts(draft, 'plan')).toEqual(['建议行造影检查。', '用药：阿司匹林。']);
    expect(texts(draft, 'physicalExam')).toEqual([]);
  });

  it('tells a test the doctor advises from one the doctor reads out, and offers an operation only as the doctor does', () => {
    const doctorTurns: Turn[] = [
      { index: 0, speaker: '患者', text: '这是我的心电图。' },
      { index: 1, speaker: '医生', text: '心电图考虑心肌缺血。' },
      { index: 2, speaker: '医生', text: '建议查一下心肌酶，药物效果不好可以考虑支架。' },
      { index: 3, speaker: '医生', text: '搭桥要开胸，费用高。' },
    ];
    const sections = draftFromFindings({ kind: '初诊', template: general, turns: doctorTurns, findings: [
      f('检查', '心电图', '阳性', '医生', [1]),
      f('检查', '心肌酶', '阳性', '医生', [2]),
      f('手术', '支架植入术', '阳性', '医生', [2]),
      f('手术', '冠状动脉旁路移植术', '阳性', '医生', [3]),
    ] });
    expect(texts(sections, 'auxiliaryExams')).toEqual(['已行心电图检查。']);
    expect(texts(sections, 'plan')).toEqual(['建议行心肌酶检查。', '可考虑支架植入术。']);
  });

  it('cites on every sentence the turns of the findings it names, and nothing else', () => {
    const sentences = draft.flatMap((s) => s.sentences);
    expect(sentences.length).toBeGreaterThan(8);
    for (const sentence of sentences) {
      expect(sentence.origin).toBe('draft');
      expect(sentence.evidence.length).toBeGreaterThan(0);
      const named = findings.filter((x) => sentence.text.includes(x.item));
      expect(named.length).toBeGreaterThan(0);
      expect(sentence.evidence).toEqual([...new Set(named.flatMap((x) => x.evidence))].sort((a, b) => a - b));
    }
  });

  it('invents nothing: no findings, no sentences; no allergy mentioned, no 过敏史', () => {
    const empty = draftFromFindings({ kind: '初诊', template: general, turns, findings: [] });
    expect(keys(empty)).toEqual(keys(general.sections.初诊));
    expect(empty.every((s) => s.sentences.length === 0)).toBe(true);
    const noAllergy = draftFromFindings({ kind: '初诊', template: general, turns, findings: findings.filter((x) => x.category !== '过敏') });
    expect(texts(noAllergy, 'allergyHistory')).toEqual([]);
    expect(noAllergy.flatMap((s) => s.sentences).some((s) => s.text.includes('过敏'))).toBe(false);
    const uncited = draftFromFindings({ kind: '初诊', template: general, turns, findings: [f('症状', '胸痛', '阳性', '患者', [])] });
    expect(uncited.every((s) => s.sentences.length === 0)).toBe(true);
  });

  it('puts a 复诊\'s histories in 病史, and leaves a department\'s added sections to the doctor', () => {
    const revisit = draftFromFindings({ kind: '复诊', template: general, turns, findings });
    expect(keys(revisit)).toEqual(keys(general.sections.复诊));
    expect(texts(revisit, 'history')).toEqual(expect.arrayContaining(['患者3天前出现胸痛，伴出汗、气短。', '有高血压病史10多年。', '否认药物过敏史。']));
    const cardiology = draftFromFindings({ kind: '初诊', template: templateById('cardiology', loadTemplates()), turns, findings });
    expect(texts(cardiology, 'specialtyExam')).toEqual([]);
  });

  it('writes spoken numbers as digits', () => {
    expect(['三天', '两周', '十余年', '二十多年', '半年', '一年半', '3个月', '两三天', '十几天'].map(compactDuration))
      .toEqual(['3天', '2周', '10余年', '20多年', '半年', '1年半', '3个月', '2～3天', '十几天']);
  });
});

describe('records: a consultation drafted end to end', () => {
  it('cites existing turns on every sentence and names every positive finding it can place', () => {
    const turns = parseDialogue([
      '患者：医生，我胸口疼了三天，一阵一阵的，还出冷汗。',
      '医生：发烧吗？咳嗽吗？',
      '患者：不发烧，不咳嗽。',
      '医生：以前有高血压、糖尿病吗？',
      '患者：高血压五年了，没有糖尿病。',
      '医生：对青霉素过敏吗？',
      '患者：青霉素过敏。',
      '医生：建议做个心电图，查一下心肌酶。',
    ].join('\n'));
    const findings = extractFindings(turns, loadVocabulary());
    const sections = draftFromFindings({ kind: '初诊', template: templateById('general', loadTemplates()), turns, findings });
    const sentences = sections.flatMap((s) => s.sentences);
    for (const sentence of sentences) {
      expect(sentence.evidence.length).toBeGreaterThan(0);
      expect(sentence.evidence.every((i) => i >= 0 && i < turns.length)).toBe(true);
    }
    const text = sections.map((s) => sectionText(s)).join('\n');
    for (const finding of findings.filter((f) => f.status === '阳性' && f.category !== '手术')) expect(text).toContain(finding.item);
    expect([...texts(sections, 'chiefComplaint')[0]!].length).toBeLessThanOrEqual(20);
    expect(texts(sections, 'chiefComplaint')[0]).toMatch(/3天$/u);
  });
});

describe('records: the doctor’s own words', () => {
  const vocabulary = loadVocabulary();
  const draftOf = (lines: string[]) => {
    const turns = parseDialogue(lines.join('\n'));
    return draftFromFindings({ kind: '初诊', template: templateById('general'), turns, findings: extractFindings(turns, vocabulary) });
  };

  it('quotes examination findings the doctor reads out in 体格检查, never a question', () => {
    const sections = draftOf(['患者：胸闷两天。', '医生：血压高吗？', '患者：不知道。', '医生：查体血压150/90mmHg，心肺听诊未见异常。双下肢无水肿']);
    expect(texts(sections, 'physicalExam')).toEqual(['查体血压150/90mmHg，心肺听诊未见异常。', '双下肢无水肿。']);
    expect(section(sections, 'physicalExam').sentences.every((s) => s.evidence.join() === '3')).toBe(true);
  });

  it('writes a prescribed medicine with its dose as the doctor said it, so the dose can be checked', () => {
    const sections = draftOf(['患者：咳嗽三天。', '医生：先给你开阿莫西林胶囊，一次0.5克，一天三次。']);
    expect(texts(sections, 'plan')).toContain('用药：阿莫西林胶囊，一次0.5克，一天三次。');
  });

  it('adds no dose the doctor did not say', () => {
    const sections = draftOf(['患者：咳嗽三天。', '医生：可以吃点阿莫西林。']);
    expect(texts(sections, 'plan')).toContain('用药：阿莫西林。');
  });
});
