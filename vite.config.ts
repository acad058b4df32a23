import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const rendererRoot = fileURLToPath(new URL('./src-renderer', import.meta.url));

/**
 * `$contract`: the one way the renderer imports the API contract (types, schemas, constants).
 * Also in tsconfig.renderer.json (`paths`) and in the renderer's test project (vitest.config.ts).
 */
export const rendererAlias = {
  $contract: fileURLToPath(new URL('./src-main/contract/index.ts', import.meta.url)),
};

/**
 * Fontsource lists a `woff` after each `woff2`; Chromium (Electron and the supported browsers)
 * always takes the woff2, so the woff copies would only add megabytes to dist/renderer.
 */
function woff2Only(): Plugin {
  return {
    name: 'xinglin:woff2-only',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]@fontsource[\\/].*\.css$/.test(id)) return null;
      return { code: code.replace(/,\s*url\([^)]*\.woff\) format\('woff'\)/g, ''), map: null };
    },
  };
}

/**
 * The renderer build. `base: './'` keeps every asset URL relative so the page works from the
 * Electron custom protocol and from the web host alike; nothing is fetched from outside the app
 * and no inline script or style is emitted, so a CSP of `default-src 'self'` holds.
 */

export default defineConfig({
  root: rendererRoot,
  base: './',
  publicDir: false,
  resolve: { alias: rendererAlias },
  plugins: [
    woff2Only(),
    svelte({
      configFile: false,
      emitCss: true,
      compilerOptions: { css: 'external', runes: true },
    }),
  ],
  server: { port: 5173, strictPort: true, host: '127.0.0.1' },
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
