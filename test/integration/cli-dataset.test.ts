/**
 * `xinglin dataset build` as a user runs it (from source, through tsx): the files it writes, what
 * it prints, and the flags it refuses.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appRoot } from '../../src-main/hosts/common/app-root.js';
import { tempDir } from '../helpers/env.js';

const dirs = ['--data-dir', tempDir('xinglin-data-'), '--models-dir', tempDir('xinglin-models-')];

function xinglin(args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(appRoot(), 'src-main/hosts/cli/main.ts'), ...args, ...dirs], { cwd: appRoot(), env: { ...process.env, XINGLIN_THREADS: '1' }, maxBuffer: 64 * 1024 ** 2 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

const lineCount = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length;

describe('xinglin dataset build', () => {
  it('--json writes the training file to --out and the test file beside it, with a hospital’s pairs de-identified', async () => {
    const folder = tempDir('xinglin-dataset-out-');
    const qa = path.join(folder, 'qa.jsonl');
    fs.writeFileSync(qa, `${JSON.stringify({ question: '患者孙七（13712345678）问：阿莫西林一次0.25g可以吗？', answer: '遵医嘱。' })}\n`);
    const names = path.join(folder, 'names.txt');
    fs.writeFileSync(names, '孙七\n');
    const out = path.join(folder, 'data.jsonl');
    const run = await xinglin(['dataset', 'build', '--out', out, '--format', 'sharegpt', '--split', '0.8', '--seed', '3', '--qa', qa, '--names', names, '--json']);
    expect(run.stderr).not.toMatch(/错误/);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    const testFile = path.join(folder, 'data.test.jsonl');
    expect(summary).toMatchObject({ train: { path: out }, test: { path: testFile }, redactions: 2 });
    expect(lineCount(out)).toBe(summary.train.count);
    expect(lineCount(testFile)).toBe(summary.test.count);
    expect(summary.test.count).toBeGreaterThan(0);
    expect(summary.counts).toMatchObject({ qa: 1 });
    expect(summary.counts['kb:drug:indications']).toBeGreaterThan(0);
    const all = `${fs.readFileSync(out, 'utf8')}${fs.readFileSync(testFile, 'utf8')}`;
    expect(all).toContain('患者【姓名】（【电话】）问：阿莫西林一次0.25g可以吗？');
    expect(all).not.toMatch(/孙七|13712345678/u);
    expect(JSON.parse(all.split('\n')[0]!)).toHaveProperty('conversations');
    expect(fs.readdirSync(folder).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('prints the counts per template in Chinese; with --split 1 everything is for training and no test file is written', async () => {
    const folder = tempDir('xinglin-dataset-out-');
    const out = path.join(folder, 'all.jsonl');
    const run = await xinglin(['dataset', 'build', '--out', out, '--split', '1']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/训练集：\d+ 条，已写入 .*all\.jsonl/u);
    expect(run.stdout).toContain('测试集：0 条（全部用于训练），未写出测试集文件');
    expect(run.stdout).toMatch(/药品·适应症（kb:drug:indications）\s+\d+/u);
    expect(run.stdout).toMatch(/疾病·就诊科室（kb:disease:departments）\s+\d+/u);
    expect(run.stdout).toMatch(/去除重复：\d+ 条/u);
    expect(fs.readdirSync(folder)).toEqual(['all.jsonl']);
    expect(Object.keys(JSON.parse(fs.readFileSync(out, 'utf8').split('\n')[0]!))).toEqual(['instruction', 'input', 'output']);
  });

  it('bad flags are a usage error (exit 2) in Chinese, and nothing is written', async () => {
    const folder = tempDir('xinglin-dataset-out-');
    const out = path.join(folder, 'x.jsonl');
    const cases: Array<[string[], RegExp]> = [
      [['dataset', 'build'], /缺少 --out.*用法：xinglin dataset build/su],
      [['dataset', 'build', '--out', out, '--format', 'csv'], /--format 只能是 alpaca 或 sharegpt，收到“csv”/u],
      [['dataset', 'build', '--out', out, '--split', '0.3'], /--split 是训练集所占的比例，应在 0\.5 到 1 之间/u],
      [['dataset', 'build', '--out', out, '--seed', 'abc'], /--seed 需要一个非负整数，收到“abc”/u],
      [['dataset', 'build', '--out', out, '--bogus'], /命令行参数有误/u],
      [['dataset', 'make'], /未知的子命令：dataset make/u],
    ];
    const runs = await Promise.all(cases.map(([args]) => xinglin(args)));
    runs.forEach((run, i) => {
      expect(run.code, cases[i]![0].join(' ')).toBe(2);
      expect(run.stderr).toMatch(cases[i]![1]);
    });
    expect(fs.readdirSync(folder)).toEqual([]);
  });

  it('a malformed pair file ends with a non-zero exit naming the lines, and writes nothing', async () => {
    const folder = tempDir('xinglin-dataset-out-');
    const qa = path.join(folder, 'qa.jsonl');
    fs.writeFileSync(qa, '{"question":"问","answer":"答"}\n{oops\n');
    const run = await xinglin(['dataset', 'build', '--out', path.join(folder, 'x.jsonl'), '--qa', qa]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/IMPORT_INVALID.*qa\.jsonl.*第 2 行不是有效的 JSON/u);
    expect(fs.readdirSync(folder)).toEqual(['qa.jsonl']);
  });
});
