/**
 * The one-way layering of DESIGN.md: contract ← core ← hosts; the renderer sees the contract only.
 * `npm run lint` fails on any import that crosses a line the wrong way.
 */
module.exports = {
  forbidden: [
    {
      name: 'contract-is-pure',
      comment: 'The contract is pure TypeScript: no Node, no Electron, no core, no hosts.',
      severity: 'error',
      from: { path: '^src-main/contract' },
      to: { pathNot: '^src-main/contract|node_modules/zod' },
    },
    {
      name: 'core-never-reaches-up',
      comment: 'Core services are plain Node: they never import a host, the renderer or Electron.',
      severity: 'error',
      from: { path: '^src-main/core' },
      to: { path: '^src-main/hosts|^src-renderer|^electron$|node_modules/electron/' },
    },
    {
      name: 'only-the-electron-host-imports-electron',
      severity: 'error',
      from: { path: '^src-main', pathNot: '^src-main/hosts/electron' },
      to: { path: '^electron$|node_modules/electron/' },
    },
    {
      name: 'hosts-stay-apart',
      comment: 'The web host and CLI must run where Electron does not exist.',
      severity: 'error',
      from: { path: '^src-main/hosts/(web|cli|common)' },
      to: { path: '^src-main/hosts/electron' },
    },
    {
      name: 'renderer-sees-contract-only',
      comment: 'The renderer talks to the main process through the contract, never its code.',
      severity: 'error',
      from: { path: '^src-renderer' },
      to: { path: '^src-main', pathNot: '^src-main/contract' },
    },
    {
      name: 'renderer-has-no-node',
      severity: 'error',
      from: { path: '^src-renderer' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.test\\.ts$' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.svelte', '.mjs', '.cjs'] },
  },
};
