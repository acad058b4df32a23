import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChoiceCase, EvalRunSummary, EvalTarget } from '../../src-main/contract/index.js';
import type { Core } from '../../src-main/core/core.js';
import { trainsOn } from '../../src-main/core/eval/dataset/split.js';
import { saveDownProfile, saveLocalProfile } from '../helpers/chat-profiles.js';
import { fixtureModels, nextEvent, openTestCore, tempDir } from '../helpers/env.js';
import { failure } from '../helpers/errors.js';

/** A file the user chose, as every host passes it: by handle. */
function chosen(core: Core, name: string, content: string): string {
  const file = path.join(tempDir('xinglin-eval-file-'), name);
  fs.writeFileSync(file, content);
  return core.files.register(file).file;
}

const lines = (items: readonly unknown[]) => items.map((item) => JSON.stringify(item)).join('\n') + '\n';

/** Multiple-choice questions whose options the fixture model will choose among (the score means nothing; the path does). */
const CHOICE: ChoiceCase[] = Array.from({ length: 6 }, (_, i) => ({
  id: `q${i + 1}`,
  question: `第 ${i + 1} 题：下列哪种药物属于青霉素类抗生素？`,
  options: { A: '阿莫西林', B: '氨氯地平', C: '二甲双胍', D: '奥美拉唑' },
  answer: 'A',
}));

function ended(core: Core, id: string): Promise<EvalRunSummary> {
  return nextEvent(core, 'eval.run', ({ run }) => run.id === id && run.state !== 'running').then(({ run }) => run);
}

async function runToEnd(core: Core, setId: string, targets: EvalTarget[], parallel = true): Promise<EvalRunSummary> {
  const finished = new Promise<EvalRunSummary>((resolve) => {
    const off = core.api.on('eval.run', ({ run }) => {
      if (run.setId !== setId || run.state === 'running') return;
      off();
      resolve(run);
    });
  });
  await core.api.eval.start({ setId, targets, parallel });
  return finished;
}

