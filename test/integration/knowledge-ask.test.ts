import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XinglinError, type EventPayload, type KbIntent } from '../../src-main/contract/index.js';
import type { Core } from '../../src-main/core/core.js';
import { KnowledgeService, STARTER_LABEL, type ModelReply } from '../../src-main/core/knowledge/index.js';
import { generateFixtures } from '../fixtures/gguf/tiny-llama.js';
import { openTestCore } from '../helpers/env.js';
import { jsonl, openFixtureKb, tempDir, writeStarter } from './knowledge-fixture.js';

let kb: KnowledgeService;
const ids: Record<string, string> = {};

beforeAll(async () => {
  kb = openFixtureKb().kb;
  for (const name of ['非布司他', '痛风', '阿莫西林', '华法林', '阿司匹林', '二甲双胍', '2型糖尿病', '利伐沙班']) ids[name] = kb.search(name)[0]!.id;
  // Two diseases sharing an alias: a genuinely ambiguous name.
  const file = path.join(tempDir(), 'ear.jsonl');
  fs.writeFileSync(file, jsonl([
    { type: 'disease', name: '急性中耳炎', aliases: ['中耳炎'], symptoms: ['耳痛', '发热'] },
    { type: 'disease', name: '慢性化脓性中耳炎', aliases: ['中耳炎'], symptoms: ['耳流脓', '听力下降'] },
  ]));
  await kb.import({ path: file, format: 'jsonl', dryRun: false, source: '本院耳科' });
});
afterAll(() => kb.close());


/** Grounded LLM mode as chat runs it (chat/grounded-answer.ts), with a scripted model in place of the runtime. */
async function grounded(service: KnowledgeService, question: string, generate: (request: { system: string; sources: string; prompt: string }) => Promise<ModelReply>) {
  const plan = await service.planGrounded(question);
  if (plan.composeInstead) return { result: plan.composeInstead, reply: null };
  const reply = await generate({ system: plan.prompt.system, sources: plan.prompt.sources, prompt: question });
  return { result: service.reviewGrounded(plan, question, reply), reply };
}

describe('knowledge: question understanding', () => {
  const cases: Array<[string, KbIntent, string[]]> = [
    // QiZhen's templates
    ['非布司他的适应病症', 'indications', ['非布司他']],
    ['非布司他的适应病症是什么?', 'indications', ['非布司他']],
    ['痛风的典型症状是什么?', 'symptoms', ['痛风']],
    ['哪些药物能治疗痛风?', 'treatments', ['痛风']],
    ['痛风需要做哪些检查?', 'examinations', ['痛风']],
    ['痛风的临床表现有哪些?', 'symptoms', ['痛风']],
    // free phrasing
    ['非布司他能治疗什么疾病', 'indications', ['非布司他']],
    ['阿莫西林用于什么', 'indications', ['阿莫西林']],
    ['阿莫西林的禁忌', 'contraindications', ['阿莫西林']],
    ['二甲双胍有什么副作用', 'adverseReactions', ['二甲双胍']],
    ['利伐沙班的不良反应', 'adverseReactions', ['利伐沙班']],
    ['华法林和阿司匹林能不能一起吃', 'interactions', ['华法林', '阿司匹林']],
    ['华法林与阿司匹林能否同服？', 'interactions', ['华法林', '阿司匹林']],
    ['非布司他的药物相互作用', 'interactions', ['非布司他']],
    ['糖尿病挂什么科', 'department', ['2型糖尿病']],
    ['痛风看哪个科', 'department', ['痛风']],
    ['痛风怎么治', 'treatments', ['痛风']],
    ['2型糖尿病用什么药', 'treatments', ['2型糖尿病']],
    ['利伐沙班孕妇能用吗', 'specialPopulations', ['利伐沙班']],
  ];
  for (const [question, intent, names] of cases) {
    it(`${question} → ${intent} ${names.join('、')}`, () => {
      const r = kb.retrieve(question);
      expect(r.intents).toEqual([intent]);
      expect(r.entities.map((e) => e.name)).toEqual(names);
      expect(r.choices).toEqual([]);
    });
  }

  it('offers a name one character off as a choice, and matches a brand name and a dosage-form suffix', () => {
    const wrong = kb.retrieve('非布可他的副作用');
    expect(wrong.entities).toEqual([]);
    expect(wrong.unknown).toEqual(['非布可他']);
    expect(wrong.choices).toEqual([expect.objectContaining({ id: ids['非布司他'], reason: 'near', for: '非布可他', ask: '非布司他的副作用' })]);
    expect(kb.retrieve('优立通的适应症').entities).toEqual([expect.objectContaining({ id: ids['非布司他'], matchedBy: 'brand' })]);
    expect(kb.retrieve('阿莫西林胶囊的不良反应').entities).toEqual([expect.objectContaining({ id: ids['阿莫西林'], surface: '阿莫西林胶囊' })]);
    expect(kb.retrieve('盐酸二甲双胍缓释片的禁忌').entities.map((e) => e.id)).toEqual([ids['二甲双胍']]);
    expect(kb.retrieve('利伐沙斑片能治什么').choices.map((c) => c.id)).toEqual([ids['利伐沙班']]);
  });

  it('does not take a short brand inside an unknown longer name (利君沙 ≠ 利伐沙…)', () => {
    expect(kb.retrieve('量子纠缠综合征怎么治').entities).toEqual([]);
    expect(kb.retrieve('达比加群酯胶囊的禁忌').entities).toEqual([]);
  });

  it('matches Latin names on word boundaries only (AS is not in "a story", AD not in "a doctor")', () => {
    expect(kb.retrieve('Tell me a story about a doctor.').entities).toEqual([]);
    expect(kb.retrieve('Amoxicillin的不良反应').entities.map((e) => e.id)).toEqual([ids['阿莫西林']]);
  });

  it('asks the doctor to choose only for genuinely different entries', () => {
    const r = kb.ask('中耳炎有什么症状');
    expect(r.choices.map((c) => c.name).sort()).toEqual(['急性中耳炎', '慢性化脓性中耳炎']);
    expect(r.grounded).toBe(false);
    expect(r.answer).toMatch(/请指明/);
    // A name that is the primary name of one entry is not ambiguous.
    expect(kb.ask('急性中耳炎有什么症状').choices).toEqual([]);
  });
});

