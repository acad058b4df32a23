/**
 * ChatGLM-6B's chat format, as `ChatGLMForConditionalGeneration.chat()` in THUDM/chatglm-6b's
 * modeling_chatglm.py builds it:
 *
 *   if not history: prompt = query
 *   else: for i, (old_query, response) in enumerate(history):
 *             prompt += "[Round {}]\n问：{}\n答：{}\n".format(i, old_query, response)
 *         prompt += "[Round {}]\n问：{}\n答：".format(len(history), query)
 *
 * ChatGLM-6B has no system role: a system text (the app's grounding rules) goes first, on its own
 * line, before `[Round 0]`, and then the rounds are written even for a first question so the model
 * sees where the question ends. A bare first question is the query alone, as chat() sends it.
 */
import { ChatWrapper, LlamaText, SpecialToken, type ChatWrapperGenerateContextStateOptions, type ChatWrapperGeneratedContextState } from 'node-llama-cpp';
import { toRounds } from './turns.js';

/** Where the model would start the next round by itself. */
export const CHATGLM_STOPS = ['[Round ', '\n问：'];

export class ChatGlmChatWrapper extends ChatWrapper {
  readonly wrapperName = 'chatglm';

  override generateContextState({ chatHistory }: ChatWrapperGenerateContextStateOptions): ChatWrapperGeneratedContextState {
    const { system, pairs } = toRounds(this, chatHistory);
    const only = pairs.length === 1 ? pairs[0] : undefined;
    const text = only && !system
      ? `${only.question}${only.answer}`
      : (system ? `${system}\n` : '') + pairs.map(({ question, answer }, i) => `[Round ${i}]\n问：${question}\n答：${answer}`).join('\n');
    return {
      contextText: LlamaText(new SpecialToken('BOS'), text),
      stopGenerationTriggers: [LlamaText(new SpecialToken('EOS')), ...CHATGLM_STOPS.map((stop) => LlamaText(stop))],
    };
  }
}
