import { describe, expect, it } from 'vitest';
import type { SearchHit, Session } from '$contract';
import { SessionsState } from './sessions.svelte.js';
import { allMethods, fake, fakeApi } from './test-api.js';

const session = (id: string, updatedAt = 1): Session => ({ id, title: `会话 ${id}`, kind: 'chat', profileId: null, createdAt: 1, updatedAt, messageCount: 0 });

describe('SessionsState', () => {
  it('keeps the list by recency and picks a neighbour after deleting the open session', async () => {
    const { api } = fake({
      'sessions.list': () => [session('a', 1), session('b', 3), session('c', 2)],
      'sessions.delete': () => ({ ok: true }),
      'sessions.rename': ({ id, title }) => ({ ...session(id, 9), title }),
    });
    const sessions = new SessionsState(api);
    await sessions.refresh();
    expect(sessions.list.map((s) => s.id)).toEqual(['b', 'c', 'a']);
    sessions.select('c');
    expect(sessions.current!.id).toBe('c');
    expect(await sessions.rename('c', '  痛风随访 ')).toBe(true);
    expect(sessions.current!.title).toBe('痛风随访');
    sessions.select('b');
    expect(await sessions.remove('b')).toEqual({ ok: true, next: 'c' });
    expect(sessions.list.map((s) => s.id)).toEqual(['c', 'a']);
  });

  it('opens nothing (the empty draft) after deleting the last session', async () => {
    const { api } = fake({ 'sessions.list': () => [session('a')], 'sessions.delete': () => ({ ok: true }) });
    const sessions = new SessionsState(api);
    await sessions.refresh();
    sessions.select('a');
    expect(await sessions.remove('a')).toEqual({ ok: true, next: null });
    expect(sessions.list).toEqual([]);
  });

  it('tells a comparison from a chat, and keeps the profile the host set', async () => {
    const { api } = fakeApi([...allMethods, 'sessions.setProfile'], {
      'sessions.list': () => [session('a', 1), { ...session('c', 2), kind: 'compare' }],
      'sessions.setProfile': ({ id, profileId }) => ({ ...session(id, 5), profileId }),
    });
    const sessions = new SessionsState(api);
    await sessions.refresh();
    expect([sessions.kindOf('a'), sessions.kindOf('c'), sessions.kindOf('new')]).toEqual(['chat', 'compare', null]);
    expect(await sessions.setProfile('a', 'qizhen-cama')).toBe(true);
    expect(sessions.list[0]).toMatchObject({ id: 'a', profileId: 'qizhen-cama' });
  });

  it('drops results of an older search', async () => {
    const resolvers: Array<(hits: SearchHit[]) => void> = [];
    const { api } = fake({ 'sessions.search': () => new Promise<SearchHit[]>((resolve) => resolvers.push(resolve)) });
    const sessions = new SessionsState(api);
    const first = sessions.search('痛');
    const second = sessions.search('痛风');
    const hit = (id: string): SearchHit => ({ sessionId: 's', sessionTitle: 't', messageId: id, role: 'user', snippet: id, createdAt: 1 });
    resolvers[1]!([hit('new')]);
    await second;
    resolvers[0]!([hit('old')]);
    await first;
    expect(sessions.results.map((h) => h.messageId)).toEqual(['new']);
    expect(sessions.resultsFor).toBe('痛风');
    expect(sessions.searching).toBe(false);
  });
});