describe('knowledge: search', () => {
  it('finds by name, alias, brand, generic name with a suffix, and one wrong character', () => {
    expect(kb.search('非布司他')[0]).toMatchObject({ id: ids['非布司他'], matchedBy: 'name' });
    expect(kb.search('Febuxostat')[0]).toMatchObject({ id: ids['非布司他'], matchedBy: 'alias' });
    expect(kb.search('阿莫仙')[0]).toMatchObject({ id: ids['阿莫西林'], matchedBy: 'brand' });
    expect(kb.search('阿莫西林胶囊')[0]).toMatchObject({ id: ids['阿莫西林'] });
    expect(kb.search('阿莫西零')[0]).toMatchObject({ id: ids['阿莫西林'], matchedBy: 'fuzzy' });
  });

  it('finds two-character terms in the facts, with a marked snippet', () => {
    const hits = kb.search('出血');
    expect(hits.map((h) => h.name)).toEqual(expect.arrayContaining(['利伐沙班', '华法林', '阿司匹林']));
    const hit = hits.find((h) => h.name === '利伐沙班')!;
    expect(hit.matchedBy).toBe('text');
    expect(hit.snippet).toContain('\u0001出血\u0002');
  });
});

describe('knowledge: answers', () => {
  it('composes a knowledge-mode answer with a citation for each statement', () => {
    const r = kb.ask('痛风需要做哪些检查?');
    expect(r).toMatchObject({ mode: 'knowledge', intents: ['examinations'], grounded: true, support: 'knowledge', label: '依据知识库', cited: [1], unsupported: [] });
    expect(r.entities).toEqual([{ id: ids['痛风'], type: 'disease', name: '痛风' }]);
    expect(r.citations).toEqual([{ id: ids['痛风'], name: '痛风', field: 'examinations', source: STARTER_LABEL }]);
    expect(r.answer).toContain('血尿酸、关节超声 [1]');
    expect(r.answer).toContain('待本院药剂科审核');
  });

  it('answers a treatment question from the disease\'s drugs, those outside the base marked', () => {
    const r = kb.ask('哪些药物能治疗痛风?');
    expect(r.citations.map((c) => c.field)).toEqual(['treatments', 'drugs', 'otherDrugs']);
    expect(r.answer).toMatch(/常用药物：非布司他/);
    expect(r.answer).toMatch(/其他常用药物（未收录条目）：秋水仙碱/);
  });

  it('answers an interaction question from what either drug records about the other', () => {
    const r = kb.ask('华法林和阿司匹林能不能一起吃');
    expect(r.citations).toEqual([{ id: ids['华法林'], name: '华法林', field: 'interactions', source: STARTER_LABEL }]);
    expect(r.answer).toContain('出血风险显著增加');
  });

  it('says plainly when the base has no entry, inventing nothing', () => {
    const r = kb.ask('量子纠缠综合征怎么治');
    expect(r).toMatchObject({ grounded: false, entities: [], citations: [], choices: [] });
    expect(r.answer).toMatch(/知识库中没有/);
  });

  it('says plainly when the entry lacks what was asked', () => {
    const r = kb.ask('阿司匹林孕妇能用吗');
    expect(r.entities.map((e) => e.name)).toEqual(['阿司匹林']);
    expect(r).toMatchObject({ grounded: false, citations: [] });
    expect(r.answer).toMatch(/没有记载特殊人群用药/);
  });
});

