/**
 * A search box's state, shared by the sessions sidebar and the knowledge pane: debounced as the
 * doctor types, an empty box clears the results, and the newest query wins (replies to older ones
 * are dropped). Results are `$state.raw`: each reply replaces them.
 */
export abstract class SearchState<Hit> {
  query = $state('');
  results = $state.raw<Hit[]>([]);
  searching = $state(false);
  /** The query the results belong to (the box may already hold a newer one). */
  resultsFor = $state('');

  #searchSeq = 0;
  #searchTimer: ReturnType<typeof setTimeout> | null = null;

  /** Asks the host for the hits of a query (already normalized, never empty). */
  protected abstract fetchHits(query: string): Promise<Hit[]>;

  /** A search failed (its results are already cleared). */
  protected abstract searchFailed(error: unknown): void;

  /** A search succeeded (its results are already shown). */
  protected searchSucceeded(): void {}

  /** The query as sent and as `resultsFor` records it. */
  protected normalizeQuery(query: string): string {
    return query.trim();
  }

  /** Debounced search as the doctor types; an empty box clears the results. */
  setQuery(query: string, delayMs = 180): void {
    this.query = query;
    this.#cancelPending();
    if (!query.trim()) {
      this.#searchSeq += 1;
      this.results = [];
      this.resultsFor = '';
      this.searching = false;
      return;
    }
    this.searching = true;
    this.#searchTimer = setTimeout(() => void this.runSearch(query), delayMs);
  }

  /** Searches now; a debounced search still waiting is dropped. */
  async search(query: string): Promise<void> {
    this.#cancelPending();
    await this.runSearch(query);
  }

  clearSearch(): void {
    this.setQuery('');
  }

  /** Searches now, leaving a debounced search still waiting to run when it is due. */
  protected async runSearch(query: string): Promise<void> {
    const normalized = this.normalizeQuery(query);
    const seq = ++this.#searchSeq;
    if (!normalized) {
      this.results = [];
      this.resultsFor = '';
      this.searching = false;
      return;
    }
    this.searching = true;
    try {
      const hits = await this.fetchHits(normalized);
      if (seq !== this.#searchSeq) return; // a newer query has started
      this.results = hits;
      this.resultsFor = normalized;
      this.searchSucceeded();
    } catch (error) {
      if (seq !== this.#searchSeq) return;
      this.results = [];
      this.resultsFor = normalized;
      this.searchFailed(error);
    } finally {
      if (seq === this.#searchSeq) this.searching = false;
    }
  }

  #cancelPending(): void {
    if (this.#searchTimer) clearTimeout(this.#searchTimer);
    this.#searchTimer = null;
  }
}
