import type { Core } from '../../src-main/core/core.js';

/**
 * What the data folder holds, as the API shows it: every session with its messages, the knowledge
 * base's counts and sources, and the model's state. A refused call must leave it equal.
 */
export async function dataSnapshot(core: Core) {
  const sessions = await core.api.sessions.list();
  const messages = await Promise.all(sessions.map((s) => core.api.sessions.messages({ id: s.id })));
  return { sessions, messages, kb: await core.api.kb.stats(), model: (await core.api.models.status()).state };
}
