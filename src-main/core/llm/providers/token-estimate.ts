/**
 * Tokens of text a remote server will count, estimated here without its tokenizer. Deliberately
 * on the high side, so a prompt that fits by this count fits the server's context: one token per
 * non-ASCII character (Chinese-LLaMA, Qwen and ChatGLM vocabularies hold most common Chinese
 * characters whole, often two to a token; only byte-fallback tokenizers need more), two per
 * character outside the Basic Multilingual Plane (emoji, rare Han), and one per three ASCII
 * characters (English and numbers run near four). The server has the last word: a prompt it still
 * refuses comes back as its own error.
 */

/** Role markers and separators a chat template wraps around each message. */
export const MESSAGE_OVERHEAD_TOKENS = 4;
/** The opening of the assistant's reply the template adds after the last message. */
export const REPLY_PRIMING_TOKENS = 3;

export function estimateTokens(text: string): number {
  let ascii = 0;
  let tokens = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x80) ascii += 1;
    else tokens += code > 0xffff ? 2 : 1;
  }
  return tokens + Math.ceil(ascii / 3);
}

/** A chat of these message texts, as the server would render it for a reply. */
export function estimateChatTokens(texts: readonly string[]): number {
  return texts.reduce((sum, text) => sum + estimateTokens(text) + MESSAGE_OVERHEAD_TOKENS, REPLY_PRIMING_TOKENS);
}
