import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { XinglinError, type Finding } from '../../src-main/contract/index.js';
import { parseDialogue } from '../../src-main/core/records/dialogue.js';
import { defaultVocabularyDir, extractFindings, loadVocabulary } from '../../src-main/core/records/findings/index.js';

const vocabulary = loadVocabulary();
const extract = (text: string): Finding[] => extractFindings(parseDialogue(text), vocabulary);
const find = (findings: Finding[], item: string): Finding[] => findings.filter((f) => f.item === item);
const one = (findings: Finding[], item: string): Finding => {
  const found = find(findings, item);
  expect(found, `${item} in ${JSON.stringify(findings)}`).toHaveLength(1);
  return found[0] as Finding;
};

describe('extractFindings: what the patient says', () => {
  it('normalises lay words to standard terms, with the duration and the turn', () => {
    const findings = extract('患者：心慌2周了，胸口疼三天，拉肚子');
    expect(one(findings, '心悸')).toEqual({ category: '症状', item: '心悸', status: '阳性', speaker: '患者', duration: '2周', evidence: [0] });
    expect(one(findings, '胸痛').duration).toBe('三天');
    expect(one(findings, '腹泻').status).toBe('阳性');
  });

  it('reads denials as 阴性: 否认, 没有, 不, 无, and a negation after a list', () => {
    const findings = extract('患者：否认发热，没有胸痛，不咳嗽，无气短，头晕恶心都没有');
    for (const item of ['发热', '胸痛', '咳嗽', '呼吸困难', '头晕', '恶心']) expect(one(findings, item).status, item).toBe('阴性');
  });

  it('keeps the negation to its own clause and stops it at 但', () => {
    const findings = extract('患者：没有发热，但是咳嗽，胸闷');
    expect(one(findings, '发热').status).toBe('阴性');
    expect(one(findings, '咳嗽').status).toBe('阳性');
    expect(one(findings, '胸闷').status).toBe('阳性');
  });

  it('does not read 无明显诱因 as a denial', () => {
    expect(one(extract('患者：无明显诱因出现胸痛'), '胸痛').status).toBe('阳性');
  });

  it('reads a patient asking whether they have something as 未知', () => {
    expect(one(extract('患者：我是不是心衰？'), '心力衰竭').status).toBe('未知');
  });

  it('reads general items with their verdict: 睡不着 and 睡眠不好 are 睡眠 阴性, 不抽烟 is 吸烟 阴性', () => {
    const findings = extract('患者：晚上睡不着，食欲还可以\n患者：不抽烟，偶尔喝酒');
    expect(one(findings, '睡眠')).toMatchObject({ category: '一般信息', status: '阴性' });
    expect(one(findings, '饮食').status).toBe('阳性');
    expect(one(findings, '吸烟').status).toBe('阴性');
    expect(one(findings, '饮酒').status).toBe('阳性');
  });

  it('reads medicines, tests done and not done', () => {
    const findings = extract('患者：一直在吃阿司匹林和倍他乐克，做过心电图，没做过造影');
    expect(one(findings, '阿司匹林')).toMatchObject({ category: '药物', status: '阳性', speaker: '患者' });
    expect(one(findings, '美托洛尔').status).toBe('阳性');
    expect(one(findings, '心电图')).toMatchObject({ category: '检查', status: '阳性' });
    expect(one(findings, '造影').status).toBe('阴性');
  });

  it('reads an allergy by its class where the text says 过敏, and the same word elsewhere as a medicine', () => {
    const findings = extract('患者：我对青霉素过敏\n患者：以前打过青霉素');
    expect(one(findings, '青霉素类')).toMatchObject({ category: '过敏', status: '阳性', evidence: [0] });
    expect(one(findings, '青霉素')).toMatchObject({ category: '药物', evidence: [1] });
    expect(one(extract('医生：有没有药物过敏？\n患者：没有'), '药物')).toMatchObject({ category: '过敏', status: '阴性', evidence: [0, 1] });
  });
});

describe('extractFindings: questions and answers', () => {
  it('settles a doctor’s question with the next answer, citing both turns', () => {
    const findings = extract('医生：有胸痛吗？\n患者：有的，3年余了\n医生：咳嗽吗？\n患者：不咳');
    expect(one(findings, '胸痛')).toEqual({ category: '症状', item: '胸痛', status: '阳性', speaker: '患者', duration: '3年余', evidence: [0, 1] });
    expect(one(findings, '咳嗽')).toMatchObject({ status: '阴性', evidence: [2, 3] });
  });

  it('leaves an unanswered or vaguely answered question 未知', () => {
    expect(one(extract('医生：有没有高血压？'), '高血压').status).toBe('未知');
    expect(one(extract('医生：有没有高血压？\n患者：我也说不清楚'), '高血压')).toMatchObject({ status: '未知', evidence: [0, 1] });
  });

  it('pairs several questions with the yes/no clauses of one answer in order', () => {
    const findings = extract('医生：做过心电图吗？血压怎么样？有胸闷吗？\n患者：做过心电图，偶尔会有');
    expect(one(findings, '心电图')).toMatchObject({ status: '阳性', evidence: [0, 1] });
    expect(one(findings, '胸闷')).toMatchObject({ status: '阳性', evidence: [0, 1] });
  });

  it('reads a question about an abnormal state the right way round', () => {
    expect(one(extract('医生：睡眠不好吗？\n患者：嗯'), '睡眠').status).toBe('阴性');
    expect(one(extract('医生：平时睡眠好吗？\n患者：不太好'), '睡眠').status).toBe('阴性');
  });
});

