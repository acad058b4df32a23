/** A piece of a search snippet: plain text, or a matched term to show as <mark>. */
export interface SnippetPart {
  text: string;
  mark: boolean;
}

const OPEN = '\u0001';
const CLOSE = '\u0002';

/**
 * Splits a snippet whose matches are wrapped in U+0001 … U+0002 into parts, so the UI can render
 * `<mark>` elements without ever treating the text as HTML. Stray or unbalanced markers are dropped.
 */
export function splitSnippet(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let mark = false;
  let buffer = '';
  const push = () => {
    if (!buffer) return;
    const last = parts[parts.length - 1];
    if (last && last.mark === mark) last.text += buffer;
    else parts.push({ text: buffer, mark });
    buffer = '';
  };
  for (const char of snippet) {
    if (char === OPEN) {
      if (!mark) {
        push();
        mark = true;
      }
    } else if (char === CLOSE) {
      if (mark) {
        push();
        mark = false;
      }
    } else {
      buffer += char;
    }
  }
  push();
  return parts;
}
