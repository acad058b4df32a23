// @vitest-environment node
/**
 * A record's whole way through the real core: dialogue → findings → draft (from findings, and from the
 * generated model under the JSON-schema grammar) → checks → versions → signature → addendum → export,
 * on real SQLite files and the real model process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload, MedicalRecord } from '../../src-main/contract/index.js';
import type { Core } from '../../src-main/core/core.js';
import { fixtureModels, nextEvent, openTestCore } from '../helpers/env.js';

const consultation = [
  '患者：医生你好，我胸痛三天了，活动后加重。',
  '医生：有没有发热、咳嗽？',
  '患者：没有发热，也不咳嗽。',
  '医生：以前有高血压吗？对什么药过敏吗？',
  '患者：高血压十余年，一直吃氨氯地平。青霉素过敏。',
  '医生：先做个心电图，考虑冠心病，给你开阿莫西林。',
].join('\n');

let core: Core;

beforeAll(async () => {
  // The generated model's tokenizer spends about three tokens on a Chinese character: room for the draft prompt.
  const { modelsDir } = fixtureModels({ contextLength: 8192 });
  core = await openTestCore({ modelsDir, contextSize: 8192 });
});

afterAll(async () => {
  await core?.close();
});

async function failure(run: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await run;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected the call to fail');
}

describe('a record drafted from the findings', () => {
  let record: MedicalRecord;

  it('is saved at once as version 1, every draft sentence linked to its turns', async () => {
    const drafted = await core.api.records.draft({ dialogue: consultation, author: '张医生' });
    record = drafted.record;
    expect(drafted.jobId).toBeNull();
    expect(record).toMatchObject({ state: 'draft', version: 1, kind: '初诊', templateId: 'general' });
    expect(record.dialogue).toHaveLength(6);
    expect(record.provenance).toMatchObject({ mode: 'findings', appVersion: 'test' });
    expect(record.provenance.extractionVersion).not.toBe('');
    expect(record.findings.find((f) => f.item === '发热')).toMatchObject({ status: '阴性' });
    const sentences = record.sections.flatMap((s) => s.sentences);
    expect(sentences.length).toBeGreaterThan(0);
    for (const sentence of sentences) for (const turn of sentence.evidence) expect(turn).toBeLessThan(6);
    expect(record.unsupported).toBe(sentences.filter((s) => s.evidence.length === 0).length);
  });

  it('warns of the penicillin allergy against the planned amoxicillin, citing its entry', async () => {
    const withPlan = await core.api.records.save({
      id: record.id,
      baseVersion: 1,
      author: '张医生',
      sections: [{ key: 'allergyHistory', text: '青霉素过敏。' }, { key: 'plan', text: '阿莫西林胶囊 0.5g 口服 每日三次。' }],
    });
    expect(withPlan.version).toBe(2);
    const allergy = withPlan.warnings.find((w) => w.kind === 'allergy');
    expect(allergy?.entry?.name).toContain('阿莫西林');
    expect(allergy?.drugs.join()).toContain('阿莫西林');
    record = withPlan;
  });

  it('refuses a save on an old version, naming who saved; nothing is overwritten', async () => {
    const stale = await failure(core.api.records.save({ id: record.id, baseVersion: 1, author: '李医生', sections: [{ key: 'plan', text: '改成头孢。' }] }));
    expect(stale.code).toBe('RECORD_CONFLICT');
    expect(stale.message).toContain('张医生');
    const current = await core.api.records.get({ id: record.id });
    expect(current.version).toBe(2);
    expect(current.sections.find((s) => s.key === 'plan')!.sentences.map((s) => s.text).join('')).toContain('阿莫西林');
  });

  it('keeps the evidence of sentences the doctor left alone and marks the rewritten ones as the doctor’s', async () => {
    const v2 = await core.api.records.get({ id: record.id });
    const plan = v2.sections.find((s) => s.key === 'plan')!;
    expect(plan.sentences.every((s) => s.origin === 'doctor')).toBe(true);
    const untouched = v2.sections.find((s) => s.key === 'presentIllness')!;
    const v1 = (await core.api.records.versions({ id: record.id }))[0]!.sections.find((s) => s.key === 'presentIllness')!;
    expect(untouched.sentences).toEqual(v1.sentences);
  });

  it('signs, then refuses every change but an addendum; the diff from the draft is kept', async () => {
    const signed = await core.api.records.sign({ id: record.id, version: 2, signer: '张医生' });
    expect(signed).toMatchObject({ state: 'signed', signedBy: '张医生', version: 3 });
    const refused = await failure(core.api.records.save({ id: record.id, baseVersion: 3, author: '张医生', sections: [{ key: 'plan', text: '停药。' }] }));
    expect(refused.code).toBe('RECORD_SIGNED');
    const withAddendum = await core.api.records.addendum({ id: record.id, author: '张医生', text: '患者补充：头孢类亦曾过敏。' });
    expect(withAddendum.addenda).toMatchObject([{ author: '张医生', text: '患者补充：头孢类亦曾过敏。' }]);
    expect(withAddendum.sections).toEqual(signed.sections);

    const diff = await core.api.records.diff({ id: record.id });
    expect(diff).toMatchObject({ from: 1, to: 3 });
    const plan = diff.sections.find((s) => s.key === 'plan')!;
    expect(plan.parts.filter((p) => p.op === 'added').map((p) => p.text).join('')).toContain('0.5g');

    const actions = (await core.api.records.audit({ id: record.id })).map((a) => a.action);
    expect(actions).toEqual(['draft', 'edit', 'refused', 'sign', 'refused', 'addendum']);
  });

  it('exports text with the signature and addendum, and a FHIR document bundle, each export audited', async () => {
    const text = await core.api.records.export({ id: record.id, format: 'text', actor: '张医生' });
    expect(text.content).toContain('主诉');
    expect(text.content).toContain('张医生');
    expect(text.content).toContain('头孢类亦曾过敏');
    const fhir = JSON.parse((await core.api.records.export({ id: record.id, format: 'fhir' })).content) as { resourceType: string; type: string; entry: Array<{ resource: { resourceType: string; status?: string } }> };
    expect(fhir).toMatchObject({ resourceType: 'Bundle', type: 'document' });
    expect(fhir.entry[0]!.resource).toMatchObject({ resourceType: 'Composition', status: 'final' });
    const audit = await core.api.records.audit({ id: record.id });
    expect(audit.filter((a) => a.action === 'export').map((a) => a.details.format)).toEqual(['text', 'fhir']);
  });

  it('lists the record with its 主诉 as title', async () => {
    const list = await core.api.records.list();
    expect(list.find((r) => r.id === record.id)).toMatchObject({ state: 'signed', signedBy: '张医生' });
  });
});

describe('bad input', () => {
  it('refuses an empty dialogue and one without speaker prefixes, saving nothing', async () => {
    const before = (await core.api.records.list()).length;
    expect((await failure(core.api.records.draft({ dialogue: '   ', author: '张医生' }))).code).toBe('DIALOGUE_INVALID');
    const unprefixed = await failure(core.api.records.draft({ dialogue: '胸痛三天\n没有发热', author: '张医生' }));
    expect(unprefixed.code).toBe('DIALOGUE_INVALID');
    expect(unprefixed.message).toContain('患者');
    expect((await core.api.records.list()).length).toBe(before);
  });

  it('refuses a dialogue over the limit with the limit named', async () => {
    const huge = `患者：${'胸痛'.repeat(110_000)}`;
    const refused = await failure(core.api.records.draft({ dialogue: huge, author: '张医生' }));
    expect(refused.code).toBe('INVALID_INPUT');
    expect(refused.message).toContain('60000');
  });

  it('drafts a patient’s self-report (one speaker) and says the dialogue has one side only', async () => {
    const { record } = await core.api.records.draft({ dialogue: '患者：我胸闷气短两周了，晚上睡不好 😟，Holter 还没做。', author: '张医生' });
    expect(record.findings.length).toBeGreaterThan(0);
    expect(record.warnings.some((w) => w.kind === 'dialogue')).toBe(true);
  });

  it('refuses a model draft with no model loaded, before saving anything', async () => {
    const before = (await core.api.records.list()).length;
    expect((await failure(core.api.records.draft({ dialogue: consultation, author: '张医生', useModel: true }))).code).toBe('NO_MODEL');
    expect((await core.api.records.list()).length).toBe(before);
  });
});

describe('a record drafted by the model', () => {
  it('streams schema-valid sections as a job, then saves them as a new draft version with the model’s provenance', async () => {
    await core.api.models.load({ model: 'tiny-llama.gguf' });
    const sections: EventPayload<'records.section'>[] = [];
    const off = core.api.on('records.section', (payload) => sections.push(payload));
    const jobs: EventPayload<'job.progress'>[] = [];
    const offJobs = core.api.on('job.progress', (job) => job.kind === 'records.draft' && jobs.push(job));
    const done = nextEvent(core, 'records.drafted');
    const { record: first, jobId } = await core.api.records.draft({ dialogue: consultation, author: '张医生', useModel: true, sampling: { seed: 7 } });
    expect(first.state).toBe('drafting');
    expect(jobId).not.toBeNull();
    // The doctor cannot edit what the model is still writing.
    expect((await failure(core.api.records.save({ id: first.id, baseVersion: 1, author: '张医生', sections: [] }))).code).toBe('BUSY');
    const { record } = await done;
    off();
    offJobs();
    expect(record.draftError).toBeNull();
    expect(record).toMatchObject({ id: first.id, state: 'draft', version: 2 });
    expect(record.provenance).toMatchObject({ mode: 'llm', model: { file: 'tiny-llama.gguf' } });
    expect(record.sections.map((s) => s.key)).toEqual(first.sections.map((s) => s.key));
    // Every section arrived as its own event, in the template's order.
    expect(sections.map((s) => s.section.key)).toEqual(first.sections.map((s) => s.key));
    expect(jobs.at(-1)).toMatchObject({ id: jobId, state: 'done', progress: 1 });
    const versions = await core.api.records.versions({ id: record.id });
    expect(versions.map((v) => v.action)).toEqual(['draft', 'draft']);
  });

  it('a cancelled model draft keeps the findings draft, with the reason', async () => {
    const started = nextEvent(core, 'job.progress', (job) => job.kind === 'records.draft' && job.phase === 'sections');
    const done = nextEvent(core, 'records.drafted');
    const { record: first, jobId } = await core.api.records.draft({ dialogue: consultation, author: '张医生', useModel: true });
    await started;
    await core.api.jobs.cancel({ id: jobId! });
    const { record } = await done;
    expect(record).toMatchObject({ state: 'draft', version: 1 });
    expect(record.draftError?.code).toBe('CANCELLED');
    expect(record.sections).toEqual(first.sections);
  });
});
