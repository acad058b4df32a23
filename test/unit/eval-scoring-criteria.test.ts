import { describe, expect, it } from 'vitest';
import type { CriteriaKind, GoldItemScore } from '../../src-main/contract/index.js';
import { criteriaMatcher, criteriaMet, scoreCriteria, type Thesaurus } from '../../src-main/core/eval/scoring/criteria.js';

/** A synonym table both ways, the term itself first: what KnowledgeService.sameAs answers. */
function thesaurus(pairs: [string, string][]): Thesaurus {
  const same = new Map<string, string[]>();
  for (const [a, b] of pairs) {
    same.set(a, [...(same.get(a) ?? []), b]);
    same.set(b, [...(same.get(b) ?? []), a]);
  }
  return { sameAs: (term) => [term, ...(same.get(term) ?? [])] };
}

const SYNONYMS = thesaurus([
  ['非胰岛素依赖型糖尿病', '2型糖尿病'],
  ['心梗', '急性心肌梗死'],
  ['房颤', '心房颤动'],
  ['幽门螺杆菌感染', 'Hp感染'],
]);

type Outcome = 'name' | 'synonym' | 'head' | 'miss' | 'negated';

const outcome = (score: GoldItemScore): Outcome => (score.hit ? score.via! : score.negated ? 'negated' : 'miss');

const score = (answer: string, gold: string[], kind: CriteriaKind = 'drug-indication') => scoreCriteria(answer, gold, kind, SYNONYMS);

