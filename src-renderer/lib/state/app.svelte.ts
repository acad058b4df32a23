import type { Api, KbField } from '../../../src-main/contract/index.js';
import { ChatState } from './chat.svelte.js';
import { I18nState } from './i18n.svelte.js';
import { KnowledgeState } from './kb.svelte.js';
import { ModelsState } from './models.svelte.js';
import { SessionsState } from './sessions.svelte.js';

/** The main area's view: the conversation or the knowledge base. */
export type AppView = 'chat' | 'knowledge';

/** The root of the renderer's state: one of each manager, and the flows that span several. */
export class AppState {
  readonly i18n: I18nState;
  readonly sessions: SessionsState;
  readonly chat: ChatState;
  readonly models: ModelsState;
  readonly kb: KnowledgeState;
  view = $state<AppView>('chat');
  modelsOpen = $state(false);
  started = $state(false);

  constructor(api: Api, i18n: I18nState = new I18nState()) {
    this.i18n = i18n;
    this.sessions = new SessionsState(api);
    this.chat = new ChatState(api, this.sessions);
    this.models = new ModelsState(api);
    this.kb = new KnowledgeState(api);
  }

  attach(): () => void {
    const offs = [this.chat.attach(), this.models.attach(), this.kb.attach()];
    return () => offs.forEach((off) => off());
  }

  async start(): Promise<void> {
    await Promise.all([this.sessions.refresh(), this.models.init()]);
    const first = this.sessions.list[0];
    if (first && this.chat.sessionId === null) await this.chat.open(first.id);
    this.started = true;
  }

  async newSession(): Promise<boolean> {
    const session = await this.sessions.create();
    if (!session) return false;
    this.view = 'chat';
    await this.chat.open(session.id);
    return true;
  }

  async openSession(id: string, messageId?: string): Promise<void> {
    this.view = 'chat';
    await this.chat.open(id, messageId);
  }

  showView(view: AppView): void {
    this.view = view;
    if (view === 'knowledge') void this.kb.init();
  }

  /** A citation or link: the knowledge pane, on that entry. */
  /** Opens a knowledge entry; a citation opens it at the fact it cites. */
  async openEntry(id: string, cited: { field: KbField; source: string } | null = null): Promise<void> {
    this.view = 'knowledge';
    void this.kb.init();
    await this.kb.openEntry(id, false, cited);
  }

  async deleteSession(id: string): Promise<void> {
    const { ok, next } = await this.sessions.remove(id);
    if (ok && next !== undefined) await this.chat.open(next);
  }

  openModels(): void {
    this.modelsOpen = true;
    void this.models.refreshFiles();
  }
}
