/**
 * `--data-dir` / `--models-dir` from the Electron command line (`--flag value` or `--flag=value`).
 * Chromium's own switches share argv, so anything else is ignored rather than refused.
 */
export function parseDirFlags(argv: readonly string[]): { dataDir?: string; modelsDir?: string } {
  const flags: { dataDir?: string; modelsDir?: string } = {};
  const names = { '--data-dir': 'dataDir', '--models-dir': 'modelsDir' } as const;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (!Object.hasOwn(names, name)) continue;
    let value = arg.slice(eq + 1);
    if (eq === -1) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) continue;
      value = next;
      i++;
    }
    if (value) flags[names[name as keyof typeof names]] = value;
  }
  return flags;
}
