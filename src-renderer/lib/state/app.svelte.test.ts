import { describe, expect, it } from 'vitest';
import type { KbEntry, KbStats, Session } from '$contract';
import { panes } from '../panes/registry.js';
import { AppState } from './app.svelte.js';
import { dialogFiles, fake, tick } from './test-api.js';

const session = (id: string, updatedAt = 1): Session => ({ id, title: `会话 ${id}`, kind: 'chat', profileId: null, createdAt: 1, updatedAt, messageCount: 1 });
const entry = (id: string, name: string): KbEntry => ({ id, type: 'drug', name, names: [{ name, kind: 'name', source: 's' }], facts: [], links: {} });
const stats = (): KbStats => ({ entries: 2, byType: { drug: 1, disease: 1 }, sources: [] });

function setup(list: Session[] = [session('s1', 2), session('s2', 1)], extra: Record<string, (input: any) => unknown> = {}) {
  const api = fake({
    'sessions.list': () => list,
    'sessions.messages': () => [],
    'sessions.delete': () => ({ ok: true }),
    'models.status': () => ({ state: 'none', model: null, adapters: [], gpu: 'cpu', threads: 4, lastTokensPerSecond: null, error: null }),
    'models.list': () => ({ modelsDir: '/m', models: [], adapters: [] }),
    'app.info': () => ({ name: 'xinglin', version: '0', host: 'web', dataDir: '/d', modelsDir: '/m', platform: 'linux' }),
    'kb.stats': () => stats(),
    'kb.entry': ({ id }) => entry(id, '非布司他'),
    ...extra,
  });
  return { ...api, app: new AppState(api.api, panes, dialogFiles()) };
}

describe('AppState with the knowledge pane', () => {
  it('opens a cited entry in the knowledge view and returns to chat on a session', async () => {
    const { app, count } = setup();
    expect(app.view).toBe('chat');
    await app.openEntry('drug:feb');
    expect(app.view).toBe('knowledge');
    expect(app.kb.panel).toBe('entry');
    expect(app.kb.entry!.id).toBe('drug:feb');
    await tick();
    expect(count('kb.stats')).toBe(1);
    app.showView('knowledge');
    await tick();
    expect(count('kb.stats')).toBe(1);
    await app.openSession('s1');
    expect(app.view).toBe('chat');
  });
});

describe('AppState with the record pane', () => {
  it('opens the record an address names, and the empty input at #/record', async () => {
    const summary = { id: 'r1', kind: '初诊', department: '全科', title: '胸痛3天', state: 'draft', version: 1, createdAt: 1, updatedAt: 1, signedAt: null, signedBy: null };
    const { app, count } = setup(undefined, {
      'records.list': () => [summary],
      'records.templates': () => [],
      'records.get': ({ id }) => ({ ...summary, id, sessionId: null, templateId: 'general', dialogue: [], findings: [], sections: [], provenance: { mode: 'findings', appVersion: 't', adapters: [], knowledgeVersion: 'k', extractionVersion: 'e', template: 'general' }, addenda: [], warnings: [], unsupported: 0, draftError: null }),
    });
    await app.start('#/record/r1');
    expect([app.view, app.records.record?.id, app.route]).toEqual(['record', 'r1', '#/record/r1']);
    expect(app.records.list.map((r) => r.id)).toEqual(['r1']);
    expect(await app.navigate('#/record')).toBe(true);
    expect([app.records.record, app.route]).toEqual([null, '#/record']);
    expect(count('records.list')).toBe(1);
  });
});

