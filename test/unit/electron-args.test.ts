import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDirs } from '../../src-main/core/config.js';
import { parseDirFlags } from '../../src-main/hosts/electron/args.js';

describe('parseDirFlags', () => {
  it('reads --data-dir and --models-dir in both spellings among Chromium switches', () => {
    expect(parseDirFlags(['/app', '--enable-logging', '--data-dir', '/d', '--models-dir=/m', '--inspect=0'])).toEqual({ dataDir: '/d', modelsDir: '/m' });
  });

  it('ignores a flag without a value', () => {
    expect(parseDirFlags(['--data-dir'])).toEqual({});
    expect(parseDirFlags(['--data-dir', '--models-dir', '/m'])).toEqual({ modelsDir: '/m' });
    expect(parseDirFlags(['--data-dir='])).toEqual({});
  });

  it('feeds resolveDirs like every other host: flags over XINGLIN_* over the default', () => {
    const env = { XINGLIN_DATA_DIR: '/env/data', XINGLIN_MODELS_DIR: '/env/models' };
    expect(resolveDirs(parseDirFlags(['--data-dir', '/flag/data']), env)).toEqual({ dataDir: path.resolve('/flag/data'), modelsDir: path.resolve('/env/models') });
    expect(resolveDirs(parseDirFlags([]), { XINGLIN_DATA_DIR: '/env/data' })).toEqual({ dataDir: path.resolve('/env/data'), modelsDir: path.resolve('/env/data/models') });
  });
});
