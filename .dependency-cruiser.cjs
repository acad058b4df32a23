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
      name: 'hosts-reach-core-through-its-door',
      comment: 'A host holds the core through core.ts (createCore, the Core type) and config.ts only; the slices are the core\'s business.',
      severity: 'error',
      from: { path: '^src-main/hosts' },
      to: { path: '^src-main/core/', pathNot: '^src-main/core/(core|config)\\.ts$' },
    },
    {
      name: 'slices-meet-at-their-index',
      comment: 'A slice of the core reaches another only through that slice\'s index.ts.',
      severity: 'error',
      from: { path: '^src-main/core/(chat|knowledge|llm|records|eval)/' },
      to: { path: '^src-main/core/(chat|knowledge|llm|records|eval)/', pathNot: ['^src-main/core/$1/', '^src-main/core/[^/]+/index\\.ts$'] },
    },
    {
      name: 'db-imports-no-slice',
      comment: 'The SQLite kit serves every slice and knows none of them.',
      severity: 'error',
      from: { path: '^src-main/core/db/' },
      to: { path: '^src-main/core/(chat|knowledge|llm|records|eval)/|^src-main/core/core\\.ts$' },
    },
    {
      name: 'renderer-imports-contract-by-alias',
      comment: 'The renderer names the contract as $contract, never by a path into src-main.',
      severity: 'error',
      from: { path: '^src-renderer' },
      to: { path: '^src-main/contract', dependencyTypesNot: ['aliased-webpack'] },
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
    // The renderer's $contract alias, in the resolver shape dependency-cruiser reads (as vite.config.ts defines it).
    webpackConfig: { fileName: 'build/renderer-aliases.cjs' },
    exclude: { path: '\\.test\\.ts$' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.svelte', '.mjs', '.cjs'] },
  },
};