describe('eval: sets made from the knowledge base, answered in knowledge mode', () => {
  let core: Core;
  beforeAll(async () => {
    core = await openTestCore();
  });
  afterAll(() => core.close());

  it('makes the same set for the same seed, with QiZhen questions and the entry facts as gold', async () => {
    const a = await core.api.eval.makeSet({ kinds: ['drug-indication', 'disease-exam'], sample: 5, seed: 3 });
    const b = await core.api.eval.makeSet({ kinds: ['drug-indication', 'disease-exam'], sample: 5, seed: 3 });
    expect(a.caseCount).toBe(10);
    expect(a.kinds).toEqual({ 'disease-exam': 5, 'drug-indication': 5 });
    const [setA, setB] = [await core.api.eval.set({ id: a.id }), await core.api.eval.set({ id: b.id })];
    expect(setA.cases).toEqual(setB.cases);
    const drug = setA.cases.find((c) => 'kind' in c && c.kind === 'drug-indication')!;
    expect('instruction' in drug && drug.instruction).toMatch(/^.+的适应病症$/u);
    const name = (drug as { instruction: string }).instruction.replace('的适应病症', '');
    const [hit] = await core.api.kb.search({ query: name, limit: 1 });
    const entry = await core.api.kb.entry({ id: hit!.id });
    const indications = entry.facts.filter((f) => f.field === 'indications').flatMap((f) => f.value as string[]);
    expect((drug as { gold: string[] }).gold).toEqual([...new Set(indications)]);
  });

  it('with heldOutOf draws only entries the instruction-data build with that split and seed kept out of training', async () => {
    const set = await core.api.eval.makeSet({ kinds: ['drug-indication', 'disease-symptom'], sample: 400, seed: 1, heldOutOf: { split: 0.9, seed: 3 } });
    const { cases } = await core.api.eval.set({ id: set.id });
    expect(cases.length).toBeGreaterThan(20);
    for (const c of cases) {
      const [hit] = await core.api.kb.search({ query: c.id.split(':')[1]!, limit: 1 });
      expect(trainsOn(hit!.id, 0.9, 3)).toBe(false);
    }
    // About a tenth of the base is held out: far fewer than 400 per kind.
    expect(cases.length).toBeLessThan(200);
    expect(set.detail).toMatch(/只用指令数据（训练比例 0.9，种子 3）留作测试的条目/u);
  });

  it('scores knowledge mode near 100 % on a set made from the same base, with Wilson intervals and provenance', async () => {
    const set = await core.api.eval.makeSet({ kinds: ['drug-indication', 'drug-contraindication', 'disease-symptom', 'disease-exam', 'disease-drug'], sample: 20, seed: 11 });
    const run = await runToEnd(core, set.id, [{ kind: 'knowledge' }]);
    expect(run.state).toBe('done');
    const [target] = run.targets;
    expect(target!.done).toBe(100);
    expect(target!.auto.any!.rate).toBeGreaterThanOrEqual(0.98);
    expect(target!.auto.twoThirds!.rate).toBeGreaterThanOrEqual(0.95);
    expect(target!.auto.any!.low).toBeLessThan(target!.auto.any!.rate);
    expect(target!.provenance).toMatchObject({ mode: 'knowledge', appVersion: 'test', parallel: 1 });
    expect(target!.provenance!.knowledgeVersion).toMatch(/杏林入门知识库/u);
    // The reviewed scores equal the automatic ones until a clinician says otherwise.
    expect(target!.reviewed).toEqual(target!.auto);
  });

  it('a clinician override changes the reviewed scores and never the automatic ones; the reviewer is named', async () => {
    const set = await core.api.eval.makeSet({ kinds: ['disease-symptom'], sample: 3, seed: 5 });
    const run = await runToEnd(core, set.id, [{ kind: 'knowledge' }]);
    const detail = await core.api.eval.run({ id: run.id });
    const { case: first, results } = detail.cases[0]!;
    const gold = (first as { gold: string[] }).gold;
    expect(results[0]!.items!.every((item) => item.hit)).toBe(true);
    const overrides = Object.fromEntries(gold.map((item) => [item, false]));
    const reviewed = await core.api.eval.review({ runId: run.id, caseId: first.id, target: 0, items: overrides, note: '回答只是照抄条目', reviewer: '王医生' });
    expect(reviewed.review).toMatchObject({ items: overrides, note: '回答只是照抄条目', reviewer: '王医生' });
    const after = (await core.api.eval.runs()).find((r) => r.id === run.id)!.targets[0]!;
    expect(after.auto.any).toMatchObject({ count: 3, n: 3 });
    expect(after.reviewed.any).toMatchObject({ count: 2, n: 3 });
    expect(after).toMatchObject({ reviewedCases: 1, reviewers: ['王医生'] });
    const refused = await failure(core.api.eval.review({ runId: run.id, caseId: first.id, target: 0, items: { 不存在的条目: true }, reviewer: '王医生' }));
    expect(refused.code).toBe('INVALID_INPUT');
    expect(refused.message).toMatch(/不在标准答案中：不存在的条目/u);
  });

  it('writes HTML, CSV and JSON reports of a run', async () => {
    const set = await core.api.eval.makeSet({ kinds: ['drug-indication'], sample: 2, seed: 2 });
    const run = await runToEnd(core, set.id, [{ kind: 'knowledge' }]);
    const html = await core.api.eval.report({ id: run.id, format: 'html' });
    expect(html.mime).toMatch(/text\/html/u);
    expect(html.content).toContain('知识库模式');
    const csv = await core.api.eval.report({ id: run.id, format: 'csv' });
    expect(parseCsv(csv.content, { bom: true, columns: true })).toHaveLength(2);
    const json = JSON.parse((await core.api.eval.report({ id: run.id, format: 'json' })).content);
    expect(JSON.stringify(json)).toContain(run.id);
  });

  it('refuses a malformed set file whole, naming the lines and causes; nothing is saved', async () => {
    const before = (await core.api.eval.sets()).length;
    const file = chosen(core, 'bad.jsonl', [
      JSON.stringify({ id: 'a', instruction: '阿莫西林的适应病症', gold: ['中耳炎'], kind: 'drug-indication' }),
      '{not json',
      JSON.stringify({ id: 'b', instruction: '高血压需要做哪些检查?', gold: [], kind: 'disease-exam' }),
      JSON.stringify({ id: 'a', instruction: '痛风的临床表现有哪些?', gold: ['关节痛'], kind: 'disease-symptom' }),
      JSON.stringify({ id: 'c', instruction: '痛风的临床表现有哪些?', gold: ['关节痛'], kind: 'symptom' }),
    ].join('\n'));
    const error = await failure(core.api.eval.importSet({ file }));
    expect(error.code).toBe('IMPORT_INVALID');
    expect(error.message).toMatch(/第 2 行：不是有效的 JSON/u);
    expect(error.message).toMatch(/第 3 行：gold（标准答案）不能为空/u);
    expect(error.message).toMatch(/第 4 行：id「a」与第 1 行重复/u);
    expect(error.message).toMatch(/第 5 行：kind（题型）只能是/u);
    expect(error.message).toMatch(/未保存任何内容/u);
    const missing = await failure(core.api.eval.importSet({ file: chosen(core, 'choice.jsonl', lines([{ id: 'x', question: '选哪个？', options: { A: '甲', B: '乙' }, answer: 'C' }, { id: 'y', question: '选哪个？', options: { A: '甲' }, answer: 'A' }])) }));
    expect(missing.message).toMatch(/第 1 行：答案 C 中的选项 C 不在 options 里/u);
    expect(missing.message).toMatch(/第 2 行：选项不足两个/u);
    expect((await core.api.eval.sets()).length).toBe(before);
  });

  it('imports CMExam CSV and CMB JSON by mapping their columns', async () => {
    const csv = 'Question,Options,Answer,Explanation\n"青霉素类药物是？","A 阿莫西林\nB 氨氯地平\nC 二甲双胍",A,解析\n"降压药是？","A 阿莫西林\nB 氨氯地平",B,\n';
    const cmexam = await core.api.eval.importSet({ file: chosen(core, 'cmexam.csv', csv) });
    expect(cmexam).toMatchObject({ format: 'choice', caseCount: 2, name: 'cmexam' });
    expect((await core.api.eval.set({ id: cmexam.id })).cases[0]).toEqual({ id: 'cmexam-1', question: '青霉素类药物是？', options: { A: '阿莫西林', B: '氨氯地平', C: '二甲双胍' }, answer: 'A' });
    const cmb = [{ exam_type: '医师考试', question: '下列属于降糖药的是', option: { A: '二甲双胍', B: '阿莫西林', C: '', D: '氨氯地平' }, answer: 'A', question_type: '单项选择题' }];
    const imported = await core.api.eval.importSet({ file: chosen(core, 'cmb.json', JSON.stringify(cmb)) });
    expect((await core.api.eval.set({ id: imported.id })).cases[0]).toEqual({ id: 'cmb-1', question: '下列属于降糖药的是', options: { A: '二甲双胍', B: '阿莫西林', D: '氨氯地平' }, answer: 'A' });
  });

  it('refuses knowledge mode for a choice set, duplicate targets, and deleting a set that runs read from', async () => {
    const choice = await core.api.eval.importSet({ file: chosen(core, 'mc.jsonl', lines(CHOICE)) });
    expect((await failure(core.api.eval.start({ setId: choice.id, targets: [{ kind: 'knowledge' }] }))).message).toMatch(/知识库模式只能回答三标准问题/u);
    const set = await core.api.eval.makeSet({ kinds: ['disease-drug'], sample: 1, seed: 1 });
    expect((await failure(core.api.eval.start({ setId: set.id, targets: [{ kind: 'knowledge' }, { kind: 'knowledge' }] }))).message).toMatch(/选了两次/u);
    await runToEnd(core, set.id, [{ kind: 'knowledge' }]);
    const inUse = await failure(core.api.eval.deleteSet({ id: set.id }));
    expect(inUse.code).toBe('EVAL_SET_IN_USE');
    expect(inUse.message).toMatch(/有 1 次评测记录/u);
  });
});

