import MarkdownIt from 'markdown-it';

type Renderer = MarkdownIt['renderer'];
type RenderRule = NonNullable<Renderer['rules']['image']>;
type CoreRule = Parameters<MarkdownIt['core']['ruler']['push']>[1];
type StateCore = Parameters<CoreRule>[0];
type Token = StateCore['tokens'][number];

/**
 * Text to mark in an answer: `flag` for names the knowledge base did not support, `uncited` for
 * statements that cite no source. Each occurrence becomes `<span class="md-<kind>" title="…">…</span>`
 * (inline code containing one is marked whole; code blocks are left as they are).
 */
export interface Mark {
  kind: 'flag' | 'uncited';
  texts: readonly string[];
  /** The tooltip of a marked text. */
  title: string;
}

export interface MarkdownOptions {
  /** Applied in order: a later mark splits what an earlier one left unmarked too (names inside an uncited sentence). */
  marks?: readonly Mark[];
  /** Single newlines become line breaks (answers composed line by line from the knowledge base). */
  breaks?: boolean;
}

interface MarkEnv {
  marks?: Array<{ pattern: RegExp; className: string; title: string }>;
}

/**
 * The one Markdown renderer of the app. Raw HTML is escaped, nothing is linkified, images never
 * load (their alt text is shown instead), and links become inert text that keeps the address in
 * a tooltip: an answer can never make the app fetch or navigate to anything.
 */
function createRenderer(breaks: boolean): MarkdownIt {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks });
  const escape = md.utils.escapeHtml;

  const image: RenderRule = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    const alt = token ? self.renderInlineAsText(token.children ?? [], options, env) : '';
    return alt ? `<span class="md-image">[${escape(alt)}]</span>` : '';
  };
  md.renderer.rules.image = image;

  const linkOpen: RenderRule = (tokens, idx) => {
    const href = tokens[idx]?.attrGet('href') ?? '';
    return `<span class="md-link" title="${escape(href)}">`;
  };
  const linkClose: RenderRule = () => '</span>';
  md.renderer.rules.link_open = linkOpen;
  md.renderer.rules.link_close = linkClose;

  // Marked text: the parsed token stream is rewritten (text tokens split around each marked text), so
  // the markup comes from markdown-it's own renderer with every attribute and text escaped.
  md.core.ruler.push('mark_texts', (state) => {
    const marks = (state.env as MarkEnv | undefined)?.marks ?? [];
    for (const { pattern, className, title } of marks) {
      for (const block of state.tokens) {
        if (block.type !== 'inline' || !block.children) continue;
        block.children = block.children.flatMap((token) => {
          if (token.type === 'text') return splitMarks(state, token, pattern, className, title);
          // Inline code cannot be split: a marked text inside marks the whole span.
          if (token.type === 'code_inline' && token.content.search(pattern) !== -1) return [markOpen(state, className, title), token, new state.Token('mark_close', 'span', -1)];
          return [token];
        });
      }
    }
  });

  return md;
}

function markOpen(state: StateCore, className: string, title: string): Token {
  const open = new state.Token('mark_open', 'span', 1);
  open.attrSet('class', className);
  open.attrSet('title', title);
  return open;
}

function splitMarks(state: StateCore, token: Token, pattern: RegExp, className: string, title: string): Token[] {
  const text = token.content;
  const out: Token[] = [];
  let last = 0;
  const push = (content: string) => {
    if (!content) return;
    const piece = new state.Token('text', '', 0);
    piece.content = content;
    out.push(piece);
  };
  for (const match of text.matchAll(pattern)) {
    const start = match.index;
    push(text.slice(last, start));
    out.push(markOpen(state, className, title));
    push(match[0]);
    out.push(new state.Token('mark_close', 'span', -1));
    last = start + match[0].length;
  }
  if (out.length === 0) return [token];
  push(text.slice(last));
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One alternation of the texts, longest first, so "阿司匹林肠溶片" wins over "阿司匹林". */
export function markPattern(names: readonly string[]): RegExp | undefined {
  const unique = [...new Set(names.map((n) => n.trim()).filter(Boolean))].sort((a, b) => b.length - a.length);
  return unique.length ? new RegExp(unique.map(escapeRegExp).join('|'), 'g') : undefined;
}

const renderers = new Map<boolean, MarkdownIt>();

export function renderMarkdown(source: string, options: MarkdownOptions = {}): string {
  const breaks = options.breaks ?? false;
  let renderer = renderers.get(breaks);
  if (!renderer) {
    renderer = createRenderer(breaks);
    renderers.set(breaks, renderer);
  }
  const marks = (options.marks ?? []).flatMap(({ kind, texts, title }) => {
    const pattern = markPattern(texts);
    return pattern ? [{ pattern, className: `md-${kind}`, title }] : [];
  });
  return renderer.render(source, marks.length ? { marks } : {});
}
