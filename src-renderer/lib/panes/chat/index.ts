import { isModKey } from '../../ui/focus.js';
import type { Pane } from '../pane.js';
import { focusSessionSearch, openCompare, startNewSession } from './actions.js';
import Chat from './Chat.svelte';
import ChatSidebar from './ChatSidebar.svelte';

/** The conversation: sessions in the sidebar, the open one (or the empty draft) in the pane. Address: `#/chat/<sessionId>`, `#/chat` for the draft. */
export const chatPane: Pane = {
  id: 'chat',
  label: 'nav.chat',
  sideLabel: 'sessions.heading',
  testid: 'chat-tab',
  icon: 'M2.5 3.5h11v7h-6l-3 2.5v-2.5h-2z',
  main: Chat,
  side: ChatSidebar,

  home: (app) => encodeURIComponent(app.sessions.list[0]?.id ?? ''),
  path: (app) => (app.chat.sessionId === null ? '' : encodeURIComponent(app.chat.sessionId)),
  async open(app, path) {
    const id = path ? decodeURIComponent(path) : null;
    // An address of a session since deleted opens the empty draft. Not shown here: navigate shows
    // the pane it opens, and at start the chat opens at its home without taking the doctor away
    // from a pane chosen meanwhile.
    await app.chat.open(id !== null && app.sessions.list.some((session) => session.id === id) ? id : null);
  },

  onKey(event, app) {
    // Ctrl+K is the session search wherever the doctor is.
    if (isModKey(event, 'k')) {
      event.preventDefault();
      focusSessionSearch(app);
      return true;
    }
    // Ctrl+N: the empty draft (where the window gets the key; a browser keeps Ctrl+N for itself).
    if (isModKey(event, 'n')) {
      event.preventDefault();
      startNewSession(app);
      return true;
    }
    // Ctrl+D: compare profiles (the chat header's button says so); a dialog open keeps its keys.
    if (isModKey(event, 'd') && !document.querySelector('dialog[open]')) {
      event.preventDefault();
      openCompare(app);
      return true;
    }
    // Esc stops the answer (a comparison's: every answer) being written, unless a dialog has it.
    if (event.key === 'Escape' && !event.defaultPrevented && app.view === 'chat' && app.chat.busy && !document.querySelector('dialog[open]')) {
      event.preventDefault();
      void app.chat.stop();
      return true;
    }
    return false;
  },
};
