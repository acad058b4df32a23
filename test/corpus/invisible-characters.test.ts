import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWebCore, type WebCore } from '../helpers/web-client.js';

/**
 * Zero-width, bidi-control and other invisible characters in questions and titles, over the real
 * web host: each is saved and returned as the exact text sent (a doctor's text is never silently
 * rewritten), history search still finds the message by a word in it, and nothing crashes.
 * One line per case: the text, and a word of it that search must find.
 */
const texts: Array<{ name: string; text: string; search: string }> = [
  { name: 'a zero-width space inside a word', text: '痛风\u200B急性发作怎么处理', search: '急性发作' },
  { name: 'zero-width joiner and non-joiner', text: '头痛\u200D\u200C三天伴恶心', search: '恶心' },
  { name: 'a right-to-left override', text: '患者\u202E诉胸痛\u202C两天', search: '两天' },
  { name: 'bidi isolates and marks', text: '\u2066高血压\u2069病史\u200F\u200E十年\u061C', search: '病史' },
  { name: 'a byte-order mark inside the text', text: '糖尿\uFEFF病复诊', search: '复诊' },
  { name: 'line and paragraph separators', text: '咳嗽\u2028发热\u2029三日', search: '发热' },
  { name: 'a NUL and other C0 controls', text: '腹泻\u0000\u0007\u001B[31m两次', search: '腹泻' },
  { name: 'interlinear annotation and object replacement', text: '\uFFF9皮疹\uFFFA瘙痒\uFFFB\uFFFC', search: '瘙痒' },
  { name: 'combining marks stacked on a character', text: `眩${'\u0301\u0308\u0323'.repeat(40)}晕伴耳鸣`, search: '耳鸣' },
  { name: 'an emoji ZWJ sequence and variation selectors', text: '👩🏻‍⚕️医生问：胃痛\uFE0F几天了？', search: '胃痛' },
  { name: 'characters outside the BMP', text: '𠀀𪚥病例：乏力', search: '乏力' },
  { name: 'a soft hyphen and a word joiner', text: 'aspi\u00ADrin\u2060过敏史', search: '过敏史' },
  { name: 'tag characters (invisible ASCII)', text: '头晕\u{E0049}\u{E0047}\u{E004E}复查', search: '头晕' },
];

describe('corpus: invisible and bidi-control characters', () => {
  let web: WebCore;

  beforeAll(async () => {
    web = await openWebCore();
  });
  afterAll(() => web?.close());

  const value = <T>(res: { status: number; reply: unknown }): T => {
    expect(res.status).toBe(200);
    return (res.reply as { value: T }).value;
  };

  it.each(texts)('$name: saved and returned exactly, and found by search', async ({ text, search }) => {
    const session = value<{ id: string; title: string }>(await web.invoke('sessions.create', { title: text }));
    expect(session.title).toBe(text);
    const sent = value<{ userMessage: { id: string; text: string } }>(await web.invoke('chat.send', { sessionId: session.id, text }));
    expect(sent.userMessage.text).toBe(text);

    const listed = value<Array<{ id: string; title: string }>>(await web.invoke('sessions.list', {}));
    expect(listed.find((s) => s.id === session.id)?.title).toBe(text);
    await expect.poll(async () => value<Array<{ role: string }>>(await web.invoke('sessions.messages', { id: session.id })).length).toBe(2);
    const messages = value<Array<{ id: string; text: string }>>(await web.invoke('sessions.messages', { id: session.id }));
    expect(messages[0]).toMatchObject({ id: sent.userMessage.id, text });

    const hits = value<Array<{ messageId: string }>>(await web.invoke('sessions.search', { query: search }));
    expect(hits.map((h) => h.messageId)).toContain(sent.userMessage.id);
  });

  it.each(texts)('$name in a knowledge question naming a drug: answered about that drug or offered as a choice, never another', async ({ text }) => {
    const question = `非布司他${text}的禁忌是什么`;
    const result = value<{ entities: Array<{ name: string }>; choices: Array<{ name: string }> }>(await web.invoke('kb.ask', { question }));
    expect([...result.entities, ...result.choices].map((e) => e.name)).toContain('非布司他');
  });
});
