import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding Xinglin's package.json, whether running from source (tsx) or from dist/. */
export function appRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'xinglin') return dir;
    if (path.dirname(dir) === dir) throw new Error(`package.json of xinglin not found above ${from}`);
  }
}

export function appVersion(root: string = appRoot()): string {
  return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
}

export function rendererDir(root: string = appRoot()): string {
  return path.join(root, 'dist', 'renderer');
}

/**
 * The starter knowledge base the app ships: beside the bundles in dist/main (where the build copies
 * it), or in the source tree when running from source (tsx).
 */
export function starterDir(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  const bundled = path.join(from, 'starter');
  return fs.existsSync(bundled) ? bundled : path.join(appRoot(from), 'src-main', 'core', 'knowledge', 'starter');
}

/**
 * The model process's entry: the bundle beside this one in dist/main, or the TypeScript source
 * (run through tsx) when running from source.
 */
export function runtimeEntry(from: string = path.dirname(fileURLToPath(import.meta.url))): { entry: string; execArgv: string[] } {
  const bundled = path.join(from, 'runtime-main.js');
  if (fs.existsSync(bundled)) return { entry: bundled, execArgv: [] };
  return { entry: path.join(appRoot(from), 'src-main', 'core', 'llm', 'process', 'runtime-main.ts'), execArgv: ['--import', 'tsx'] };
}
