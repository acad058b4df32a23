import { describe, expect, it } from 'vitest';
import { markPattern, renderMarkdown } from './markdown.js';

describe('markdown', () => {
  it('escapes raw HTML', () => {
    const html = renderMarkdown('<script>alert(1)</script> <img src=x onerror=alert(1)>');
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('&lt;script&gt;');
  });

  it('never renders images: alt text only', () => {
    const html = renderMarkdown('![胸片](http://example.com/x.png)');
    expect(html).not.toMatch(/<img|example\.com/);
    expect(html).toContain('[胸片]');
  });

  it('renders links as inert text and does not linkify', () => {
    const html = renderMarkdown('[指南](https://example.com/a) 与 https://example.org 与 <https://example.net>');
    expect(html).not.toMatch(/<a\b|href=/);
    expect(html).toContain('<span class="md-link" title="https://example.com/a">指南</span>');
    expect(html).toContain('https://example.org');
    expect(renderMarkdown('[x](javascript:alert(1))')).not.toMatch(/<a\b|href=/);
  });

  it('renders the usual answer structure', () => {
    const html = renderMarkdown('## 处理\n\n1. 休息\n2. **补液**\n\n| 药物 | 剂量 |\n| --- | --- |\n| 布洛芬 | 0.2 g |');
    expect(html).toContain('<h2>处理</h2>');
    expect(html).toContain('<strong>补液</strong>');
    expect(html).toContain('<table>');
  });
});

describe('markdown unsupported-name flags', () => {
  it('marks every occurrence, the longest name first', () => {
    const html = renderMarkdown('可用阿司匹林肠溶片，或**阿司匹林**。', { marks: [{ kind: 'flag', texts: ['阿司匹林', '阿司匹林肠溶片'], title: '请核实' }] });
    expect(html).toContain('<span class="md-flag" title="请核实">阿司匹林肠溶片</span>');
    expect(html).toContain('<strong><span class="md-flag" title="请核实">阿司匹林</span></strong>');
    expect(html.match(/md-flag/g)).toHaveLength(2);
  });

  it('escapes names and titles and never lets a name become markup', () => {
    const html = renderMarkdown('药名 <b>x</b> 与 a"b', { marks: [{ kind: 'flag', texts: ['<b>x</b>', 'a"b'], title: '"><script>' }] });
    expect(html).not.toMatch(/<b>|<script/);
    expect(html).toContain('<span class="md-flag" title="&quot;&gt;&lt;script&gt;">&lt;b&gt;x&lt;/b&gt;</span>');
    expect(html).toContain('a&quot;b</span>');
  });

  it('marks inline code whole, leaves code blocks, and renders as before without flags', () => {
    const source = '用 `别嘌醇 100 mg` 时\n\n```\n别嘌醇\n```';
    const html = renderMarkdown(source, { marks: [{ kind: 'flag', texts: ['别嘌醇'], title: 't' }] });
    expect(html).toContain('<span class="md-flag" title="t"><code>别嘌醇 100 mg</code></span>');
    expect(html).toContain('<pre><code>别嘌醇\n</code></pre>');
    expect(renderMarkdown(source, { marks: [] })).toBe(renderMarkdown(source));
    expect(markPattern(['', '  '])).toBeUndefined();
  });

  it('breaks lines for answers composed line by line', () => {
    expect(renderMarkdown('甲 [1]\n乙 [2]', { breaks: true })).toContain('<br>');
    expect(renderMarkdown('甲 [1]\n乙 [2]')).not.toContain('<br>');
  });
});
