import { describe, expect, it } from 'vitest';
import { FrameBatcher } from './frame.js';

describe('frame batcher', () => {
  it('flushes once per frame however many requests arrive', () => {
    const frames: Array<() => void> = [];
    let flushes = 0;
    const batcher = new FrameBatcher(() => flushes++, (callback) => frames.push(callback));
    for (let i = 0; i < 500; i++) batcher.request();
    expect(frames).toHaveLength(1);
    frames.shift()!();
    expect(flushes).toBe(1);
    batcher.request();
    batcher.flushNow();
    expect(flushes).toBe(2);
  });
});