/** [what the row checks, answer, kind, expected outcome per gold item (the gold list is its keys)]. */
const ROWS: [string, string, CriteriaKind, Record<string, Outcome>][] = [
  // names, normalisation
  ['plain mention', '可用于治疗高血压。', 'drug-indication', { 高血压: 'name' }],
  // brackets: a note's negation stays inside it (knowledge-mode answers annotate drugs this way)
  ['a warning in brackets does not negate the drug it annotates', '常用药物：阿苯达唑（警示：孕妇及2岁以下儿童禁用） [2]', 'disease-drug', { 阿苯达唑: 'name' }],
  ['无 inside a bracket ends at the bracket', '厄他培南（中重度感染且无骨髓炎时）、利奈唑胺（怀疑耐药时）、西洛他唑', 'disease-drug', { 厄他培南: 'name', 利奈唑胺: 'name', 西洛他唑: 'name', 骨髓炎: 'negated' }],
  ['a negation before a bracket goes on through it', '不用于高血压（原发性）、糖尿病', 'drug-indication', { 高血压: 'negated', 糖尿病: 'negated' }],
  ['spaces inside the name', '用于高 血 压', 'drug-indication', { 高血压: 'name' }],
  ['full width and case', '可做ＣＴ或mri检查', 'disease-exam', { CT: 'name', MRI: 'name' }],
  ['综合症 written for 综合征', '肾病综合症', 'drug-indication', { 肾病综合征: 'name' }],
  ['综合征 written for 综合症 in gold', '见于肾病综合征', 'drug-indication', { 肾病综合症: 'name' }],
  ['punctuation inside the gold', '可检测covid 19核酸', 'disease-exam', { 'COVID-19核酸': 'name' }],
  ['a citation marker inside the name', '急性[1]中耳炎', 'drug-indication', { 急性中耳炎: 'name' }],
  ['a longer name containing the gold', '适用于2型糖尿病', 'drug-indication', { 糖尿病: 'name' }],
  ['contained in a qualified name (accepted)', '妊娠期高血压', 'drug-indication', { 高血压: 'name' }],
  ['contained in a test name (accepted, documented)', '建议做肝炎病毒检测', 'disease-exam', { 肝炎: 'name' }],
  ['look-alike is no mention: 低血压', '可引起低血压', 'drug-indication', { 高血压: 'miss' }],
  ['look-alike is no mention: 肺动脉高压', '用于肺动脉高压', 'drug-indication', { 高血压: 'miss' }],
  ['not mentioned at all', '用于感冒', 'drug-indication', { 高血压: 'miss', 糖尿病: 'miss' }],
  // one character, Latin boundaries
  ['one character ending a word in a list', '补充铁、钙、锌', 'disease-drug', { 铁: 'name', 钙: 'name', 锌: 'name' }],
  ['one character where a word goes on is no mention', '查铁蛋白，补铁剂，治疗缺铁性贫血', 'disease-drug', { 铁: 'miss' }],
  ['Latin gold inside a longer Latin word', '测定ACTH水平', 'disease-exam', { CT: 'miss' }],
  ['Latin gold next to Chinese', '头颅CT检查', 'disease-exam', { CT: 'name' }],
  ['digit continues a Latin name', '补充维生素B12', 'disease-drug', { 维生素B1: 'miss', 维生素B12: 'name' }],
  // drugs: dosage forms and salts
  ['gold with dosage form, answer without', '可选用阿莫西林', 'disease-drug', { 阿莫西林胶囊: 'name' }],
  ['answer with salt and form, gold without', '首选盐酸二甲双胍缓释片', 'disease-drug', { 二甲双胍: 'name' }],
  ['gold with salt and form, answer without', '二甲双胍是一线药', 'disease-drug', { 盐酸二甲双胍片: 'name' }],
  ['gold with 注射用 and 钠', '可静滴头孢曲松', 'disease-drug', { 注射用头孢曲松钠: 'name' }],
  ['no dosage-form stripping outside drugs: 栓', '下肢深静脉血管病变', 'drug-indication', { 下肢深静脉血栓: 'miss' }],
  // synonyms
  ['synonym: 2型糖尿病 for 非胰岛素依赖型糖尿病', '用于2型糖尿病', 'drug-indication', { 非胰岛素依赖型糖尿病: 'synonym' }],
  ['synonym the other way (非 is no negation)', '用于非胰岛素依赖型糖尿病', 'drug-indication', { '2型糖尿病': 'synonym' }],
  ['synonym: 心梗', '心梗患者可用', 'drug-indication', { 急性心肌梗死: 'synonym' }],
  ['synonym with Latin letters', '根除Hp感染', 'drug-indication', { 幽门螺杆菌感染: 'synonym' }],
  ['own name beats synonym', '急性心肌梗死（心梗）', 'drug-indication', { 急性心肌梗死: 'name' }],
  // head terms
  ['head: 帕金森病 for 特发性帕金森病', '用于帕金森病', 'drug-indication', { 特发性帕金森病: 'head' }],
  ['head: a note in brackets', '心电图检查', 'disease-exam', { '心电图（锯齿状F波）': 'head' }],
  ['head: note in half-width brackets', '做心电图', 'disease-exam', { '心电图(锯齿状F波)': 'head' }],
  ['head: two qualifiers', '胰腺炎', 'drug-indication', { 急性重度胰腺炎: 'head' }],
  ['head: 严重的', '肝功能损害者', 'drug-contraindication', { 严重的肝功能损害: 'head' }],
  ['head: 心肌梗死 for 急性心肌梗死', '心肌梗死后', 'drug-indication', { 急性心肌梗死: 'head' }],
  ['no generic head: 感染', '用于感染', 'drug-indication', { 急性感染: 'miss' }],
  ['no one-character head: 病', '这种病', 'drug-indication', { 慢性病: 'miss' }],
  ['重症 is not a qualifier', '肌无力', 'disease-symptom', { 重症肌无力: 'miss' }],
  ['先天性 is not a qualifier', '心脏病', 'drug-indication', { 先天性心脏病: 'miss' }],
  ['qualified answer hits the plain gold', '用于原发性高血压', 'drug-indication', { 高血压: 'name' }],
  // negation
  ['不用于 negates a 、-list', '不用于高血压、糖尿病', 'drug-indication', { 高血压: 'negated', 糖尿病: 'negated' }],
  ['a new predicate after the comma', '不用于高血压，可用于糖尿病', 'drug-indication', { 高血压: 'negated', 糖尿病: 'name' }],
  ['a comma ends the clause', '不能治疗病毒感染，常见不良反应为腹泻', 'drug-indication', { 病毒感染: 'negated', 腹泻: 'name' }],
  ['a comma with 或 continues the list', '无发热，或咳嗽', 'disease-symptom', { 发热: 'negated', 咳嗽: 'negated' }],
  ['a stop ends the clause', '无发热。有咳嗽', 'disease-symptom', { 发热: 'negated', 咳嗽: 'name' }],
  ['不适用于', '不适用于哮喘', 'drug-indication', { 哮喘: 'negated' }],
  ['没有', '没有明显头痛', 'disease-symptom', { 头痛: 'negated' }],
  ['未见', '未见皮疹', 'disease-symptom', { 皮疹: 'negated' }],
  ['并非', '并非高血压', 'drug-indication', { 高血压: 'negated' }],
  ['不是 … 而是', '不是高血压而是低血压', 'drug-indication', { 高血压: 'negated', 低血压: 'name' }],
  ['不属于', '不属于心力衰竭的表现', 'disease-symptom', { 心力衰竭: 'negated' }],
  ['排除', '排除肺栓塞', 'disease-exam', { 肺栓塞: 'negated' }],
  ['无需做', '无需做胃镜', 'disease-exam', { 胃镜: 'negated' }],
  ['不需要', '不需要做CT', 'disease-exam', { CT: 'negated' }],
  ['X除外', '心衰除外', 'drug-indication', { 心衰: 'negated' }],
  ['对X无效', '对病毒性感冒无效', 'drug-indication', { 病毒性感冒: 'negated' }],
  ['禁用于, for an indication', '禁用于青光眼', 'drug-indication', { 青光眼: 'negated' }],
  ['忌用于', '忌用于消化性溃疡', 'drug-indication', { 消化性溃疡: 'negated' }],
  ['X禁用, for an indication', '孕妇禁用', 'drug-indication', { 孕妇: 'negated' }],
  ['X患者禁用 reaches back over a 、-list', '高血压、糖尿病患者禁用', 'drug-indication', { 高血压: 'negated', 糖尿病: 'negated' }],
  ['X禁用 reaches back only to its comma', '用于高血压，糖尿病患者禁用', 'drug-indication', { 高血压: 'name', 糖尿病: 'negated' }],
  ['a contraindication heading, for a drug question', '禁忌症：溃疡病、哮喘', 'disease-drug', { 溃疡病: 'negated', 哮喘: 'negated' }],
  ['禁用 states a contraindication', '孕妇禁用', 'drug-contraindication', { 孕妇: 'name' }],
  ['禁忌 states a contraindication', '禁忌：对青霉素过敏者', 'drug-contraindication', { 青霉素过敏: 'name' }],
  ['不宜用于 states a contraindication', '不宜用于哺乳期妇女', 'drug-contraindication', { 哺乳期妇女: 'name' }],
  ['慎用 states a contraindication', '严重肝功能不全者慎用', 'drug-contraindication', { 严重肝功能不全: 'name' }],
  ['并非 governs a contraindication item', '并非孕妇禁用', 'drug-contraindication', { 孕妇: 'negated' }],
  ['double negation: 不能排除', '不能排除肺栓塞', 'disease-exam', { 肺栓塞: 'name' }],
  ['double negation: 不除外', '不除外心肌梗死', 'drug-indication', { 心肌梗死: 'name' }],
  ['a question is no negation: 是不是', '是不是高血压', 'drug-indication', { 高血压: 'name' }],
  ['无 starting a name is no negation', '无菌性脑膜炎', 'drug-indication', { 脑膜炎: 'name' }],
  ['a cue inside the gold itself', '少尿、无尿、水肿', 'disease-symptom', { 无尿: 'name', 水肿: 'name' }],
  ['无力 inside a name', '重症肌无力、糖尿病', 'drug-indication', { 重症肌无力: 'name', 糖尿病: 'name' }],
  ['mentioned negated and affirmed: a hit', '不用于高血压危象。用于高血压', 'drug-indication', { 高血压: 'name' }],
  ['a model answer mixing uses and non-uses', '阿莫西林主要用于敏感菌所致的呼吸道感染，如急性中耳炎、鼻窦炎；但对病毒性感冒无效，不用于流感。', 'drug-indication', { 急性中耳炎: 'name', 鼻窦炎: 'name', 病毒性感冒: 'negated', 流感: 'negated', 尿路感染: 'miss' }],
  ['knowledge mode: the base has no entry', '知识库中没有「利血平」的条目。', 'drug-indication', { 利血平: 'negated' }],
];

