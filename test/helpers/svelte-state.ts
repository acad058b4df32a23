/**
 * The renderer's state classes (`*.svelte.ts`, Svelte runes) in plain Node. The shared vitest
 * config has no Svelte plugin, so the renderer tests compile them here: esbuild strips the types,
 * svelte/compiler turns the runes into the client runtime, and relative imports are rewritten
 * to absolute paths (pure .ts modules load through vitest as usual). Also a fake Api for them.
 */
import { transform } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileModule } from 'svelte/compiler';

const stateDir = fileURLToPath(new URL('../../src-renderer/lib/state/', import.meta.url));
const svelteRoot = path.dirname(fileURLToPath(new URL('../../node_modules/svelte/package.json', import.meta.url)));
const svelteExports: Record<string, { default?: string }> = JSON.parse(fs.readFileSync(path.join(svelteRoot, 'package.json'), 'utf8')).exports;

export interface CompiledState {
  /** The folder holding the compiled modules. */
  outDir: string;
  /** Imports one compiled module by its source name without `.ts` (`'kb.svelte'`). */
  load(name: string): Promise<any>;
  /** Removes the compiled modules. */
  cleanup(): void;
}

/** Compiles every `src-renderer/lib/state/*.svelte.ts` into a fresh temporary folder. */
export async function compileStateModules(prefix: string): Promise<CompiledState> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const name of fs.readdirSync(stateDir).filter((f) => f.endsWith('.svelte.ts'))) {
    const source = fs.readFileSync(path.join(stateDir, name), 'utf8');
    const { code: js } = await transform(source, { loader: 'ts', format: 'esm', target: 'es2023' });
    const { js: compiled } = compileModule(js, { generate: 'client', dev: false, filename: name });
    const rewritten = compiled.code.replace(/from\s+(['"])([^'"]+)\1/g, (whole, quote: string, spec: string) => {
      const runtime = svelteExports[`./${spec.slice('svelte/'.length)}`]?.default;
      if (spec.startsWith('svelte/') && runtime) return `from ${quote}${path.join(svelteRoot, runtime)}${quote}`;
      if (!spec.startsWith('.')) return whole;
      if (spec.endsWith('.svelte.js')) return `from ${quote}${path.join(outDir, spec)}${quote}`;
      return `from ${quote}${path.resolve(stateDir, spec.replace(/\.js$/, '.ts'))}${quote}`;
    });
    fs.writeFileSync(path.join(outDir, name.replace(/\.ts$/, '.js')), rewritten);
  }
  return {
    outDir,
    load: (name) => import(path.join(outDir, `${name}.js`)),
    cleanup: () => fs.rmSync(outDir, { recursive: true, force: true }),
  };
}

type Listener = (payload: unknown) => void;

/** A fake Api: the named methods return scripted results, and a hand-driven event bus. */
export function fakeApi(methods: readonly string[], handlers: Record<string, (input: any) => unknown>) {
  const listeners = new Map<string, Set<Listener>>();
  const calls: Array<[string, unknown]> = [];
  const api: any = {
    on(event: string, listener: Listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener);
      return () => listeners.get(event)!.delete(listener);
    },
  };
  for (const name of methods) {
    const [ns, member] = name.split('.') as [string, string];
    api[ns] ??= {};
    api[ns][member] = async (input: unknown = {}) => {
      calls.push([name, input]);
      const handler = handlers[name];
      if (!handler) throw new Error(`unexpected call ${name}`);
      return handler(input);
    };
  }
  const emit = (event: string, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload));
  return { api, emit, calls, count: (name: string) => calls.filter(([n]) => n === name).length };
}

export const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
