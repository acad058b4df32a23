import type { Api, SearchHit, Session, SessionKind } from '$contract';
import { toUiError, type UiError } from '../i18n/index.js';
import { SearchState } from './search.svelte.js';

/**
 * The sessions sidebar: the list (most recent first), which one is open, and full-text search
 * (SearchState). Lists are `$state.raw`: they are replaced by each reply, never mutated in place.
 * The profiles a session may answer with are ProfilesState's (`app.profiles`), listed nowhere else.
 */
export class SessionsState extends SearchState<SearchHit> {
  list = $state.raw<Session[]>([]);
  currentId = $state<string | null>(null);
  current = $derived(this.list.find((session) => session.id === this.currentId) ?? null);
  loaded = $state(false);

  error = $state.raw<UiError | null>(null);

  readonly #api: Api;

  constructor(api: Api) {
    super();
    this.#api = api;
  }

  async refresh(): Promise<void> {
    try {
      this.list = sortSessions(await this.#api.sessions.list());
      this.loaded = true;
    } catch (error) {
      this.error = toUiError(error);
    }
  }

  /** A chat or a comparison; null for a session not (yet) in the list (made elsewhere, or just now). */
  kindOf(id: string): SessionKind | null {
    return this.list.find((session) => session.id === id)?.kind ?? null;
  }

  /** The profile the session's next answers come from (null: the model as loaded). */
  async setProfile(id: string, profileId: string | null): Promise<boolean> {
    try {
      this.upsert(await this.#api.sessions.setProfile({ id, profileId }));
      return true;
    } catch (error) {
      this.error = toUiError(error);
      return false;
    }
  }

  async create(title?: string): Promise<Session | null> {
    try {
      const session = await this.#api.sessions.create(title ? { title } : {});
      this.list = sortSessions([session, ...this.list.filter((s) => s.id !== session.id)]);
      return session;
    } catch (error) {
      this.error = toUiError(error);
      return null;
    }
  }

  async rename(id: string, title: string): Promise<boolean> {
    const trimmed = title.trim();
    const before = this.list.find((s) => s.id === id);
    if (!trimmed || !before || before.title === trimmed) return false;
    // optimistic: the new name shows at once and is rolled back if the host refuses it
    this.list = this.list.map((s) => (s.id === id ? { ...s, title: trimmed } : s));
    try {
      const renamed = await this.#api.sessions.rename({ id, title: trimmed });
      this.list = this.list.map((s) => (s.id === id ? renamed : s));
      return true;
    } catch (error) {
      this.list = this.list.map((s) => (s.id === id ? before : s));
      this.error = toUiError(error);
      return false;
    }
  }

  /** Deletes a session; returns the id to open next when it was the open one, else undefined. */
  async remove(id: string): Promise<{ ok: boolean; next: string | null | undefined }> {
    try {
      await this.#api.sessions.delete({ id });
    } catch (error) {
      this.error = toUiError(error);
      return { ok: false, next: undefined };
    }
    const index = this.list.findIndex((s) => s.id === id);
    this.list = this.list.filter((s) => s.id !== id);
    this.results = this.results.filter((hit) => hit.sessionId !== id);
    if (this.currentId !== id) return { ok: true, next: undefined };
    const neighbour = this.list[Math.min(Math.max(index, 0), this.list.length - 1)];
    return { ok: true, next: neighbour?.id ?? null };
  }

  select(id: string | null): void {
    this.currentId = id;
  }

  /** Applies a session the host changed (new title, count, time) and keeps the order by recency. */
  upsert(session: Session): void {
    this.list = sortSessions([session, ...this.list.filter((s) => s.id !== session.id)]);
  }

  /** Searches now; a debounced search still waiting runs when it is due. */
  override search(query: string): Promise<void> {
    return this.runSearch(query);
  }

  protected fetchHits(query: string): Promise<SearchHit[]> {
    return this.#api.sessions.search({ query: query.slice(0, 200), limit: 50 });
  }

  protected searchFailed(error: unknown): void {
    this.error = toUiError(error);
  }

  dismissError(): void {
    this.error = null;
  }
}

export function sortSessions(list: readonly Session[]): Session[] {
  return [...list].sort((a, b) => b.updatedAt - a.updatedAt || b.createdAt - a.createdAt);
}