describe('eval scoring: three-criteria items', () => {
  it('has enough hand-made cases', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(50);
  });

  it.each(ROWS)('%s: %s', (_what, answer, kind, expected) => {
    const gold = Object.keys(expected);
    const scores = score(answer, gold, kind);
    expect(Object.fromEntries(scores.map((s) => [s.item, outcome(s)]))).toEqual(expected);
    for (const s of scores) {
      expect(s.hit, s.item).toBe(s.spans.length > 0);
      // The spans cover real text of the answer, inside it.
      for (const [start, end] of s.spans) {
        expect(0 <= start && start < end && end <= answer.length, s.item).toBe(true);
      }
    }
  });

  it('hits every item a knowledge-mode answer lists, citations and notes notwithstanding', () => {
    const answer = '【依据知识库】\n阿莫西林的适应症：急性中耳炎、急性鼻窦炎、链球菌性咽炎 [1]\n注：标注为入门知识库的内容尚待本院药剂科审核，仅供参考。\n\n来源：\n[1] 阿莫西林 · 适应症 — 杏林入门知识库（待药剂科审核）';
    const scores = score(answer, ['急性中耳炎', '急性鼻窦炎', '链球菌性咽炎']);
    expect(scores.map((s) => [s.item, s.hit, s.via, s.negated])).toEqual([
      ['急性中耳炎', true, 'name', false],
      ['急性鼻窦炎', true, 'name', false],
      ['链球菌性咽炎', true, 'name', false],
    ]);
    expect(scores.map((s) => s.spans.map(([a, b]) => answer.slice(a, b)))).toEqual([['急性中耳炎'], ['急性鼻窦炎'], ['链球菌性咽炎']]);
  });

  it('gives spans in the original text, across characters NFKC lengthens and surrogate pairs', () => {
    const answer = '每次500㎎，😀 用于高血压；ＣＴ可见';
    const [hypertension, ct] = scoreCriteria(answer, ['高血压', 'CT'], 'drug-indication', SYNONYMS);
    expect(hypertension!.spans).toEqual([[answer.indexOf('高血压'), answer.indexOf('高血压') + 3]]);
    expect(ct!.spans.map(([a, b]) => answer.slice(a, b))).toEqual(['ＣＴ']);
    // A spaced-out mention spans its spaces; a ligature-like character maps to its whole self.
    const spaced = '诊断：高 血 压';
    expect(score(spaced, ['高血压'])[0]!.spans).toEqual([[3, 8]]);
    const unit = '剂量 ㎎ 级';
    expect(score(unit, ['mg'], 'disease-drug')[0]!.spans).toEqual([[3, 4]]);
  });

  it('reports every non-negated mention, and none of the negated ones', () => {
    const answer = '不用于高血压危象；对高血压有效，高血压患者可长期服用';
    const [item] = score(answer, ['高血压']);
    expect(item!.spans.map(([a]) => a)).toEqual([10, 16]);
  });

  it('merges a head or synonym mention into the name mention that contains it', () => {
    const answer = '急性心肌梗死（心梗）';
    const [item] = score(answer, ['急性心肌梗死']);
    expect(item!.spans).toEqual([[0, 6], [7, 9]]);
  });

  it('reads one compiled case against many answers alike', () => {
    const match = criteriaMatcher(['高血压', '糖尿病'], 'drug-indication', SYNONYMS);
    expect(match('用于高血压').map((s) => s.hit)).toEqual([true, false]);
    expect(match('不用于糖尿病').map((s) => [s.hit, s.negated])).toEqual([[false, false], [false, true]]);
    expect(match('用于高血压')).toEqual(score('用于高血压', ['高血压', '糖尿病']));
  });

  it('is deterministic: the same answer scores the same', () => {
    const answer = '适用于2型糖尿病、心梗；禁用于青光眼';
    expect(score(answer, ['非胰岛素依赖型糖尿病', '急性心肌梗死', '青光眼'])).toEqual(score(answer, ['非胰岛素依赖型糖尿病', '急性心肌梗死', '青光眼']));
  });
});

describe('eval scoring: the three criteria of one answer', () => {
  const hits = (...flags: boolean[]) => flags.map((hit) => ({ hit }));

  it.each([
    ['1 of 1', hits(true), { any: true, half: true, twoThirds: true }],
    ['0 of 1', hits(false), { any: false, half: false, twoThirds: false }],
    ['1 of 2 is half, not two thirds', hits(true, false), { any: true, half: true, twoThirds: false }],
    ['1 of 3 is neither half nor two thirds', hits(true, false, false), { any: true, half: false, twoThirds: false }],
    ['2 of 3 is exactly two thirds', hits(true, true, false), { any: true, half: true, twoThirds: true }],
    ['2 of 4 is half', hits(true, true, false, false), { any: true, half: true, twoThirds: false }],
    ['3 of 5 is more than half, less than two thirds', hits(true, true, true, false, false), { any: true, half: true, twoThirds: false }],
    ['4 of 6 is exactly two thirds', hits(true, true, true, true, false, false), { any: true, half: true, twoThirds: true }],
    ['no gold at all meets nothing', hits(), { any: false, half: false, twoThirds: false }],
  ])('%s', (_what, items, expected) => {
    expect(criteriaMet(items)).toEqual(expected);
  });
});
