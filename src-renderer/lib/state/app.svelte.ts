import type { Api, KbField } from '$contract';
import type { FilePicker } from '../api/files.js';
import { ChatState } from './chat.svelte.js';
import { DataState } from './data.svelte.js';
import { EvalState } from './eval.svelte.js';
import { I18nState } from './i18n.svelte.js';
import { JobsState } from './jobs.svelte.js';
import { KnowledgeState } from './kb.svelte.js';
import { ModelFilesState } from './model-files.svelte.js';
import { ModelsState } from './models.svelte.js';
import { ProfilesState } from './profiles.svelte.js';
import { RecordsState } from './records.svelte.js';
import { formatRoute, parseRoute, type Route } from './route.js';
import { SessionsState } from './sessions.svelte.js';

/**
 * What the app state needs of a pane (the whole declaration is lib/panes/pane.ts, the list
 * lib/panes/registry.ts): its id and the hooks that tie it to showing and to the address.
 */
export interface PaneHooks {
  /** In the address (`#/<id>/…`) and the DOM ids (`tab-<id>`, `pane-<id>`). */
  readonly id: string;
  /** Each time the pane is shown (a first visit loads its data). */
  onShow?(app: AppState): void;
  /** Where the pane is, as the rest of its address ('' for its start), encoded; undefined while it is on its way somewhere (nothing is recorded then). */
  path?(app: AppState): string | undefined;
  /** Goes where an address points (Back, Forward, a reload); '' is the pane's start. */
  open?(app: AppState, path: string): Promise<void>;
  /** At start, where the pane opens when the address names another pane or none (the chat: the most recent session). */
  home?(app: AppState): string;
}

/** Why the browser page shows the locked page instead of the app. */
export type LockReason = 'missing' | 'rejected';

/** The root of the renderer's state: one of each manager, the panes, and the flows that span several. */
export class AppState {
  readonly i18n: I18nState;
  readonly sessions: SessionsState;
  readonly chat: ChatState;
  readonly models: ModelsState;
  readonly modelFiles: ModelFilesState;
  readonly profiles: ProfilesState;
  readonly kb: KnowledgeState;
  readonly records: RecordsState;
  readonly evaluation: EvalState;
  readonly jobs: JobsState;
  readonly data: DataState;
  readonly panes: readonly PaneHooks[];
  /** The pane shown (its id). */
  view = $state('');
  started = $state(false);
  /** The host refused the access token (browser mode): the app gives way to the locked page. */
  locked = $state<LockReason | null>(null);
  /** Navigations from the address still running (the address is not rewritten meanwhile). */
  navigations = $state(0);

  /** Where the app is, as a URL fragment; undefined while the shown pane is on its way somewhere. */
  route = $derived.by((): string | undefined => {
    const pane = this.#pane(this.view);
    if (!pane) return undefined;
    const path = pane.path ? pane.path(this) : '';
    return path === undefined ? undefined : formatRoute({ pane: pane.id, path });
  });

  #replaceRoute = false;

  /** `files`: how this window hands the core a file (Electron's open dialog, or an upload in a browser). */
  constructor(api: Api, panes: readonly PaneHooks[], files: FilePicker, i18n: I18nState = new I18nState()) {
    if (panes.length === 0) throw new Error('AppState needs at least one pane');
    this.i18n = i18n;
    this.panes = panes;
    this.view = panes[0]!.id;
    this.sessions = new SessionsState(api);
    this.chat = new ChatState(api, this.sessions);
    this.models = new ModelsState(api);
    this.modelFiles = new ModelFilesState(api, files, this.models);
    this.profiles = new ProfilesState(api, this.models);
    this.kb = new KnowledgeState(api, files);
    this.records = new RecordsState(api, () => this.models.ready);
    // A review is signed by the doctor the record pane knows (asked once, remembered for both).
    this.evaluation = new EvalState(api, files, { profiles: () => this.profiles.profiles, reviewer: this.records });
    this.jobs = new JobsState(api);
    this.data = new DataState(api, files, this.jobs);
  }

  attach(): () => void {
    const offs = [this.chat.attach(), this.models.attach(), this.modelFiles.attach(), this.kb.attach(), this.records.attach(), this.evaluation.attach(), this.jobs.attach(), this.data.attach()];
    return () => offs.forEach((off) => off());
  }

  /**
   * Loads the lists, then opens what the address names (a reload keeps the pane and session) and
   * every other pane at its home (the chat: the most recent session, or the empty draft when none).
   */
  async start(address = ''): Promise<void> {
    await Promise.all([this.sessions.refresh(), this.models.init(), this.profiles.refresh(), this.jobs.init(), this.chat.refreshQueue()]);
    if (this.sessions.error?.code === 'UNAUTHORIZED') {
      this.locked = 'rejected';
      return;
    }
    const target = this.#target(address);
    for (const pane of this.panes) {
      if (pane.id !== target?.pane && pane.home && pane.open) await pane.open(this, pane.home(this));
    }
    if (target) await this.navigate(target);
    else this.showView(this.view);
    this.started = true;
  }

  showView(id: string): void {
    const pane = this.#pane(id);
    if (!pane) return;
    this.view = pane.id;
    pane.onShow?.(this);
  }

  /** Goes where an address points (Back, Forward, a reload); false when it names no pane. */
  async navigate(address: string | Route): Promise<boolean> {
    const target = this.#target(address);
    const pane = target && this.#pane(target.pane);
    if (!target || !pane) return false;
    this.navigations += 1;
    try {
      this.showView(pane.id);
      await pane.open?.(this, target.path);
    } finally {
      this.navigations -= 1;
    }
    return true;
  }

  /** The next address change replaces the current history entry instead of adding one (read once). */
  takeReplaceRoute(): boolean {
    const replace = this.#replaceRoute;
    this.#replaceRoute = false;
    return replace;
  }

  /**
   * An empty conversation to write the first question in (no session id yet): the session is
   * created when that question is sent, so unused "new sessions" never pile up in the list.
   */
  newSession(): void {
    this.showView('chat');
    if (this.chat.sessionId !== null) void this.chat.open(null);
  }

  /** Opens a session (null: the empty draft); optionally at one of its messages. */
  async openSession(id: string | null, messageId?: string): Promise<void> {
    this.showView('chat');
    await this.chat.open(id, messageId);
  }

  /** Opens a knowledge entry; a citation opens it at the fact it cites. */
  async openEntry(id: string, cited: { field: KbField; source: string } | null = null): Promise<void> {
    this.showView('knowledge');
    await this.kb.openEntry(id, false, cited);
  }

  async deleteSession(id: string): Promise<void> {
    const { ok, next } = await this.sessions.remove(id);
    if (!ok || next === undefined) return;
    // The deleted session's address is gone: the next one takes its place in the history.
    this.#replaceRoute = true;
    await this.chat.open(next);
  }

  /** The models pane (the status bar's 模型, the chat's empty state). */
  openModels(): void {
    this.showView('models');
  }

  #pane(id: string): PaneHooks | undefined {
    return this.panes.find((pane) => pane.id === id);
  }

  #target(address: string | Route): Route | null {
    const route = typeof address === 'string' ? parseRoute(address) : address;
    return route && this.#pane(route.pane) ? route : null;
  }
}
