// `npm test`: every check CI runs, in order, with one summary line at the end.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const steps = [
  ['type check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['svelte-check', 'npx', ['svelte-check', '--tsconfig', './tsconfig.renderer.json', '--fail-on-warnings']],
  ['lint (layering)', 'npx', ['depcruise', 'src-main', 'src-renderer', '--config', '.dependency-cruiser.cjs']],
  ['build', 'node', ['build/build.mjs']],
];

const failed = [];
for (const [name, command, args] of steps) {
  console.log(`\n▶ ${name}`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) failed.push(name);
}

// Unit, integration and end-to-end tests, with a machine-readable report for the summary line.
const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-test-')), 'vitest.json');
console.log('\n▶ unit, integration and end-to-end tests');
const vitest = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], { stdio: 'inherit' });
if (vitest.status !== 0) failed.push('tests');

let counts = { passed: 0, failed: 0, skipped: 0 };
if (fs.existsSync(report)) {
  const r = JSON.parse(fs.readFileSync(report, 'utf8'));
  counts = { passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests };
}
if (failed.length) console.log(`\nFailed steps: ${failed.join(', ')}`);
console.log(`\ntests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(failed.length ? 1 : 0);
