import type { Message } from '$contract';

/** A line that already names its speaker (患者：/医生：, either colon): a transcript the doctor pasted into the chat. */
const SPEAKER_PREFIX = /^\s*(患者|医生)\s*[:：]/;

/**
 * The consultation text from a chat session's messages. The chat's user is the doctor: what they typed
 * is the doctor's side, so a line without a speaker becomes 医生：…, while a line that already starts
 * with 患者：/医生： is a transcript pasted into the chat and keeps its speaker. The assistant's answers
 * are left out: they are the model's words, not part of the consultation, and a record must never cite
 * them as something the patient or the doctor said.
 */
export function dialogueFromMessages(messages: readonly Pick<Message, 'role' | 'text'>[]): string {
  const lines: string[] = [];
  for (const message of messages) {
    if (message.role !== 'user') continue;
    for (const raw of message.text.split(/\r?\n/)) {
      const line = raw.trim();
      if (!line) continue;
      lines.push(SPEAKER_PREFIX.test(line) ? line : `医生：${line}`);
    }
  }
  return lines.join('\n');
}

