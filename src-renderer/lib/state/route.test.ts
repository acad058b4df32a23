import { describe, expect, it } from 'vitest';
import { formatRoute, normalizeHash, parseRoute } from './route.js';

describe('routes', () => {
  it('reads and writes a pane and the rest of its address', () => {
    expect(parseRoute('#/chat/abc-1')).toEqual({ pane: 'chat', path: 'abc-1' });
    expect(parseRoute('#/chat')).toEqual({ pane: 'chat', path: '' });
    expect(parseRoute('#/chat/')).toEqual({ pane: 'chat', path: '' });
    expect(parseRoute('#/knowledge/entry/drug%3Afeb')).toEqual({ pane: 'knowledge', path: 'entry/drug%3Afeb' });
    expect(formatRoute({ pane: 'knowledge', path: 'entry/drug%3Afeb' })).toBe('#/knowledge/entry/drug%3Afeb');
    expect(formatRoute({ pane: 'chat', path: '' })).toBe('#/chat');
  });

  it('is not fooled by the token fragment or anything else', () => {
    for (const hash of ['', '#', '#token=abc', '#x=1', '#chat', '#//x']) expect(parseRoute(hash), hash).toBeNull();
    expect(normalizeHash('#token=abc')).toBe('');
    expect(normalizeHash('#/chat/')).toBe('#/chat');
  });
});
