import { expect } from 'vitest';
import { XinglinError } from '../../src-main/contract/index.js';

/** Runs `fn`, which must throw a XinglinError of `code` with a Chinese message; returns the error. */
export function expectError(fn: () => unknown, code: string): XinglinError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(XinglinError);
    expect((error as XinglinError).code).toBe(code);
    expect((error as XinglinError).message).toMatch(/\p{Script=Han}/u);
    return error as XinglinError;
  }
  throw new Error(`expected ${code}`);
}

/** Resolves to the XinglinError a promise (or a throwing function) ends with; fails the test if it succeeds. */
export async function failure(run: Promise<unknown> | (() => unknown)): Promise<XinglinError> {
  try {
    await (typeof run === 'function' ? run() : run);
  } catch (error) {
    expect(error).toBeInstanceOf(XinglinError);
    return error as XinglinError;
  }
  throw new Error('expected a XinglinError, got success');
}
