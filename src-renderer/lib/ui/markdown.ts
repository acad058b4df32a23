import MarkdownIt from 'markdown-it';

type Renderer = MarkdownIt['renderer'];
type RenderRule = NonNullable<Renderer['rules']['image']>;
type CoreRule = Parameters<MarkdownIt['core']['ruler']['push']>[1];
type StateCore = Parameters<CoreRule>[0];
type Token = StateCore['tokens'][number];

export interface MarkdownOptions {
  /**
   * Names to mark in the answer's text (drug or disease names the knowledge base did not support):
   * each occurrence becomes `<span class="md-flag" title="…">name</span>` (inline code containing one is
   * marked whole; code blocks are left as they are).
   */
  flags?: readonly string[];
  /** The tooltip of a marked name. */
  flagTitle?: string;
  /** Single newlines become line breaks (answers composed line by line from the knowledge base). */
  breaks?: boolean;
}

interface FlagEnv {
  flags?: RegExp;
  flagTitle?: string;
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

  // Flagged names: the parsed token stream is rewritten (text tokens split around each name), so the
  // markup comes from markdown-it's own renderer with every attribute and text escaped.
  md.core.ruler.push('flag_names', (state) => {
    const env = state.env as FlagEnv | undefined;
    const pattern = env?.flags;
    if (!pattern) return;
    for (const block of state.tokens) {
      if (block.type !== 'inline' || !block.children) continue;
      block.children = block.children.flatMap((token) => {
        if (token.type === 'text') return splitFlags(state, token, pattern, env.flagTitle ?? '');
        // Inline code cannot be split: a flagged name inside marks the whole span.
        if (token.type === 'code_inline' && token.content.search(pattern) !== -1) return [flagOpen(state, env.flagTitle ?? ''), token, new state.Token('flag_close', 'span', -1)];
        return [token];
      });
    }
  });

  return md;
}

function flagOpen(state: StateCore, title: string): Token {
  const open = new state.Token('flag_open', 'span', 1);
  open.attrSet('class', 'md-flag');
  open.attrSet('title', title);
  return open;
}

function splitFlags(state: StateCore, token: Token, pattern: RegExp, title: string): Token[] {
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
    out.push(flagOpen(state, title));
    push(match[0]);
    out.push(new state.Token('flag_close', 'span', -1));
    last = start + match[0].length;
  }
  if (out.length === 0) return [token];
  push(text.slice(last));
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One alternation of the names, longest first, so "阿司匹林肠溶片" wins over "阿司匹林". */
export function flagPattern(names: readonly string[]): RegExp | undefined {
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
  const flags = options.flags ? flagPattern(options.flags) : undefined;
  const env: FlagEnv = flags ? { flags, flagTitle: options.flagTitle ?? '' } : {};
  return renderer.render(source, env);
}