describe('AppState sessions', () => {
  it('starts on the most recent session', async () => {
    const { app } = setup();
    await app.start();
    expect(app.started).toBe(true);
    expect(app.chat.sessionId).toBe('s1');
    expect(app.route).toBe('#/chat/s1');
  });

  it('starts on the empty draft when there is no session, creating none', async () => {
    const { app, count } = setup([]);
    await app.start();
    expect(app.chat.sessionId).toBeNull();
    expect(app.route).toBe('#/chat');
    expect(count('sessions.create')).toBe(0);
  });

  it('opens the empty draft for a new session, and nothing new on the draft', async () => {
    const { app, count } = setup();
    await app.start();
    app.showView('knowledge');
    app.newSession();
    expect(app.view).toBe('chat');
    expect(app.chat.sessionId).toBeNull();
    expect(app.sessions.currentId).toBeNull();
    expect(app.sessions.list.map((s) => s.id)).toEqual(['s1', 's2']);
    const calls = count('sessions.messages');
    app.newSession();
    await tick();
    expect(app.chat.sessionId).toBeNull();
    expect(count('sessions.messages')).toBe(calls);
    expect(count('sessions.create')).toBe(0);
  });

  it('opens the next session after deleting the open one, and the draft after the last', async () => {
    const { app } = setup([session('s1')]);
    await app.start();
    expect(app.chat.sessionId).toBe('s1');
    await app.deleteSession('s1');
    expect(app.chat.sessionId).toBeNull();
    expect(app.takeReplaceRoute()).toBe(true);
    expect(app.takeReplaceRoute()).toBe(false);
  });

  it('gives way to the locked page when the host refuses the token', async () => {
    const { app } = setup([], { 'sessions.list': () => Promise.reject({ code: 'UNAUTHORIZED', message: '缺少或错误的访问令牌' }) });
    await app.start();
    expect(app.locked).toBe('rejected');
    expect(app.started).toBe(false);
  });
});

describe('AppState addresses', () => {
  it('starts where the address points (a reload), the chat still on its most recent session', async () => {
    const { app } = setup();
    await app.start('#/knowledge/entry/drug%3Afeb');
    expect(app.view).toBe('knowledge');
    expect(app.kb.entry!.id).toBe('drug:feb');
    expect(app.chat.sessionId).toBe('s1');
    expect(app.route).toBe('#/knowledge/entry/drug%3Afeb');
  });

  it('starts on the named session, or the draft when it is gone', async () => {
    const named = setup();
    await named.app.start('#/chat/s2');
    expect(named.app.chat.sessionId).toBe('s2');
    const gone = setup();
    await gone.app.start('#/chat/deleted');
    expect(gone.app.chat.sessionId).toBeNull();
    expect(gone.app.route).toBe('#/chat');
  });

  it('navigates between panes, sessions and knowledge panels', async () => {
    const { app } = setup();
    await app.start();
    expect(await app.navigate('#/knowledge/import')).toBe(true);
    expect([app.view, app.kb.panel, app.route]).toEqual(['knowledge', 'import', '#/knowledge/import']);
    expect(await app.navigate('#/chat/s2')).toBe(true);
    expect([app.view, app.chat.sessionId, app.route]).toEqual(['chat', 's2', '#/chat/s2']);
    expect(await app.navigate('#/billing/r1')).toBe(false);
    expect(await app.navigate('#token=abc')).toBe(false);
    expect(app.route).toBe('#/chat/s2');
  });

  it('has no address while an entry is on its way', async () => {
    let release: (value: KbEntry) => void = () => {};
    const { app } = setup(undefined, { 'kb.entry': () => new Promise<KbEntry>((resolve) => (release = resolve)) });
    await app.start();
    const opening = app.openEntry('drug:feb');
    expect(app.route).toBeUndefined();
    release(entry('drug:feb', '非布司他'));
    await opening;
    expect(app.route).toBe('#/knowledge/entry/drug%3Afeb');
  });
});

describe('AppState start', () => {
  it('keeps the pane the doctor chose while the lists were still loading', async () => {
    const { app } = setup();
    const starting = app.start('');
    app.showView('knowledge');
    await starting;
    expect(app.view).toBe('knowledge');
    expect(app.chat.sessionId).toBe('s1');
  });
});
