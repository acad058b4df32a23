import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appRoot } from '../../src-main/hosts/common/app-root.js';
import { fixtureModels, tempDir } from '../helpers/env.js';

/** Runs the real `xinglin` command (from source, through tsx) as a user would. */
function xinglin(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(appRoot(), 'src-main/hosts/cli/main.ts'), ...args], {
      cwd: appRoot(),
      env: { ...process.env, XINGLIN_THREADS: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the xinglin command', () => {
  const { modelsDir } = fixtureModels();
  const dataDir = tempDir();
  const dirs = ['--data-dir', dataDir, '--models-dir', modelsDir];

  it('chat --json answers with the model and adapters and records provenance', async () => {
    const run = await xinglin(['chat', '痛风急性发作怎么处理？', '--model', 'tiny-llama.gguf', '--lora', 'tiny-lora.gguf:0.5', '--lora', 'tiny-lora-b.gguf', '--temperature', '0', '--max-tokens', '12', '--keep', '--json', ...dirs]);
    expect(run.stderr).not.toMatch(/错误/);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(result.status).toBe('complete');
    expect(result.answer.length).toBeGreaterThan(0);
    expect(result.provenance.model.file).toBe('tiny-llama.gguf');
    expect(result.provenance.adapters.map((a: { file: string; scale: number }) => [a.file, a.scale])).toEqual([['tiny-lora.gguf', 0.5], ['tiny-lora-b.gguf', 1]]);
  });

  it('sessions list shows the kept conversation, marked as the command line’s, from the folder named by XINGLIN_DATA_DIR too; a try-out without --keep leaves nothing', async () => {
    const tryOut = await xinglin(['chat', '头痛', '--model', 'tiny-llama.gguf', '--max-tokens', '4', '--json', ...dirs]);
    expect(tryOut.code).toBe(0);
    expect(JSON.parse(tryOut.stdout.trim().split('\n').at(-1)!).sessionId).toBeNull();
    const run = await xinglin(['sessions', 'list', '--json'], { XINGLIN_DATA_DIR: dataDir });
    expect(run.code).toBe(0);
    const list = JSON.parse(run.stdout);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ title: '[命令行] 痛风急性发作怎么处理？', messageCount: 2 });
  });

  it('a mismatching adapter is refused in Chinese with a non-zero exit, and the history is kept', async () => {
    const run = await xinglin(['chat', '头晕', '--model', 'tiny-llama.gguf', '--lora', 'mismatch-lora.gguf', ...dirs]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ADAPTER_MISMATCH.*mismatch-lora\.gguf.*不匹配/);
    const list = JSON.parse((await xinglin(['sessions', 'list', '--json', ...dirs])).stdout);
    expect(list).toHaveLength(1);
  });

  it('bad flags are a usage error (exit 2) that says what is wrong', async () => {
    const run = await xinglin(['chat', '问题', '--max-tokens', 'many', ...dirs]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--max-tokens 需要一个非负整数/);
  });

  it('kb import --help documents the formats; a hospital source is imported, inspected, kept from an unconfirmed removal, and removed', async () => {
    const help = await xinglin(['kb', 'import', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/jsonl[\s\S]*csv[\s\S]*--mapping[\s\S]*label[\s\S]*docs\/knowledge-import\.md/);

    const kbDir = tempDir();
    const file = path.join(kbDir, 'ours.jsonl');
    fs.writeFileSync(file, `${JSON.stringify({ type: 'drug', name: '氟拉替尼片', indications: ['急性髓系白血病'] })}\n`);
    const imported = await xinglin(['kb', 'import', file, '--source', '本院药品', '--data-dir', kbDir]);
    expect(imported.code).toBe(0);
    const shown = await xinglin(['kb', 'source', '本院药品', '--data-dir', kbDir]);
    expect(shown.stdout).toMatch(/本院药品（医院知识库，jsonl[\s\S]*药品\s+氟拉替尼片/);

    const unconfirmed = await xinglin(['kb', 'remove', '本院药品', '--data-dir', kbDir]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/确认请加 --yes/);
    const removed = await xinglin(['kb', 'remove', '本院药品', '--yes', '--data-dir', kbDir]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/已删除来源“本院药品”；1 条/);
    const rollback = await xinglin(['kb', 'rollback', '本院药品', '--data-dir', kbDir]);
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toMatch(/错误 \[NOT_FOUND\]：知识库中没有来源“本院药品”/);
  });
});
