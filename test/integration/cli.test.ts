import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appRoot } from '../../src-main/hosts/common/app-root.js';
import { fixtureModels, tempDir } from '../helpers/env.js';
import { rawRequest, type RawResponse } from '../helpers/web-client.js';

interface RunOptions {
  /** A command the CLI runs under, ending where the CLI's own argv goes (`sh -c '…; exec "$@"' sh`). */
  wrapper?: string[];
  /** Sees the output so far, e.g. to talk to `serve` and then stop it. */
  onStdout?: (stdout: string, child: ChildProcess) => void;
}

/** Runs the real `xinglin` command (from source, through tsx) as a user would. */
function xinglin(args: string[], env: Record<string, string> = {}, { wrapper = [], onStdout }: RunOptions = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const command = [...wrapper, process.execPath, '--import', 'tsx', path.join(appRoot(), 'src-main/hosts/cli/main.ts'), ...args];
    const child = spawn(command[0]!, command.slice(1), {
      cwd: appRoot(),
      env: { ...process.env, XINGLIN_THREADS: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      onStdout?.(stdout, child);
    });
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
    // The command line keeps paths: the model's folder serves as the models folder, its lora/ for
    // adapters (a model or adapter not found there would end the command with exit 1).
    const tryOut = await xinglin(['chat', '头痛', '--model', path.join(modelsDir, 'tiny-llama.gguf'), '--lora', path.join(modelsDir, 'lora', 'tiny-lora.gguf'), '--max-tokens', '4', '--json', '--data-dir', dataDir]);
    expect(tryOut.stderr).not.toMatch(/错误/);
    expect(tryOut.code).toBe(0);
    expect(JSON.parse(tryOut.stdout.trim().split('\n').at(-1)!).sessionId).toBeNull();
    const stray = await xinglin(['chat', '头痛', '--model', path.join(modelsDir, 'tiny-llama.gguf'), '--lora', path.join(dataDir, 'tiny-lora.gguf'), '--data-dir', dataDir]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain(`须放在模型所在文件夹的 lora/ 子文件夹中（${path.join(modelsDir, 'lora')}）`);
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
  it('extract answers each dialogue line with its findings and a bad line with its error; draft saves a record that records list, show and export find', async () => {
    const dir = tempDir();
    const dialogues = path.join(dir, 'dialogues.jsonl');
    fs.writeFileSync(dialogues, [JSON.stringify({ id: 'a', utterances: ['患者:胸痛三天', '医生:发烧吗？', '患者:不发烧'] }), '{not json', JSON.stringify({ id: 'b', utterances: 'x' })].join('\n'));
    const extracted = await xinglin(['extract', '--input', dialogues, '--json', '--data-dir', dir]);
    expect(extracted.code).toBe(1);
    const [a, bad, b] = extracted.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(a.id).toBe('a');
    expect(a.findings).toEqual(expect.arrayContaining([expect.objectContaining({ category: '症状', item: '胸痛', status: '阳性', speaker: '患者', duration: '三天', evidence: [0] }), expect.objectContaining({ item: '发热', status: '阴性', evidence: [1, 2] })]));
    expect(bad).toMatchObject({ line: 2, error: { code: 'INVALID_INPUT' } });
    expect(b).toMatchObject({ id: 'b', error: { message: expect.stringContaining('utterances') } });

    const dialogue = path.join(dir, 'dialogue.json');
    fs.writeFileSync(dialogue, JSON.stringify({ utterances: ['患者：青霉素过敏，咳嗽三天。', '医生：开阿莫西林胶囊，一次0.5克，一天三次。'] }));
    const drafted = await xinglin(['draft', '--input', dialogue, '--doctor', '张医生', '--json', '--data-dir', dir]);
    expect(drafted.code).toBe(0);
    const record = JSON.parse(drafted.stdout);
    expect(record).toMatchObject({ state: 'draft', kind: '初诊', unsupported: 0 });
    expect(record.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'allergy', entry: expect.objectContaining({ name: expect.stringContaining('阿莫西林') }) })]));

    const listed = await xinglin(['records', 'list', '--data-dir', dir]);
    expect(listed.stdout).toContain(record.id);
    const text = await xinglin(['records', 'export', record.id, '--format', 'text', '--data-dir', dir]);
    expect(text.stdout).toMatch(/门诊病历（初诊）[\s\S]*主诉：咳嗽3天[\s\S]*医师签名：（未签名草稿）/);
    const fhir = JSON.parse((await xinglin(['records', 'export', record.id, '--format', 'fhir', '--data-dir', dir])).stdout);
    expect(fhir).toMatchObject({ resourceType: 'Bundle', type: 'document' });
    const missing = await xinglin(['records', 'show', 'no-such-record', '--data-dir', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/错误 \[NOT_FOUND\]/);
  });
});