describe('knowledge: grounded LLM mode helpers', () => {
  it('numbers the sources in the prompt in the order of the citations', async () => {
    const retrieval = kb.retrieve('哪些药物能治疗痛风?');
    const prompt = await kb.groundedPrompt(retrieval);
    expect(prompt.citations).toHaveLength(3);
    expect(prompt.sources).toMatch(/\[1\] 痛风的治疗：/);
    expect(prompt.sources).toMatch(/\[2\] 痛风的常用药物：非布司他/);
    expect(prompt.system).toMatch(/不要凭记忆/);
    expect((await kb.groundedPrompt(kb.retrieve('量子病'))).sources).toMatch(/知识库中没有与问题相关的条目/);
  });

  it('keeps the rules the same for every question and the sources apart, so a session reuses its prefix', async () => {
    const gout = await kb.groundedPrompt(kb.retrieve('哪些药物能治疗痛风?'));
    const warfarin = await kb.groundedPrompt(kb.retrieve('华法林和阿司匹林能不能一起吃'));
    expect(warfarin.system).toBe(gout.system);
    expect(gout.system).not.toContain('痛风');
    expect(gout.sources).toContain('[1] 痛风');
    expect(warfarin.sources).toMatch(/华法林/);
  });

  it('drops sources from the end until the prompt fits the model, keeping at least one', async () => {
    const retrieval = kb.retrieve('哪些药物能治疗痛风?');
    const full = await kb.groundedPrompt(retrieval);
    const limit = full.sources.length - 1;
    // The model process answers each fit asynchronously.
    const trimmed = await kb.groundedPrompt(retrieval, async (sources) => sources.length <= limit);
    expect(trimmed.sources.length).toBeLessThanOrEqual(limit);
    expect(trimmed.citations).toEqual(full.citations.slice(0, trimmed.citations.length));
    expect(trimmed.citations.length).toBeLessThan(full.citations.length);
    expect((await kb.groundedPrompt(retrieval, () => false)).citations).toHaveLength(1);
  });

  it('flags drug and disease names found in neither the entries nor the question', () => {
    const question = '痛风合并2型糖尿病用什么药';
    const retrieval = kb.retrieve('痛风用什么药');
    const answer = '可选非布司他[2]，急性期用秋水仙碱[3]；合并2型糖尿病者可加用二甲双胍，感染时用阿莫西林，抗凝用利伐沙班片。';
    expect(kb.findUnsupported(answer, retrieval, question).sort()).toEqual(['二甲双胍', '利伐沙班片', '阿莫西林'].sort());
    expect(kb.findUnsupported('非布司他降尿酸 [1]', retrieval, question)).toEqual([]);
  });

  it('answers with a model through the same retrieval, flagging what it added', async () => {
    const { result: r } = await grounded(kb, '痛风用什么药', async ({ sources, prompt }) => {
      expect(sources).toContain('[1]');
      expect(prompt).toBe('痛风用什么药');
      return { text: '首选非布司他 [2]，也可用阿莫西林。' };
    });
    expect(r).toMatchObject({ mode: 'llm', grounded: true, support: 'partial', cited: [2], uncited: ['也可用阿莫西林。'], unsupported: ['阿莫西林'] });
    expect(r.citations).toHaveLength(3);
  });
});

