import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importEntries } from '../helpers/import-entries.js';
import { openWebCore, type WebCore } from '../helpers/web-client.js';
import { htmlPayloads, payloadDrug } from './html-payloads.js';

/**
 * HTML and script in messages, titles and knowledge entries, over the real web host: the API saves
 * and returns each as the exact text sent — never stripped, decoded or escaped into something else —
 * and search still finds it. (That the UI shows it as text, never as markup, is html-in-ui.test.ts.)
 */
describe('corpus: HTML and script in messages and knowledge entries', () => {
  let web: WebCore;

  beforeAll(async () => {
    web = await openWebCore();
    const report = await importEntries(web.core, htmlPayloads.map(payloadDrug), '脚本测试来源');
    expect(report).toMatchObject({ committed: true, added: htmlPayloads.length, errors: [] });
  });
  afterAll(() => web?.close());

  const value = <T>(res: { status: number; reply: unknown }): T => {
    expect(res.status).toBe(200);
    return (res.reply as { value: T }).value;
  };

  it.each(htmlPayloads)('a question and a title %s: saved and returned as the exact text', async (payload) => {
    const session = value<{ id: string; title: string }>(await web.invoke('sessions.create', { title: payload }));
    expect(session.title).toBe(payload);
    const sent = value<{ userMessage: { id: string; text: string } }>(await web.invoke('chat.send', { sessionId: session.id, text: `${payload}怎么处理` }));
    expect(sent.userMessage.text).toBe(`${payload}怎么处理`);
    await expect.poll(async () => value<unknown[]>(await web.invoke('sessions.messages', { id: session.id })).length).toBe(2);
    const [question] = value<Array<{ text: string }>>(await web.invoke('sessions.messages', { id: session.id }));
    expect(question!.text).toBe(`${payload}怎么处理`);
    const hits = value<Array<{ messageId: string }>>(await web.invoke('sessions.search', { query: '怎么处理' }));
    expect(hits.map((h) => h.messageId)).toContain(sent.userMessage.id);
  });

  it.each(htmlPayloads.map((payload, i) => ({ payload, i })))('a knowledge entry carrying $payload: returned as the exact text', async ({ payload, i }) => {
    const expected = payloadDrug(payload, i);
    const hits = value<Array<{ id: string; name: string }>>(await web.invoke('kb.search', { query: `脚本药${i}` }));
    const hit = hits.find((h) => h.name === expected.name);
    expect(hit).toBeDefined();
    const entry = value<{ name: string; names: Array<{ name: string }>; facts: Array<{ field: string; value: unknown }> }>(await web.invoke('kb.entry', { id: hit!.id }));
    expect(entry.name).toBe(expected.name);
    expect(entry.names.map((n) => n.name)).toContain(expected.aliases[0]);
    const fact = (field: string) => entry.facts.find((f) => f.field === field)?.value;
    expect(fact('class')).toBe(payload);
    expect(fact('indications')).toEqual(expected.indications);
    expect(fact('cautions')).toEqual(expected.cautions);
  });
});
