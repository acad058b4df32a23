import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defaultClientConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import { rendererAlias } from './vite.config.js';

/**
 * Two projects. `main`: test/ (core, hosts, CLI, e2e) in plain Node. `renderer`: the tests beside
 * the renderer's code (src-renderer/**\/*.test.ts), through the Svelte plugin so `*.svelte.ts`
 * state classes compile as they do in the app: client code (runes reactive, `$effect.root` and
 * `flushSync` real) with `svelte` resolved to its browser build.
 */
export default defineConfig({
  // `$contract` for both projects (a test in test/ may import a renderer module that uses it).
  resolve: { alias: rendererAlias },
  test: {
    // node-llama-cpp and better-sqlite3-multiple-ciphers are native addons: separate processes, not worker threads.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'main', include: ['test/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        plugins: [svelte({ configFile: false, compilerOptions: { runes: true }, dynamicCompileOptions: () => ({ generate: 'client' }) })],
        // Vitest runs the tests in Vite's server environment; the renderer is browser code.
        ssr: { resolve: { conditions: [...defaultClientConditions], externalConditions: ['browser'] } },
        test: { name: 'renderer', include: ['src-renderer/**/*.test.ts'], environment: 'node' },
      },
    ],
  },
});