describe('knowledge: grounded LLM mode labels every answer by what its statements cite', () => {
  const ask = (service: KnowledgeService, question: string, text: string, stopReason = 'eogToken') => {
    const grounding: string[] = [];
    const answer = grounded(service, question, async ({ sources }) => {
      grounding.push(sources);
      return { text, stopReason };
    });
    return answer.then(({ result }) => ({ result, grounding }));
  };

  it('every statement cited → 依据知识库, with chips only for the sources used', async () => {
    const { result } = await ask(kb, '痛风用什么药', '痛风的常用药物有非布司他 [2]。');
    expect(result).toMatchObject({ support: 'knowledge', label: '依据知识库', cited: [2], uncited: [], grounded: true, truncated: false });
  });

  it('nothing cited, or citations the sources do not bear out → 仅模型生成，未经知识库核实', async () => {
    expect((await ask(kb, '痛风用什么药', '可以多喝水，注意休息，必要时就医。')).result).toMatchObject({ support: 'model-only', label: '仅模型生成，未经知识库核实', cited: [], grounded: false });
    expect((await ask(kb, '痛风用什么药', '建议手术切除病灶并长期卧床休息 [1]。')).result).toMatchObject({ support: 'model-only', cited: [] });
  });

  it('a near-miss name never brings the other drug\'s facts into the prompt, and says the name is missing', async () => {
    const { result, grounding } = await ask(kb, '非布可他的副作用', '知识库未收录非布可他。');
    expect(grounding[0]).toContain('知识库中没有「非布可他」');
    expect(grounding[0]).not.toContain('肝功能异常');
    expect(result).toMatchObject({ entities: [], citations: [], unknown: ['非布可他'], grounded: false });
    expect(result.choices.map((c) => c.name)).toEqual(['非布司他']);
  });

  it('an answer cut off at the token limit says so', async () => {
    expect((await ask(kb, '痛风用什么药', '痛风的常用药物有非布司他 [2]', 'maxTokens')).result.truncated).toBe(true);
  });

  it('an administrator may refuse ungrounded answers: no model call without sources, the base record instead of uncited text', async () => {
    const strict = KnowledgeService.open({ file: path.join(tempDir(), 'knowledge.db'), starterDir: writeStarter(), refuseUngrounded: true });
    try {
      const nothing = await ask(strict, '量子纠缠综合征怎么治', '随便编的答案');
      expect(nothing.grounding).toEqual([]);
      expect(nothing.result).toMatchObject({ mode: 'knowledge', support: 'none', grounded: false });
      const uncited = await ask(strict, '痛风用什么药', '可以多喝水，注意休息。');
      expect(uncited.grounding).toHaveLength(1);
      expect(uncited.result.answer).toMatch(/按管理员设置不予显示/);
      expect(uncited.result.answer).not.toContain('多喝水');
      expect(uncited.result).toMatchObject({ support: 'knowledge', grounded: true });
    } finally {
      strict.close();
    }
  });
});