/** A user namespace can mount a tiny tmpfs without root: a real full or read-only disk. Not every system allows it. */
const canMount = process.platform === 'linux' && spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs tmpfs /mnt'], { stdio: 'ignore' }).status === 0;

/** Runs the CLI with `$MNT` a fresh tmpfs after `setup` (sh) has made it full or read-only. */
const onTmpfs = (mount: string, setup: string) => ({
  wrapper: ['unshare', '-rm', 'sh', '-c', `mount -t tmpfs -o size=64k tmpfs "$MNT" && mkdir "$MNT/existing" && ${setup} && exec "$@"`, 'sh'],
  env: { MNT: mount },
});

describe('the xinglin command in bad places: a Chinese message naming the place and the cause, exit code 2, no stack trace', () => {
  const expectRefusal = (run: { code: number | null; stdout: string; stderr: string }, message: RegExp) => {
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  };

  it('a data folder that is a file, or on /proc', async () => {
    const file = path.join(tempDir(), 'data');
    fs.writeFileSync(file, '');
    expectRefusal(await xinglin(['sessions', 'list', '--data-dir', file]), new RegExp(`^错误 \\[FOLDER_UNUSABLE\\]：数据文件夹不可用：${file}——${file} 是一个文件，不是文件夹`));
    if (process.platform === 'linux') expectRefusal(await xinglin(['sessions', 'list', '--data-dir', '/proc/foo']), /FOLDER_UNUSABLE\]：数据文件夹不可用：\/proc\/foo——这里不能创建文件/);
  });

  it.runIf(canMount)('a data folder on a full disk, and a models folder on a read-only one (a tmpfs in a user namespace)', async () => {
    const mount = tempDir();
    const full = onTmpfs(mount, '{ cat /dev/zero > "$MNT/fill" 2>/dev/null || true; }');
    const dataDir = path.join(mount, 'data');
    expectRefusal(await xinglin(['sessions', 'list', '--data-dir', dataDir, '--models-dir', tempDir()], full.env, full), new RegExp(`数据文件夹不可用：${dataDir}——磁盘已满`));
    const readOnly = onTmpfs(mount, 'mount -o remount,ro "$MNT"');
    const modelsDir = path.join(mount, 'existing');
    expectRefusal(await xinglin(['sessions', 'list', '--data-dir', tempDir(), '--models-dir', modelsDir], readOnly.env, readOnly), new RegExp(`模型文件夹不可用：${modelsDir}——所在的文件系统是只读的`));
  });

  it('serve on a port in use, or out of range, says so', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    const dataDir = path.join(tempDir(), 'data');
    try {
      expectRefusal(await xinglin(['serve', '--port', String(port), '--data-dir', dataDir, '--models-dir', tempDir()]), new RegExp(`^错误 \\[INVALID_INPUT\\]：端口 ${port} 已被其他程序占用`));
      expect(fs.existsSync(dataDir)).toBe(false); // refused before the core (and its seconds-long first start) opened
    } finally {
      taken.close();
    }
    expectRefusal(await xinglin(['serve', '--port', '70000', '--data-dir', tempDir()]), /--port 需要 0 到 65535 之间的端口号，收到“70000”/);
  });

  it('serve under umask 000 creates its folders 0700, answers a broken %-escape with a typed 400 and writes nothing to stderr', async () => {
    const root = tempDir();
    let replies: Promise<RawResponse[]> | undefined;
    const run = await xinglin(['serve', '--port', '0', '--data-dir', path.join(root, 'data'), '--models-dir', path.join(root, 'models')], {}, {
      wrapper: ['sh', '-c', 'umask 000 && exec "$@"', 'sh'],
      onStdout: (stdout, child) => {
        const url = /http:\/\/127\.0\.0\.1:(\d+)\/#token=(\S+)/.exec(stdout);
        if (!url || replies) return;
        const port = Number(url[1]);
        const headers = { Authorization: `Bearer ${url[2]}`, 'Content-Type': 'application/json' };
        replies = Promise.all([rawRequest(port, { method: 'POST', path: '/api/invoke/%E0%A4%A', headers, body: '{}' }), rawRequest(port, { path: '/%zz' })]).finally(() => child.kill('SIGTERM'));
      },
    });
    expect((await replies!).map((reply) => [reply.status, JSON.parse(reply.body).error.code])).toEqual([[400, 'INVALID_INPUT'], [400, 'INVALID_INPUT']]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const folder of ['data', 'data/logs', 'models', 'models/lora']) expect([folder, fs.statSync(path.join(root, folder)).mode & 0o777]).toEqual([folder, 0o700]);
  });
});
