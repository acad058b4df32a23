// The renderer's import aliases, for tools that read a resolver config (dependency-cruiser); vite.config.ts and tsconfig.renderer.json say the same.
const path = require('node:path');

module.exports = { resolve: { alias: { $contract: path.resolve(__dirname, '..', 'src-main', 'contract', 'index.ts') } } };