describe('knowledge: through the core and the CLI', () => {
  let core: Core;
  const drug = { type: 'drug', name: '测试新药甲片', aliases: ['测试新药甲'], indications: ['测试性头痛'], adverseReactions: ['测试性皮疹'] };
  let file: string;

  beforeAll(async () => {
    // Room for the grounded prompt: the numbered sources make it longer than a bare question.
    const modelsDir = tempDir('xinglin-models-');
    generateFixtures(modelsDir, { contextLength: 2048 });
    core = await openTestCore({ modelsDir, contextSize: 2048 });
    file = path.join(tempDir(), 'new.jsonl');
    fs.writeFileSync(file, jsonl([drug]));
  });
  afterAll(() => core.close());

  it('imports as a job with progress events and answers with kb.ask', async () => {
    const progress: EventPayload<'job.progress'>[] = [];
    const unsubscribe = core.subscribe((event, payload) => event === 'job.progress' && progress.push(payload as EventPayload<'job.progress'>));
    const report = await core.api.kb.import({ file: core.files.register(file).file });
    unsubscribe();
    expect(report).toMatchObject({ committed: true, added: 1, errors: [] });
    expect(progress.at(-2)).toMatchObject({ kind: 'kb.import', state: 'running', phase: 'index', done: 1, total: 1, progress: 1 });
    expect(progress.at(-1)).toMatchObject({ kind: 'kb.import', state: 'done', error: null });

    const [hit] = await core.api.kb.search({ query: '测试新药甲' });
    expect(hit).toMatchObject({ type: 'drug', name: '测试新药甲片', matchedBy: 'name' });
    const entry = await core.api.kb.entry({ id: hit!.id });
    expect(entry.facts.map((f) => f.field).sort()).toEqual(['adverseReactions', 'indications']);
    const answer = await core.api.kb.ask({ question: '测试新药甲片的副作用是什么' });
    expect(answer).toMatchObject({ mode: 'knowledge', intents: ['adverseReactions'], grounded: true });
    const stats = await core.api.kb.stats();
    expect(stats.sources.map((s) => s.label)).toContain('医院导入：new.jsonl');
  });

  it('refuses bad input with typed Chinese errors', async () => {
    const missing = await core.api.kb.entry({ id: 'drug:0000000000000000' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(XinglinError);
    expect((missing as XinglinError).code).toBe('NOT_FOUND');
    expect(await core.call('kb.search', { query: '  ' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await core.call('kb.ask', { question: '痛风', mode: 'llm' })).toMatchObject({ ok: false, error: { code: 'NO_MODEL' } });
  });

  it('answers in grounded LLM mode once a model is loaded, citing the same entries', async () => {
    await core.api.models.load({ model: 'tiny-llama.gguf' });
    const question = '测试新药甲的适应症';
    const knowledge = await core.api.kb.ask({ question });
    const llm = await core.api.kb.ask({ question, mode: 'llm' });
    expect(llm).toMatchObject({ mode: 'llm', intents: ['indications'], entities: knowledge.entities, citations: knowledge.citations });
    // The fixture model writes noise: whatever it wrote, the label says how far the base supports it.
    expect(llm.support).toBe(llm.cited.length ? (llm.uncited.length ? 'partial' : 'knowledge') : 'model-only');
    expect(llm.grounded).toBe(llm.cited.length > 0);
    expect(typeof llm.answer).toBe('string');
    expect(Array.isArray(llm.unsupported)).toBe(true);
    await core.api.models.unload();
  });

  it('prints an answer for a terminal: its label, the sources it uses, and near names as commands to ask again', () => {
    const run = (question: string) => spawnSync(process.execPath, ['--import', 'tsx', 'src-main/hosts/cli/main.ts', 'ask', question, '--data-dir', core.config.dataDir], { encoding: 'utf8' });
    const refused = run('利血平的适应症是什么？');
    expect(refused.status).toBe(0);
    expect(refused.stdout).toMatch(/^【未作回答】\n知识库中没有「利血平」。您是否要找：利福平/);
    expect(refused.stdout).toContain('1. 利福平（');
    expect(refused.stdout).toContain('xinglin ask "利福平的适应症是什么？"');
    const answered = run('利福平的适应症是什么？');
    expect(answered.stdout).toMatch(/^【依据知识库】\n利福平的适应症：.+ \[1\]/);
    expect(answered.stdout).toMatch(/来源：\n\[1\] 利福平 · 适应症 — 杏林入门知识库/);
  });

  it('runs `xinglin ask --input … --json` in one process, one result per line with its id', () => {
    const dataDir = core.config.dataDir;
    const questions = path.join(tempDir(), 'q.jsonl');
    fs.writeFileSync(questions, [JSON.stringify({ id: 'a', question: '测试新药甲的适应症' }), JSON.stringify({ id: 'b', question: '量子病的症状' }), 'not json', ''].join('\n'));
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/hosts/cli/main.ts', 'ask', '--input', questions, '--json', '--data-dir', dataDir], { encoding: 'utf8' });
    const lines = cli.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ id: 'a', mode: 'knowledge', intents: ['indications'], grounded: true, support: 'knowledge', label: '依据知识库', entities: [expect.objectContaining({ name: '测试新药甲片' })], unsupported: [] });
    expect(lines[0]!.citations).toEqual([expect.objectContaining({ name: '测试新药甲片', field: 'indications' })]);
    expect(lines[1]).toMatchObject({ id: 'b', grounded: false, entities: [] });
    expect(lines[2]).toMatchObject({ id: null, line: 3, error: { code: 'INVALID_INPUT' } });
    expect(cli.status).toBe(1);
  });
});
