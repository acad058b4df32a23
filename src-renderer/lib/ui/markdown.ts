import MarkdownIt from 'markdown-it';

type Renderer = MarkdownIt['renderer'];
type RenderRule = NonNullable<Renderer['rules']['image']>;

/**
 * The one Markdown renderer of the app. Raw HTML is escaped, nothing is linkified, images never
 * load (their alt text is shown instead), and links become inert text that keeps the address in
 * a tooltip: an answer can never make the app fetch or navigate to anything.
 */
function createRenderer(): MarkdownIt {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false });
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

  return md;
}

let renderer: MarkdownIt | null = null;

export function renderMarkdown(source: string): string {
  renderer ??= createRenderer();
  return renderer.render(source);
}