describe('extractFindings: hedges, presuppositions and answers (findings-2)', () => {
  it('reads a plain 问 (问题, 请问) as no asking word, and a first-person account after 请问 as asserted', () => {
    expect(one(extract('患者：现在问题是头晕'), '头晕').status).toBe('阳性');
    expect(one(extract('患者：医生请问我最近老是感觉头晕'), '头晕').status).toBe('阳性');
    expect(one(extract('患者：请问胸痛怎么办'), '胸痛').status).toBe('未知');
  });

  it('takes a why-question as presupposing the symptom, and a question about what a condition is as 未知', () => {
    expect(one(extract('患者：为什么走路就呼吸困难'), '呼吸困难').status).toBe('阳性');
    expect(one(extract('患者：冠心病有什么症状'), '冠心病').status).toBe('未知');
    expect(one(extract('患者：室性早搏正常吗'), '期前收缩').status).toBe('未知');
    expect(one(extract('患者：咳嗽是感冒引起的么？'), '感冒').status).toBe('未知');
    expect(one(extract('患者：感冒引起的胸闷'), '感冒').status).toBe('阳性');
  });

  it('reads 没好, 没缓解 and 没有别的 as the symptom going on, not denied', () => {
    expect(one(extract('患者：咳嗽一个多月没好'), '咳嗽').status).toBe('阳性');
    expect(one(extract('患者：流鼻涕没有别的症状'), '流涕').status).toBe('阳性');
  });

  it('reads a question about recovery (好了吗, 消退了没有) as presupposing the symptom', () => {
    expect(one(extract('患者：感冒好了吗'), '感冒').status).toBe('阳性');
    expect(one(extract('医生：水肿有没有慢慢消退？\n患者：没有，还是那样'), '水肿').status).toBe('阳性');
    expect(one(extract('医生：水肿消退了吗？\n患者：是的'), '水肿').status).toBe('阴性');
  });

  it('reads a test 没查出/没通过 as done', () => {
    expect(one(extract('患者：之前没有体检出来'), '体检').status).toBe('阳性');
    expect(one(extract('患者：体检没通过'), '体检').status).toBe('阳性');
    expect(one(extract('患者：心电图没做'), '心电图').status).toBe('阴性');
  });

  it('takes 还是… as an alternative of the question before it, settled by one answer', () => {
    const findings = extract('医生：原先是冠心病吗？还是心肌炎？平时胸闷吗？\n患者：冠心病，是');
    expect(one(findings, '冠心病').status).toBe('阳性');
    expect(one(findings, '心肌炎').status).toBe('未知');
    expect(one(findings, '胸闷').status).toBe('阳性');
  });

  it('gives a lone yes/no to the question asked last when there are fewer replies than questions', () => {
    const findings = extract('医生：有痰吗？有没有气短？\n患者：有');
    expect(one(findings, '呼吸困难').status).toBe('阳性');
    expect(one(findings, '咳痰').status).toBe('未知');
  });

  it('reads the doctor’s qualified or graded statement as asserted, and a bare list of tests as an order', () => {
    expect(one(extract('医生：看你的心电图有频繁的室性早搏'), '期前收缩')).toMatchObject({ status: '阳性', speaker: '医生' });
    expect(one(extract('医生：室性早搏多'), '期前收缩')).toMatchObject({ status: '阳性', speaker: '医生' });
    expect(one(extract('医生：血压，心电图，心脏彩超。'), '心电图')).toMatchObject({ status: '阳性', speaker: '医生' });
    expect(one(extract('医生：心电图，没问题'), '心电图').status).toBe('未知');
  });
});

