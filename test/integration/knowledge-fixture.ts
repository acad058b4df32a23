import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KnowledgeService } from '../../src-main/core/knowledge/index.js';

/** A tiny starter set in FORMAT.md's shape, so tests do not depend on the shipped set's contents. */
export const starterDrugs = [
  {
    type: 'drug', name: '利伐沙班', aliases: ['Rivaroxaban'], brands: ['拜瑞妥'], dosageForms: ['片'], class: '直接Xa因子抑制剂', category: '抗凝药',
    indications: ['非瓣膜性心房颤动患者的卒中预防', '深静脉血栓形成'], contraindications: ['活动性出血', '严重肝功能不全'],
    cautions: ['肾功能不全者调整剂量'], adverseReactions: ['出血', '贫血'], interactions: [{ with: '酮康唑', effect: '血药浓度升高，出血风险增加' }],
    allergyClass: null, specialPopulations: { 孕妇: '禁用。' },
  },
  {
    type: 'drug', name: '非布司他', aliases: ['Febuxostat'], brands: ['优立通'], dosageForms: ['片'], class: '黄嘌呤氧化酶抑制剂', category: '抗痛风药',
    indications: ['痛风患者高尿酸血症的长期治疗'], contraindications: ['正在使用硫唑嘌呤或巯嘌呤'], adverseReactions: ['肝功能异常', '腹泻', '皮疹'],
    interactions: [{ with: '硫唑嘌呤', effect: '硫唑嘌呤血药浓度升高，毒性增加' }],
  },
  {
    type: 'drug', name: '阿莫西林', aliases: ['Amoxicillin'], brands: ['阿莫仙'], dosageForms: ['胶囊', '片'], class: '青霉素类抗生素', category: '抗感染药',
    indications: ['上呼吸道感染', '急性中耳炎'], contraindications: ['青霉素过敏史'], adverseReactions: ['腹泻', '皮疹'], allergyClass: '青霉素类',
  },
  {
    type: 'drug', name: '华法林', aliases: ['华法林钠', 'Warfarin'], dosageForms: ['片'], class: '维生素K拮抗剂', category: '抗凝药',
    indications: ['深静脉血栓形成'], contraindications: ['活动性出血'], adverseReactions: ['出血'],
    interactions: [{ with: '阿司匹林', effect: '出血风险显著增加' }],
  },
  {
    type: 'drug', name: '阿司匹林', aliases: ['乙酰水杨酸'], dosageForms: ['肠溶片'], class: '非甾体抗炎药', category: '抗血小板药',
    indications: ['冠心病二级预防'], contraindications: ['活动性消化性溃疡'], adverseReactions: ['胃肠道出血'],
  },
  {
    type: 'drug', name: '二甲双胍', aliases: ['盐酸二甲双胍', 'Metformin'], dosageForms: ['片', '缓释片'], class: '双胍类降糖药', category: '降糖药',
    indications: ['2型糖尿病'], contraindications: ['严重肾功能不全'], adverseReactions: ['腹泻', '乳酸酸中毒'],
  },
];

export const starterDiseases = [
  {
    type: 'disease', name: '痛风', aliases: ['痛风性关节炎'], departments: ['风湿免疫科'], symptoms: ['第一跖趾关节红肿热痛', '夜间突发关节痛'],
    examinations: ['血尿酸', '关节超声'], treatments: ['低嘌呤饮食', '长期降尿酸治疗'], drugs: ['非布司他'], otherDrugs: ['秋水仙碱'], differentials: ['类风湿关节炎'],
  },
  {
    type: 'disease', name: '2型糖尿病', aliases: ['糖尿病'], departments: ['内分泌科'], symptoms: ['多饮', '多尿', '体重下降'],
    examinations: ['空腹血糖', '糖化血红蛋白'], treatments: ['生活方式干预'], drugs: ['二甲双胍'], otherDrugs: [], differentials: ['1型糖尿病'],
  },
  {
    type: 'disease', name: '深静脉血栓形成', aliases: ['深静脉血栓'], departments: ['血管外科'], symptoms: ['下肢肿胀', '下肢疼痛'],
    examinations: ['下肢静脉超声', 'D-二聚体'], treatments: ['抗凝治疗'], drugs: ['利伐沙班', '华法林'], otherDrugs: ['低分子肝素'], differentials: ['下肢淋巴水肿'],
  },
];

export function tempDir(prefix = 'xinglin-kb-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function jsonl(records: readonly object[]): string {
  return `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
}

/** A starter folder holding the fixture set (two files, as the shipped one has). */
export function writeStarter(dir: string = tempDir('xinglin-starter-')): string {
  fs.writeFileSync(path.join(dir, 'drugs.jsonl'), jsonl(starterDrugs));
  fs.writeFileSync(path.join(dir, 'diseases.jsonl'), jsonl(starterDiseases));
  return dir;
}

/** A knowledge base in a fresh data folder, opened on the fixture starter set. */
export function openFixtureKb(starterDir: string = writeStarter()): { kb: KnowledgeService; file: string; dir: string; starterDir: string } {
  const dir = tempDir();
  const file = path.join(dir, 'knowledge.db');
  return { kb: KnowledgeService.open({ file, starterDir }), file, dir, starterDir };
}
