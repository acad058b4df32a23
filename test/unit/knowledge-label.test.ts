import { describe, expect, it } from 'vitest';
import { drugKey, parseInteractions, parseListSection, stripDosageForm } from '../../src-main/core/knowledge/index.js';

describe('knowledge: label prose → single named conditions', () => {
  it('expands elliptical coordination and splits enumerations (用于…，…及…)', () => {
    expect(parseListSection('用于急、慢性支气管炎，上、下呼吸道感染及轻、中度疼痛。', 'indications')).toEqual([
      '急性支气管炎', '慢性支气管炎', '上呼吸道感染', '下呼吸道感染', '轻度疼痛', '中度疼痛',
    ]);
    expect(parseListSection('心、肝、肾功能不全', 'contraindications')).toEqual(['心功能不全', '肝功能不全', '肾功能不全']);
    expect(parseListSection('原发性、继发性高血压；轻度、中度疼痛', 'indications')).toEqual(['原发性高血压', '继发性高血压', '轻度疼痛', '中度疼痛']);
  });

  it('drops framing (本品用于 / 适用于 / 用于治疗 / 的辅助治疗) and keeps qualifiers', () => {
    expect(parseListSection('用于痛风患者高尿酸血症的长期治疗。', 'indications')).toEqual(['痛风患者高尿酸血症']);
    expect(parseListSection('本品用于治疗高血压。', 'indications')).toEqual(['高血压']);
    expect(parseListSection('适用于2型糖尿病的辅助治疗。', 'indications')).toEqual(['2型糖尿病']);
    expect(parseListSection('严重肝、肾功能不全者禁用。', 'contraindications')).toEqual(['严重肝功能不全者', '严重肾功能不全者']);
  });

  it('splits 如… examples and 等, keeping the general condition', () => {
    expect(parseListSection('本品适用于敏感菌所致的感染，如呼吸道感染、泌尿道感染、皮肤软组织感染等。', 'indications')).toEqual([
      '敏感菌所致的感染', '呼吸道感染', '泌尿道感染', '皮肤软组织感染',
    ]);
    expect(parseListSection('肺炎、支气管炎等呼吸道感染', 'indications')).toEqual(['肺炎', '支气管炎', '呼吸道感染']);
  });

  it('splits numbered items 1、 / (1) and never splits inside brackets', () => {
    expect(parseListSection('1、用于治疗高血压。2、用于2型糖尿病（单用或与其他药物合用）。', 'indications')).toEqual(['高血压', '2型糖尿病（单用或与其他药物合用）']);
    expect(parseListSection('（1）对本品过敏者；（2）活动性出血。', 'contraindications')).toEqual(['对本品过敏者', '活动性出血']);
  });

  it('distributes a shared frame over an enumeration (对A、B过敏者; 正在接受A、B治疗的患者)', () => {
    expect(parseListSection('对本品及其他磺胺类药物过敏者禁用。', 'contraindications')).toEqual(['对本品过敏者', '对其他磺胺类药物过敏者']);
    expect(parseListSection('正在接受硫唑嘌呤、巯嘌呤治疗的患者禁用。', 'contraindications')).toEqual(['正在接受硫唑嘌呤治疗的患者', '正在接受巯嘌呤治疗的患者']);
  });

  it('drops frequency framing of adverse reactions, keeps named reactions whole', () => {
    expect(parseListSection('常见腹泻、恶心、头痛及肝功能异常；偶见皮疹、瘙痒等过敏反应。', 'adverseReactions')).toEqual([
      '腹泻', '恶心', '头痛', '肝功能异常', '皮疹', '瘙痒', '过敏反应',
    ]);
  });

  it('keeps severity and words that only look like list leads (严重…, 并发…)', () => {
    expect(parseListSection('偶见严重肝损伤；并发感染。', 'adverseReactions')).toEqual(['严重肝损伤', '并发感染']);
  });

  it('turns interaction sentences into {with, effect}, one per partner drug', () => {
    expect(parseInteractions('本品与硫唑嘌呤、巯嘌呤合用可使其血药浓度升高。抗酸药可降低本品吸收。')).toEqual([
      { with: '硫唑嘌呤', effect: '本品与硫唑嘌呤、巯嘌呤合用可使其血药浓度升高' },
      { with: '巯嘌呤', effect: '本品与硫唑嘌呤、巯嘌呤合用可使其血药浓度升高' },
      { with: '抗酸药', effect: '抗酸药可降低本品吸收' },
    ]);
  });
});

describe('knowledge: generic names for linking', () => {
  it('strips dosage forms and salts the way a pharmacist reads a package name', () => {
    expect(drugKey('利伐沙班片')).toBe('利伐沙班');
    expect(drugKey('盐酸二甲双胍缓释片')).toBe('二甲双胍');
    expect(drugKey('注射用头孢曲松钠')).toBe('头孢曲松');
    expect(drugKey('甲磺酸伊马替尼胶囊')).toBe('伊马替尼');
    expect(drugKey('华法林钠片')).toBe('华法林');
    expect(drugKey('阿莫西林胶囊(0.25g)')).toBe('阿莫西林');
    expect(stripDosageForm('非布司他片')).toBe('非布司他');
  });

  it('keeps a salt that is the drug itself (氯化钾, 碳酸钙, 碳酸氢钠, 硫酸镁)', () => {
    expect(drugKey('氯化钾缓释片')).toBe('氯化钾');
    expect(drugKey('碳酸钙片')).toBe('碳酸钙');
    expect(drugKey('碳酸氢钠片')).toBe('碳酸氢钠');
    expect(drugKey('硫酸镁注射液')).toBe('硫酸镁');
  });
});
