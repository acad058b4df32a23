/**
 * Finds the sections of a streamed draft as they complete. The grammar guarantees the text is one JSON
 * object whose values are arrays of strings, so a top-level property is complete exactly when the
 * scanner is back at depth 1 and meets the `,` or `}` after it; that property alone is then parsed.
 * (A streaming JSON library would do more than this needs: the shape is fixed by the grammar.)
 */
export class SectionStream {
  #text = '';
  #scanned = 0;
  #depth = 0;
  #inString = false;
  #escaped = false;
  #propertyStart = -1;

  /** Feeds a chunk; returns the sections it completed, in order. */
  push(chunk: string): Array<{ key: string; sentences: string[] }> {
    this.#text += chunk;
    const done: Array<{ key: string; sentences: string[] }> = [];
    for (; this.#scanned < this.#text.length; this.#scanned++) {
      const char = this.#text[this.#scanned]!;
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (char === '\\') this.#escaped = true;
        else if (char === '"') this.#inString = false;
        continue;
      }
      if (char === '"') {
        this.#inString = true;
        if (this.#depth === 1 && this.#propertyStart < 0) this.#propertyStart = this.#scanned;
      } else if (char === '{' || char === '[') this.#depth++;
      else if (char === '}' || char === ']') {
        if (char === '}' && this.#depth === 1) this.#complete(done);
        this.#depth--;
      } else if (char === ',' && this.#depth === 1) this.#complete(done);
    }
    return done;
  }

  #complete(done: Array<{ key: string; sentences: string[] }>): void {
    if (this.#propertyStart < 0) return;
    const slice = this.#text.slice(this.#propertyStart, this.#scanned);
    this.#propertyStart = -1;
    let property: Record<string, unknown>;
    try {
      property = JSON.parse(`{${slice}}`) as Record<string, unknown>;
    } catch {
      return; // not reachable under the grammar; the whole text is checked again at the end
    }
    for (const [key, value] of Object.entries(property)) {
      if (Array.isArray(value)) done.push({ key, sentences: value.filter((s): s is string => typeof s === 'string') });
    }
  }
}
