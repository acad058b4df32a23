import { describe, expect, it } from 'vitest';
import { KB_FIELD_LABELS, KbField, type KbFact, type KbSource } from '$contract';
import { translate } from '../i18n/index.js';
import { fieldKey, groupFacts, otherNames, viewOf } from './knowledge.js';

const starter: KbSource = { label: '杏林入门知识库（待药剂科审核）', kind: 'starter', format: 'jsonl', version: 'sha256:0123456789abcdef', importedAt: 1 };
const hospital: KbSource = { label: '医院导入：drugs.jsonl', kind: 'hospital', format: 'jsonl', version: 'sha256:fedcba9876543210', importedAt: 2 };

describe('knowledge helpers', () => {
  const fact = (field: KbFact['field'], value: KbFact['value'], source = starter): KbFact => ({ field, value, source });

  it('groups facts by field in reading order, keeping the host’s source order within a field', () => {
    const groups = groupFacts({
      type: 'drug',
      facts: [fact('adverseReactions', ['恶心']), fact('indications', ['医院版'], hospital), fact('indications', ['入门版']), fact('category', '抗痛风药')],
    });
    expect(groups.map((g) => g.field)).toEqual(['category', 'indications', 'adverseReactions']);
    expect(groups[1]!.facts.map((f) => f.source.kind)).toEqual(['hospital', 'starter']);
  });

  it('tells the shapes of values apart', () => {
    expect(viewOf('抗痛风药')).toEqual({ kind: 'text', text: '抗痛风药' });
    expect(viewOf(['片剂'])).toEqual({ kind: 'list', items: ['片剂'] });
    expect(viewOf([{ with: '硫唑嘌呤', effect: '禁止合用' }])).toEqual({ kind: 'interactions', items: [{ with: '硫唑嘌呤', effect: '禁止合用' }] });
    expect(viewOf({ 孕妇: '慎用' })).toEqual({ kind: 'record', items: [['孕妇', '慎用']] });
  });

  it('lists aliases and brands once, without the entry’s own name', () => {
    const names = otherNames({
      name: '非布司他',
      names: [
        { name: '非布司他', kind: 'name', source: 'a' },
        { name: 'Febuxostat', kind: 'alias', source: 'a' },
        { name: 'Febuxostat', kind: 'alias', source: 'b' },
        { name: '优立通', kind: 'brand', source: 'a' },
      ],
    });
    expect(names).toEqual({ aliases: ['Febuxostat'], brands: ['优立通'] });
  });

  it('has a readable label for every field in both languages, the Chinese one the same as in answers and citations', () => {
    for (const field of KbField.options) {
      expect(translate('zh-CN', fieldKey(field))).toBe(KB_FIELD_LABELS[field]);
      expect(translate('en', fieldKey(field))).not.toBe(fieldKey(field));
    }
  });
});
