import { describe, expect, it } from 'vitest';
import type { RecordSection } from '../../src-main/contract/index.js';
import { formWarnings } from '../../src-main/core/records/checks/form.js';

/** The record's form before signing: 主诉, 现病史, required sections and unsupported sentences. */

const section = (key: string, title: string, text: string, options: { required?: boolean; evidence?: number[]; origin?: 'draft' | 'doctor' } = {}): RecordSection =>
  ({ key, title, required: options.required ?? false, sentences: text ? [{ text, evidence: options.evidence ?? [0], origin: options.origin ?? 'doctor' }] : [] });

/** A complete 初诊 record with a good 主诉; each test changes one thing. */
function firstVisit(changes: Record<string, string> = {}): RecordSection[] {
  const texts: Record<string, string> = {
    chiefComplaint: '咳嗽、咳痰3天', presentIllness: '患者3天前受凉后出现咳嗽，咳白痰，无发热，未服药。', pastHistory: '否认高血压、糖尿病史。',
    allergyHistory: '否认药物过敏史。', personalHistory: '不吸烟。', physicalExam: '双肺呼吸音粗。', auxiliaryExams: '血常规正常。', diagnosis: '急性支气管炎', plan: '多饮水，对症治疗。',
    ...changes,
  };
  const titles: Record<string, string> = { chiefComplaint: '主诉', presentIllness: '现病史', pastHistory: '既往史', allergyHistory: '过敏史', personalHistory: '个人史', physicalExam: '体格检查', auxiliaryExams: '辅助检查', diagnosis: '初步诊断', plan: '处理意见' };
  return Object.keys(titles).map((key) => section(key, titles[key]!, texts[key] ?? ''));
}

const kinds = (sections: RecordSection[], kind: '初诊' | '复诊' = '初诊') => formWarnings(kind, sections).map((w) => w.kind);

describe('form checks', () => {
  it('passes a complete record with a good 主诉', () => {
    expect(formWarnings('初诊', firstVisit())).toEqual([]);
  });

  it.each([
    ['发热2天', []],
    ['反复胸闷、气短十余年，加重1周', []],
    ['右上腹痛半天', []],
    ['咳嗽', ['chiefComplaint']],
    ['3天', ['chiefComplaint']],
    ['患者因受凉后出现咳嗽咳痰伴发热、乏力、食欲下降3天', ['chiefComplaint']],
  ])('主诉 “%s”', (chief, expected) => {
    expect(kinds(firstVisit({ chiefComplaint: chief, presentIllness: '病程中无其他不适，详见门诊记录，起病以来精神可。' }))).toEqual(expected);
  });

  it('names what the 主诉 lacks', () => {
    const messages = formWarnings('初诊', firstVisit({ chiefComplaint: '咳嗽' })).map((w) => w.message);
    expect(messages.join()).toContain('持续时间');
    expect(formWarnings('初诊', firstVisit({ chiefComplaint: '发现3天' })).map((w) => w.message).join()).toContain('症状');
  });

  it('flags a 现病史 that copies the 主诉, or nearly does', () => {
    expect(kinds(firstVisit({ presentIllness: '咳嗽、咳痰3天' }))).toEqual(['presentIllness']);
    expect(kinds(firstVisit({ presentIllness: '患者咳嗽咳痰3天。' }))).toEqual(['presentIllness']);
    expect(kinds(firstVisit({ presentIllness: '咳嗽、咳痰3天，伴发热，最高38.5℃，自服感冒药无好转。' }))).toEqual([]);
  });

  it('checks the 病史 of a 复诊 the same way', () => {
    const followUp = [section('chiefComplaint', '主诉', '头晕1周'), section('history', '病史', '头晕1周'), section('diagnosis', '诊断', '原发性高血压'), section('plan', '治疗处理意见', '继续降压治疗')];
    expect(kinds(followUp, '复诊')).toEqual(['presentIllness']);
  });

  it('requires the sections of the kind, and those the template marks required', () => {
    const withoutPlan = firstVisit({ plan: '' });
    expect(formWarnings('初诊', withoutPlan).map((w) => [w.kind, w.section])).toEqual([['missingSection', 'plan']]);
    const noAllergy = firstVisit().filter((s) => s.key !== 'allergyHistory');
    expect(formWarnings('初诊', noAllergy)[0]?.message).toContain('过敏史');
    const special = [...firstVisit(), section('specialExam', '专科检查', '', { required: true })];
    expect(formWarnings('初诊', special).map((w) => w.section)).toEqual(['specialExam']);
    const followUp = [section('chiefComplaint', '主诉', '头晕1周'), section('history', '病史', '服药后血压控制可，仍有头晕。'), section('diagnosis', '诊断', '')];
    expect(kinds(followUp, '复诊')).toEqual(['missingSection', 'missingSection']);
  });

  it('counts each drafted sentence with no supporting turn, naming its section', () => {
    const sections = firstVisit();
    sections[1] = { ...sections[1]!, sentences: [{ text: '患者3天前出现咳嗽。', evidence: [1], origin: 'draft' }, { text: '曾在外院就诊。', evidence: [], origin: 'draft' }, { text: '医生补充的一句。', evidence: [], origin: 'doctor' }] };
    const unsupported = formWarnings('初诊', sections).filter((w) => w.kind === 'unsupported');
    expect(unsupported).toHaveLength(1);
    expect(unsupported[0]).toMatchObject({ section: 'presentIllness', severity: 'warning', entry: null });
    expect(unsupported[0]!.message).toContain('现病史');
  });
});
