// `npm run test:busy`: the whole suite (`npm test`) with a CPU hog pinning every core beside it,
// as CI machines and doctors' workstations are when other work runs. The suite must pass this way:
// tests use one llama thread and no assertion depends on speed.
import { fork, spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === '--hog') {
  // A child: spin until the parent kills it; two hours at most, should the parent itself die.
  const end = Date.now() + 2 * 60 * 60 * 1000;
  while (Date.now() < end);
  process.exit(0);
}

const hogs = Array.from({ length: os.availableParallelism() }, () => fork(fileURLToPath(import.meta.url), ['--hog'], { stdio: 'ignore' }));
console.log(`▶ ${hogs.length} busy loops beside the suite`);
try {
  const result = spawnSync('node', [fileURLToPath(new URL('./run.mjs', import.meta.url))], { stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
} finally {
  for (const hog of hogs) hog.kill();
}
