/**
 * QiZhen's prompt (the Alpaca format its CaMA and Chinese-LLaMA demos use):
 *
 *   Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\n{问题}\n\n### Response: 
 *
 * with the answer cut at the next `###`. A question without history or system text renders exactly
 * that. The system text (the app's grounding rules) goes after the preamble and before the first
 * instruction, as the task's context; earlier turns are earlier Instruction/Response pairs. BOS
 * comes first; node-llama-cpp tokenizes the text after it as it does for every template.
 */
import { ChatWrapper, LlamaText, SpecialToken, type ChatWrapperGenerateContextStateOptions, type ChatWrapperGeneratedContextState } from 'node-llama-cpp';
import { toRounds } from './turns.js';

export const ALPACA_PREAMBLE = 'Below is an instruction that describes a task. Write a response that appropriately completes the request.';
export const ALPACA_STOP = '###';

export class QiZhenAlpacaChatWrapper extends ChatWrapper {
  readonly wrapperName = 'alpaca';

  override generateContextState({ chatHistory }: ChatWrapperGenerateContextStateOptions): ChatWrapperGeneratedContextState {
    const { system, pairs } = toRounds(this, chatHistory);
    const turns = pairs.map(({ question, answer }) => `### Instruction:\n${question}\n\n### Response: ${answer}`);
    const text = [ALPACA_PREAMBLE, ...(system ? [system] : []), ...turns].join('\n\n');
    return {
      contextText: LlamaText(new SpecialToken('BOS'), text),
      stopGenerationTriggers: [LlamaText(new SpecialToken('EOS')), LlamaText(ALPACA_STOP)],
    };
  }
}
