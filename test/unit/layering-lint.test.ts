/**
 * The layering lint is only worth its rules if it fails: each probe below is a deliberate
 * violation, written into the tree for the duration of one depcruise run and then removed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appRoot } from '../../src-main/hosts/common/app-root.js';

const root = appRoot();
const written: string[] = [];

function probe(file: string, source: string): string {
  const full = path.join(root, file);
  fs.writeFileSync(full, source);
  written.push(full);
  return file;
}

/** The rule names depcruise reports for these files (with the project's config). */
function violations(...files: string[]): string[] {
  const run = spawnSync(process.execPath, [path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs'), ...files, '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], { cwd: root, encoding: 'utf8' });
  const result = JSON.parse(run.stdout) as { summary: { violations: Array<{ rule: { name: string }; from: string }> } };
  return [...new Set(result.summary.violations.filter((v) => files.includes(v.from)).map((v) => v.rule.name))].sort();
}

afterEach(() => {
  for (const file of written.splice(0)) fs.rmSync(file, { force: true });
});

describe('layering lint', () => {
  it('fails a host reaching into a slice instead of core.ts', () => {
    const file = probe('src-main/hosts/cli/lint-probe-host.ts', "export { ChatStore } from '../../core/chat/chat-store.js';\n");
    expect(violations(file)).toEqual(['hosts-reach-core-through-its-door']);
  });

  it("fails a slice reaching past another slice's index.ts", () => {
    const file = probe('src-main/core/chat/lint-probe-slice.ts', "export { KbStore } from '../knowledge/kb-store.js';\n");
    expect(violations(file)).toEqual(['slices-meet-at-their-index']);
  });

  it('fails db/ importing a slice', () => {
    const file = probe('src-main/core/db/lint-probe-db.ts', "export type { ChatStore } from '../chat/index.js';\n");
    expect(violations(file)).toEqual(['db-imports-no-slice']);
  });

  it('fails the renderer naming the contract by path instead of $contract, or reaching the core', () => {
    const byPath = probe('src-renderer/lib/lint-probe-path.ts', "export type { Session } from '../../src-main/contract/index.js';\n");
    const core = probe('src-renderer/lib/lint-probe-core.ts', "export type { Core } from '../../src-main/core/core.js';\n");
    expect(violations(byPath)).toEqual(['renderer-imports-contract-by-alias']);
    expect(violations(core)).toEqual(['renderer-sees-contract-only']);
  });

  it('fails a circular import', () => {
    const a = probe('src-main/core/lint-probe-a.ts', "import { b } from './lint-probe-b.js';\nexport const a = () => b;\n");
    const b = probe('src-main/core/lint-probe-b.ts', "import { a } from './lint-probe-a.js';\nexport const b = () => a;\n");
    expect(violations(a, b)).toEqual(['no-circular']);
  });
});
