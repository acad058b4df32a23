import { describe, expect, it, vi } from 'vitest';
import { hashWithoutToken, takeToken, TOKEN_STORAGE_KEY, tokenFromHash } from './token.js';

describe('access token', () => {
  it('reads the token from the fragment and leaves other parameters', () => {
    expect(tokenFromHash('#token=abc')).toBe('abc');
    expect(tokenFromHash('#x=1&token=a%2Bb')).toBe('a+b');
    expect(tokenFromHash('')).toBeNull();
    expect(tokenFromHash('#token=')).toBeNull();
    expect(hashWithoutToken('#token=abc')).toBe('');
    expect(hashWithoutToken('#x=1&token=abc')).toBe('#x=1');
  });

  it('stores the token, removes it from the URL, and finds it again after a reload', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    const replaceState = vi.fn();
    const first = takeToken({ location: { hash: '#token=t0k', pathname: '/', search: '' }, history: { state: null, replaceState }, storage });
    expect(first).toBe('t0k');
    expect(store.get(TOKEN_STORAGE_KEY)).toBe('t0k');
    expect(replaceState).toHaveBeenCalledWith(null, '', '/');
    const reloaded = takeToken({ location: { hash: '', pathname: '/', search: '' }, history: { state: null, replaceState }, storage });
    expect(reloaded).toBe('t0k');
    expect(replaceState).toHaveBeenCalledTimes(1);
  });
});
