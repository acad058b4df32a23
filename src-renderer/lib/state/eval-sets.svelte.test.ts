import { describe, expect, it } from 'vitest';
import type { ChosenFile, EvalSetSummary } from '$contract';
import type { FilePicker } from '../api/files.js';
import { EvalSetsState } from './eval-sets.svelte.js';
import { dialogFiles, evalSetOf, fake } from './test-api.js';

const chosen: ChosenFile = { file: 'h'.repeat(32), name: 'cmexam.csv', sizeBytes: 100 };
const invalid = { code: 'IMPORT_INVALID', message: '评测集 bad.jsonl 无法导入，未保存任何内容：第 2 行：缺少 gold（标准答案）；第 5 行：不是有效的 JSON', details: { file: 'bad.jsonl', problems: 2 } };

describe('EvalSetsState', () => {
  it('checks the form before making a set, sends it as numbers, and lists the new set first', async () => {
    const made = evalSetOf('s2', { name: '知识库三标准评测', caseCount: 6 });
    const { api, calls } = fake({ 'eval.sets': () => [evalSetOf('s1')], 'eval.makeSet': () => made });
    const sets = new EvalSetsState(api, dialogFiles());
    await sets.refresh();
    expect(sets.canMake).toBe(false); // no form open
    sets.openForm();
    expect(sets.form!.kinds).toHaveLength(5);
    sets.toggleKind('drug-indication', false);
    sets.toggleKind('disease-symptom', false);
    sets.toggleKind('disease-exam', false);
    sets.toggleKind('drug-contraindication', false);
    sets.toggleKind('drug-indication', true);
    expect(sets.form!.kinds).toEqual(['drug-indication', 'disease-drug']); // the contract's order
    sets.form!.sample = '0';
    sets.form!.seed = 'x';
    expect(sets.problems).toEqual({ sample: { kind: 'range', min: 1, max: 5000 }, seed: { kind: 'number' } });
    expect(await sets.make()).toBeNull();
    expect(calls).toEqual([['eval.sets', {}]]);
    sets.form!.sample = ' 3 ';
    sets.form!.seed = '7';
    sets.form!.name = '  ';
    expect(await sets.make()).toEqual(made);
    expect(calls.at(-1)).toEqual(['eval.makeSet', { kinds: ['drug-indication', 'disease-drug'], sample: 3, seed: 7 }]);
    expect(sets.sets.map((s) => s.id)).toEqual(['s2', 's1']);
    expect(sets.added).toBe('s2');
    expect(sets.form).toBeNull();
  });

  it('keeps the host’s refusal of a made set in the form', async () => {
    const { api } = fake({ 'eval.makeSet': () => Promise.reject({ code: 'INVALID_INPUT', message: '知识库中没有可出题的条目（题型：disease-exam）' }) });
    const sets = new EvalSetsState(api, dialogFiles());
    sets.openForm();
    sets.form!.kinds = ['disease-exam'];
    expect(await sets.make()).toBeNull();
    expect(sets.makeError).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('disease-exam') });
    expect(sets.form).not.toBeNull();
    expect(sets.making).toBe(false);
  });

  it('imports the file chosen in Electron’s dialog with the format decided by the host; a cancel imports nothing', async () => {
    const answers: Array<ChosenFile | null> = [null, chosen];
    const files: FilePicker = { kind: 'dialog', choose: async (purpose) => (expect(purpose).toBe('eval.import'), answers.shift()!), chooseMany: async () => [], dropModelFiles: async () => [] };
    const imported = evalSetOf('s9', { name: 'cmexam', format: 'choice', origin: 'imported' });
    const { api, calls } = fake({ 'eval.importSet': () => imported });
    const sets = new EvalSetsState(api, files);
    expect(await sets.chooseAndImport()).toBeNull();
    expect(calls).toEqual([]);
    expect(await sets.chooseAndImport()).toEqual(imported);
    expect(calls).toEqual([['eval.importSet', { file: chosen.file, format: 'auto' }]]);
    expect(sets.sets[0]).toEqual(imported);
    expect(sets.importing).toBe(false);
  });

  it('shows a refused import with its bad lines, and saves nothing', async () => {
    const { api } = fake({ 'eval.importSet': () => Promise.reject(invalid) });
    const sets = new EvalSetsState(api, dialogFiles(chosen));
    expect(await sets.chooseAndImport()).toBeNull();
    expect(sets.importError).toEqual(invalid);
    expect(sets.sets).toEqual([]);
    sets.dismissImportError();
    expect(sets.importError).toBeNull();
  });

  it('in a browser sends the picked file first, following its upload, then imports its handle', async () => {
    const seen: Array<{ sent: number; total: number } | null> = [];
    const files: FilePicker = {
      kind: 'upload',
      upload: async (file, { onProgress }) => {
        onProgress(file.size / 2, file.size);
        seen.push(sets.upload && { sent: sets.upload.sent, total: sets.upload.total });
        return { ...chosen, name: file.name, sizeBytes: file.size };
      },
    };
    const { api, calls } = fake({ 'eval.importSet': () => evalSetOf('s3') });
    const sets = new EvalSetsState(api, files);
    expect(await sets.chooseAndImport()).toBeNull(); // Electron's way: not this window's
    const file = new File(['{"id":"a"}\n'], 'cases.jsonl');
    expect(await sets.importPicked(file)).toMatchObject({ id: 's3' });
    expect(seen).toEqual([{ sent: file.size / 2, total: file.size }]);
    expect(sets.upload).toBeNull();
    expect(calls).toEqual([['eval.importSet', { file: chosen.file, format: 'auto' }]]);
  });

  it('a cancelled upload is no error', async () => {
    const files: FilePicker = { kind: 'upload', upload: (_file, { signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject({ code: 'CANCELLED', message: '已取消上传' }))) };
    const { api, count } = fake({});
    const sets = new EvalSetsState(api, files);
    const running = sets.importPicked(new File(['x'], 'cases.jsonl'));
    expect(sets.importing).toBe(true);
    sets.cancelUpload();
    expect(await running).toBeNull();
    expect(sets.importError).toBeNull();
    expect(count('eval.importSet')).toBe(0);
  });

  it('exports a set as its JSONL file', async () => {
    const file = { fileName: '评测集.jsonl', content: '{"id":"c1"}\n' };
    const { api, calls } = fake({ 'eval.exportSet': () => file });
    const sets = new EvalSetsState(api, dialogFiles());
    expect(await sets.exportSet('s1')).toEqual(file);
    expect(calls).toEqual([['eval.exportSet', { id: 's1' }]]);
    expect(sets.exporting).toBeNull();
  });

  it('deletes a set only after confirmation, and says why when runs still use it', async () => {
    let inUse = true;
    const { api, count } = fake({
      'eval.sets': () => [evalSetOf('s1'), evalSetOf('s2')],
      'eval.deleteSet': () => (inUse ? Promise.reject({ code: 'EVAL_SET_IN_USE', message: '评测集仍有 1 次评测在使用，请先删除这些评测' }) : { ok: true }),
    });
    const sets = new EvalSetsState(api, dialogFiles());
    await sets.refresh();
    sets.askDelete('s1');
    expect(sets.deleting?.id).toBe('s1');
    sets.cancelDelete();
    expect(count('eval.deleteSet')).toBe(0);
    sets.askDelete('s1');
    expect(await sets.confirmDelete()).toBe(false);
    expect(sets.error).toMatchObject({ code: 'EVAL_SET_IN_USE' });
    expect(sets.sets.map((s: EvalSetSummary) => s.id)).toEqual(['s1', 's2']);
    inUse = false;
    sets.askDelete('s1');
    expect(await sets.confirmDelete()).toBe(true);
    expect(sets.error).toBeNull();
    expect(sets.sets.map((s) => s.id)).toEqual(['s2']);
  });
});