describe('eval: profiles on the fixture model — parallel, cancel and resume, a target that fails', () => {
  const { modelsDir } = fixtureModels();
  let core: Core;
  let choiceSetId: string;
  beforeAll(async () => {
    core = await openTestCore({ modelsDir });
    await saveLocalProfile(core, 'base', []);
    await saveLocalProfile(core, 'lora', [{ file: 'tiny-lora.gguf', scale: 1 }]);
    await saveDownProfile(core, 'down');
    await core.api.profiles.use({ id: 'base' });
    choiceSetId = (await core.api.eval.importSet({ file: chosen(core, 'mc.jsonl', lines(CHOICE)) })).id;
  });
  afterAll(() => core.close());

  it('answers every case of a choice set for two profiles, each choice read from the model', async () => {
    const run = await runToEnd(core, choiceSetId, [{ kind: 'profile', profileId: 'base' }, { kind: 'profile', profileId: 'lora' }]);
    expect(run.state).toBe('done');
    const detail = await core.api.eval.run({ id: run.id });
    for (const { results } of detail.cases) {
      expect(results.map((r) => r.target)).toEqual([0, 1]);
      for (const result of results) {
        expect(result.status).toBe('done');
        expect(result.choice!.correct).toBe(result.choice!.chosen === 'A');
      }
    }
    expect(run.targets.map((t) => t.provenance?.profile?.id)).toEqual(['base', 'lora']);
    expect(run.targets[1]!.provenance!.adapters.map((a) => [a.file, a.scale])).toEqual([['tiny-lora.gguf', 1]]);
    expect(run.targets[0]!.auto.correct!.n).toBe(CHOICE.length);
  });

  it('runs the hand-written 100-question exam end to end: single answers by likelihood, 多选 answers parsed from words', async () => {
    const file = core.files.register(fileURLToPath(new URL('../fixtures/eval/choice-100.jsonl', import.meta.url))).file;
    const set = await core.api.eval.importSet({ file });
    expect(set).toMatchObject({ format: 'choice', caseCount: 100 });
    const run = await runToEnd(core, set.id, [{ kind: 'profile', profileId: 'base' }]);
    expect(run.state).toBe('done');
    expect(run.targets[0]!.auto.correct!.n).toBe(100);
    const detail = await core.api.eval.run({ id: run.id });
    for (const { case: c, results } of detail.cases) {
      const [result] = results;
      expect(result!.status).toBe('done');
      const multiple = (c as ChoiceCase).answer.length > 1;
      if (multiple) expect(result!.choice!.via).not.toBe('likelihood');
      else expect(result!.choice).toMatchObject({ via: 'likelihood', correct: result!.choice!.chosen === (c as ChoiceCase).answer });
    }
  });

  it('a cancelled run keeps what it answered, resumes where it stopped, and scores no case twice', async () => {
    const set = await core.api.eval.makeSet({ kinds: ['drug-indication'], sample: 8, seed: 4 });
    const firstResult = nextEvent(core, 'eval.case');
    const started = await core.api.eval.start({ setId: set.id, targets: [{ kind: 'profile', profileId: 'base' }], parallel: false });
    const stopped = ended(core, started.id);
    await firstResult;
    await core.api.jobs.cancel({ id: started.jobId! });
    const interrupted = await stopped;
    expect(interrupted.state).toBe('interrupted');
    const kept = interrupted.targets[0]!.done + interrupted.targets[0]!.failed;
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(kept).toBeLessThan(8);
    const resumed = ended(core, started.id);
    await core.api.eval.resume({ id: started.id });
    const done = await resumed;
    expect(done.state).toBe('done');
    const detail = await core.api.eval.run({ id: started.id });
    expect(detail.cases.map((c) => c.results.length)).toEqual(Array(8).fill(1));
  });

  it('a model unloaded mid-run ends the profile’s part with a clear error, its answers kept; loaded again, resume finishes it', async () => {
    const set = await core.api.eval.makeSet({ kinds: ['disease-exam'], sample: 6, seed: 12 });
    const firstResult = nextEvent(core, 'eval.case');
    const started = await core.api.eval.start({ setId: set.id, targets: [{ kind: 'profile', profileId: 'base' }], parallel: false });
    const stopped = ended(core, started.id);
    await firstResult;
    await core.api.models.unload();
    const failed = await stopped;
    expect(failed.state).toBe('failed');
    expect(failed.error!.code).toBe('NO_MODEL');
    expect(failed.error!.message).toMatch(/^配置 base：/u);
    const kept = failed.targets[0]!.done + failed.targets[0]!.failed;
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(kept).toBeLessThan(6);
    await core.api.profiles.use({ id: 'base' });
    const resumed = ended(core, started.id);
    await core.api.eval.resume({ id: started.id });
    expect((await resumed).state).toBe('done');
    expect((await core.api.eval.run({ id: started.id })).cases.map((c) => c.results.length)).toEqual(Array(6).fill(1));
  });

  it('a profile that cannot answer ends only its part: the others are answered, the run is marked failed and resumable', async () => {
    const set = await core.api.eval.makeSet({ kinds: ['disease-symptom'], sample: 2, seed: 9 });
    const run = await runToEnd(core, set.id, [{ kind: 'profile', profileId: 'down' }, { kind: 'knowledge' }]);
    expect(run.state).toBe('failed');
    expect(run.error!.code).toBe('REMOTE_UNAVAILABLE');
    expect(run.error!.message).toMatch(/^远程 down：/u);
    expect(run.targets.map((t) => t.done)).toEqual([0, 2]);
  });

  it('a run interrupted by closing the app is listed as interrupted when the app opens again, and resumes', async () => {
    const { modelsDir: dir } = fixtureModels();
    const dataDir = tempDir('xinglin-data-');
    const first = await openTestCore({ modelsDir: dir, dataDir });
    await saveLocalProfile(first, 'base', []);
    await first.api.profiles.use({ id: 'base' });
    const set = await first.api.eval.makeSet({ kinds: ['disease-exam'], sample: 6, seed: 8 });
    const answered = nextEvent(first, 'eval.case');
    const started = await first.api.eval.start({ setId: set.id, targets: [{ kind: 'profile', profileId: 'base' }], parallel: false });
    await answered;
    await first.close();
    const again = await openTestCore({ modelsDir: dir, dataDir });
    try {
      const [listed] = await again.api.eval.runs();
      expect(listed).toMatchObject({ id: started.id, state: 'interrupted', jobId: null });
      await again.api.profiles.use({ id: 'base' });
      const resumed = ended(again, started.id);
      await again.api.eval.resume({ id: started.id });
      expect((await resumed).state).toBe('done');
      expect((await again.api.eval.run({ id: started.id })).cases.every((c) => c.results.length === 1)).toBe(true);
    } finally {
      await again.close();
    }
  });
});