describe('extractFindings: what the doctor says', () => {
  it('keeps the doctor’s diagnoses, denials and orders as the doctor’s', () => {
    const findings = extract('患者：心口痛\n医生：考虑心肌缺血，不是心衰，建议做心脏彩超\n医生：阿司匹林不用吃了');
    expect(one(findings, '心肌缺血')).toMatchObject({ status: '阳性', speaker: '医生', evidence: [1] });
    expect(one(findings, '心力衰竭')).toMatchObject({ status: '阴性', speaker: '医生' });
    expect(one(findings, '超声心动图')).toMatchObject({ category: '检查', status: '阳性', speaker: '医生' });
    expect(one(findings, '阿司匹林')).toMatchObject({ status: '阴性', speaker: '医生' });
  });

  it('reads a test the doctor reports a result of as one the patient has had', () => {
    expect(one(extract('医生：心电图没有问题'), '心电图')).toMatchObject({ status: '阳性', speaker: '患者', evidence: [0] });
  });

  it('does not make a finding of what the doctor only explains or supposes', () => {
    const findings = extract('医生：如果出现胸痛要马上来医院，一般心衰会有水肿');
    expect(one(findings, '胸痛').status).toBe('未知');
    expect(one(findings, '水肿').status).toBe('未知');
    expect(find(extract('医生：注意戒烟限酒，保证睡眠'), '睡眠')).toEqual([]);
  });

  it('keeps both sides of one item: the patient’s account and the doctor’s verdict', () => {
    const findings = extract('患者：我有心肌缺血\n医生：心肌缺血可能性不大');
    expect(find(findings, '心肌缺血').map((f) => [f.status, f.speaker])).toEqual([['阳性', '患者'], ['阴性', '医生']]);
  });

  it('lets the last word on a side stand and drops 未知 once the item is settled', () => {
    const findings = extract('医生：有胸痛吗？\n患者：以前有\n患者：现在胸痛没有了');
    expect(find(findings, '胸痛')).toEqual([{ category: '症状', item: '胸痛', status: '阴性', speaker: '患者', duration: null, evidence: [2] }]);
  });
});

describe('extractFindings: awkward input', () => {
  it('reads mixed Chinese and English and emoji', () => {
    const findings = extract('Patient: 胸闷😣一个多月, ECG做过, CT没做\nDoctor: 建议做 holter');
    expect(one(findings, '胸闷')).toMatchObject({ status: '阳性', duration: '一个多月' });
    expect(find(findings, '心电图').map((f) => [f.status, f.speaker])).toEqual([['阳性', '患者'], ['阳性', '医生']]);
    expect(one(findings, 'ct').status).toBe('阴性');
    expect(find(extract('Doctor: the fact is clear'), 'ct')).toEqual([]);
  });

  it('handles 200 KB of dialogue', () => {
    const pair = '患者：最近胸闷气短，晚上睡不着，没有发热😷\n医生：建议做心电图和心脏彩超\n';
    const turns = parseDialogue(pair.repeat(Math.ceil(200_000 / pair.length)));
    const findings = extractFindings(turns, vocabulary);
    expect(one(findings, '胸闷').evidence.length).toBe(turns.length / 2);
    expect(one(findings, '发热').status).toBe('阴性');
  });
});

describe('vocabulary', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  const copyWith = (file: string, content: string): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-vocab-'));
    dirs.push(dir);
    for (const f of fs.readdirSync(defaultVocabularyDir())) fs.copyFileSync(path.join(defaultVocabularyDir(), f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, file), content);
    return dir;
  };
  const failure = (dir: string): XinglinError => {
    try {
      loadVocabulary(dir);
    } catch (error) {
      if (error instanceof XinglinError) return error;
    }
    throw new Error('expected STARTER_INVALID');
  };

  it('names the file and line of a broken vocabulary file', () => {
    const error = failure(copyWith('extra.tsv', 'category\tterm\tsynonyms\n症状\t胸痛\t胸疼\n体征\t啰音\t湿啰音\n'));
    expect(error.code).toBe('STARTER_INVALID');
    expect(error.details).toEqual({ file: 'extra.tsv', line: 3 });
    expect(error.message).toMatch(/extra\.tsv 第 3 行.*类别“体征”无效/);
  });

  it('refuses a wrong header, a repeated synonym and an empty synonym', () => {
    expect(failure(copyWith('extra.tsv', 'term\tsynonyms\n')).details).toEqual({ file: 'extra.tsv', line: 1 });
    expect(failure(copyWith('extra.tsv', 'category\tterm\tsynonyms\n症状\t心前区不适\t心慌\n')).message).toMatch(/「心慌」在类别“症状”中已出现/);
    expect(failure(copyWith('extra.tsv', 'category\tterm\tsynonyms\n症状\t腹部包块\t肿块||包块\n')).details).toEqual({ file: 'extra.tsv', line: 2 });
  });

  it('has a version that changes with the data and with added terms', () => {
    const added = vocabulary.withTerms([{ category: '药物', term: '沙库巴曲', synonyms: ['沙库巴曲钠'] }]);
    expect(vocabulary.version).toMatch(/^[0-9a-f]{12}$/);
    expect(added.version).not.toBe(vocabulary.version);
    expect(loadVocabulary(copyWith('extra.tsv', 'category\tterm\tsynonyms\n症状\t腹部包块\t肚子里有包\n')).version).not.toBe(vocabulary.version);
    expect(one(extractFindings(parseDialogue('患者：在吃沙库巴曲钠'), added), '沙库巴曲')).toMatchObject({ category: '药物', status: '阳性' });
    expect(find(extract('患者：在吃沙库巴曲钠'), '沙库巴曲')).toEqual([]);
  });
});
